"""Who changed what, for an item's page: history records turned into readable lines.

Every write in the app keeps a history row with the person (django-simple-history); these
helpers read the rows of several models at once, in a fixed number of queries, and say for
each change when, who, what happened to which item, and which fields changed.
"""

from dataclasses import dataclass, field

SKIP = {"created_at", "updated_at", "history_id", "history_date", "history_user"}
WORDS = {"+": "Added", "~": "Changed", "-": "Removed"}


@dataclass
class Change:
    when: object
    who: object  # a user, or None (a load or a command)
    what: str  # Added / Changed / Removed
    item: str  # e.g. "Action 2.3" or "Priority 1"
    fields: list = field(default_factory=list)  # verbose names of the fields that changed


def changes_of(records, describe, *, skip=()):
    """Changes from one model's history records (any number of objects), oldest first.

    `describe(record)` names the item. A "~" record whose own fields are unchanged (a
    many-to-many snapshot, a save that changed nothing) is left out.
    """
    records = sorted(records, key=lambda r: (r.history_date, r.history_id))
    if not records:
        return []
    model = records[0].instance_type
    pk_name = model._meta.pk.attname
    names = [f for f in _tracked_fields(records[0]) if f not in SKIP and f not in skip]
    previous, found = {}, []
    for record in records:
        key = getattr(record, pk_name)
        before = previous.get(key)
        previous[key] = record
        changed = []
        if record.history_type == "~" and before is not None:
            changed = [n for n in names if getattr(record, n) != getattr(before, n)]
            if not changed:
                continue
        found.append(
            Change(
                when=record.history_date,
                who=record.history_user,
                what=WORDS[record.history_type],
                item=describe(record),
                fields=[_label(model, n) for n in changed],
            )
        )
    return found


def latest(*change_lists, limit=30):
    """The newest `limit` changes of several lists, newest first."""
    merged = [change for changes in change_lists for change in changes]
    return sorted(merged, key=lambda c: c.when, reverse=True)[:limit]


def _tracked_fields(record):
    return [
        f.attname for f in record.instance_type._meta.concrete_fields if hasattr(record, f.attname)
    ]


def _label(model, attname):
    for f in model._meta.concrete_fields:
        if f.attname == attname:
            return str(f.verbose_name)
    return attname
