"""Rows of a page of actions without joining every kind of parent's tables.

`Action.objects.for_list()` joins every kind of parent (objective, workstream,
recommendation and those registered since) and what each kind's row shows, so one query
serves any mix of kinds: right for exports and packs, which read every row once. A page of
a list shows a few dozen rows, usually of one or two kinds, and there the wide query costs
more than it saves: the database plans a dozen joins and Django builds every joined object
for every row, most of them empty. `for_page()` reads the rows with their parent and
partnership only; `with_children()` then loads the children of the kinds the rows have,
one query per kind present, and hands each to its parent, so `action.parent.child` (and
what the child's `list_related` names) needs no further query.
"""

from .models import ActionParent


def attach_children(parents):
    """Load each parent's child (objective, workstream...) with its `list_related`, one
    query per kind present, and cache it on the parent. `parents` may repeat a parent (one
    object per row); each copy gets the child."""
    by_kind = {}
    for parent in parents:
        by_kind.setdefault(parent.kind, {}).setdefault(parent.pk, []).append(parent)
    for kind in ActionParent.kinds:
        name = kind._meta.model_name
        wanted = by_kind.get(name)
        if not wanted:
            continue
        relation = ActionParent._meta.get_field(name)
        children = kind.objects.filter(pk__in=list(wanted))
        if kind.list_related:
            children = children.select_related(*kind.list_related)
        for child in children:
            for parent in wanted[child.pk]:
                # The child shares its parent's fields; its partnership is the one loaded.
                type(child).partnership.field.set_cached_value(child, parent.partnership)
                relation.set_cached_value(parent, child)
    return parents


def with_children(actions):
    """The actions (a page of `for_page()` rows) as a list, their parents' children loaded
    and `latest_comment` set as for_list() annotates it."""
    actions = list(actions)
    attach_children([action.parent for action in actions])
    for action in actions:
        latest = action.latest_update
        action.latest_comment = latest.comment if latest else None
    return actions


def summary_groups(kinds):
    """{parent pk: (partnership id, summary group)} for parents named as {pk: kind}: one
    query per kind present (ActionParent.summary_groups)."""
    wanted = {}
    for pk, kind in kinds.items():
        wanted.setdefault(kind, []).append(pk)
    found = {}
    for kind in ActionParent.kinds:
        if pks := wanted.get(kind._meta.model_name):
            found.update(kind.summary_groups(pks))
    return found
