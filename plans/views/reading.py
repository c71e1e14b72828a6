"""An action's page and its update form, and business plans in the layout of their source."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from .. import sorting
from ..access import can_edit_action, get_action_for_user, get_editable_action_for_user, scope_for
from ..changes import changes_of, latest
from ..forms import UpdateForm
from ..history import m2m_snapshot_model
from ..models import Action, ActionParent, Objective, Partnership, Plan, Priority
from ..pages import came_from, page
from ..updates import UpdateConflict, edit_token

LINKS = ("lead_groups", "lead_agencies", "lead_users")


def field_changes(action):
    """Field-level history, newest first: who, when, and each field's old > new value,
    the linked groups, agencies and people included (by name). A fixed number of queries:
    the links of every history record are read at once."""
    skip = {"updated_at", "created_at", *LINKS}
    records = list(action.history.select_related("history_user").order_by("history_id"))
    links = _links_by_record(records)
    changes = []
    previous = None
    for record in records:
        if previous is None:
            entry = {"record": record, "created": True, "changes": []}
        else:
            delta = record.diff_against(previous, excluded_fields=list(LINKS))
            diffs = [
                {
                    "field": Action._meta.get_field(c.field).verbose_name,
                    "old": c.old,
                    "new": c.new,
                }
                for c in delta.changes
                if c.field not in skip
            ]
            diffs += _link_changes(links, previous, record)
            if not diffs:
                previous = record
                continue
            entry = {"record": record, "created": False, "changes": diffs}
        changes.append(entry)
        previous = record
    return list(reversed(changes))


def _link_changes(links, before, after):
    found = []
    for name in LINKS:
        old, new = links[name].get(before.history_id, []), links[name].get(after.history_id, [])
        if sorted(old) != sorted(new):
            label = Action._meta.get_field(name).verbose_name
            found.append(
                {
                    "field": label,
                    "old": ", ".join(sorted(old)) or "none",
                    "new": ", ".join(sorted(new)) or "none",
                }
            )
    return found


def _links_by_record(records):
    """{link field: {history id: [names]}} from the history snapshots, one query per field."""
    ids = [record.history_id for record in records]
    found = {}
    for name in LINKS:
        field = Action._meta.get_field(name)
        target = field.m2m_reverse_name()
        rows = m2m_snapshot_model(Action, name).objects.filter(history_id__in=ids)
        pairs = list(rows.values_list("history_id", target))
        model = field.related_model
        named = {
            obj.pk: (obj.get_full_name() or obj.get_username())
            if name == "lead_users"
            else str(obj)
            for obj in model._default_manager.filter(pk__in={pk for _h, pk in pairs})
        }
        found[name] = {}
        for history_id, pk in pairs:
            found[name].setdefault(history_id, []).append(named.get(pk, "?"))
    return found


@login_required
@require_safe
def action_detail(request, pk):
    action = get_action_for_user(request, pk, Action.objects.for_list())
    updates = list(
        action.updates.select_related("author", "corrects__author").order_by(
            "as_of", "created_at", "pk"
        )
    )
    for update in updates:  # the latest correction of each corrected update
        if update.corrects_id is not None:
            next(u for u in updates if u.pk == update.corrects_id).corrected_by = update
    context = {
        "action": action,
        "child": action.parent.child,
        "milestones": list(action.milestones.all()),
        "lead_groups": list(action.lead_groups.all()),
        "lead_agencies": list(action.lead_agencies.all()),
        "trend": [
            {"rating": u.rating, "label": u.get_rating_display()}
            for u in updates
            if not hasattr(u, "corrected_by")  # its correction stands in its place
        ],
        "timeline": list(reversed(updates)),
        "history": field_changes(action),
        "can_edit": can_edit_action(request.user, action),
        "can_manage": scope_for(request.user).is_officer_of(action.parent.partnership_id),
        "today": timezone.localdate(),
        # Back to the plan, review, My actions... the reader came from; after the update form
        # or from elsewhere, to All actions.
        "back": came_from(request, reverse("oversight:action_list")),
    }
    return render(
        request,
        "plans/action_detail.html",
        page(
            request,
            f"Action {action.display_ref}",
            partnership=action.parent.partnership,
            **context,
        ),
    )


def corrected_update(action, pk):
    """The update of `action` that the form corrects (`?corrects=` or the posted field)."""
    if not pk:
        return None
    update = None
    if str(pk).isdigit():
        update = action.updates.select_related("author").filter(pk=int(pk)).first()
    if update is None:
        raise Http404("No such update of this action")
    return update


@login_required
@require_http_methods(["GET", "POST"])
def action_update(request, pk):
    """An action's update form; with `corrects`, a correction of one of its updates."""
    locked = Action.objects.for_list()
    if request.method == "POST":
        locked = locked.select_for_update(of=("self",))
    action = get_editable_action_for_user(request, pk, locked)
    corrects = corrected_update(action, request.POST.get("corrects") or request.GET.get("corrects"))
    form_kwargs = {
        "current_rating": action.latest_rating,
        "current_revised": action.revised_due_date,
        "correcting": corrects is not None,
        "meanings": action.parent.partnership.meanings(),
    }
    conflict = None
    if request.method == "POST":
        form = UpdateForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                form.record(action, by=request.user, corrects=corrects)
            except UpdateConflict as clash:
                conflict = clash.latest
            else:
                done = "Correction" if corrects else "Update"
                messages.success(request, f"{done} saved for action {action.display_ref}")
                return redirect("plans:action_detail", pk=action.pk)
            form = UpdateForm(request.POST.dict() | {"seen": edit_token(action)}, **form_kwargs)
            form.is_valid()
            form.add_error(
                None,
                "Someone else updated this action while you were editing it. Their update "
                "is shown below; nothing of theirs or yours has been overwritten. Check it, "
                "then save yours again if it is still right.",
            )
    else:
        form = UpdateForm(
            initial={
                "seen": edit_token(action),
                "revised_due_date": action.revised_due_date,
                "revision_reason": action.revision_reason,
                "corrects": corrects.pk if corrects else None,
                "rating": corrects.rating if corrects else action.latest_rating,  # kept by default
            },
            **form_kwargs,
        )
    if corrects:
        author = corrects.author.get_full_name() or corrects.author.get_username()
        title = f"Correct the update of {corrects.as_of:%-d %B %Y} by {author}"
    else:
        title = f"Update action {action.display_ref}"
    context = {
        "action": action,
        "child": action.parent.child,
        "form": form,
        "conflict": conflict,
        "corrects": corrects,
    }
    return render(
        request,
        "plans/action_update.html",
        page(request, title, partnership=action.parent.partnership, **context),
    )


@login_required
@require_safe
def plan_list(request):
    """Every plan the user can read, each opening in the layout of its source document."""
    readable = scope_for(request.user).readable_partnerships
    partnerships = Partnership.objects.filter(pk__in=readable).prefetch_related(
        Prefetch("plans", queryset=Plan.objects.filter(archived_at=None))
    )
    with_workstreams = set(
        ActionParent.objects.filter(
            kind=ActionParent.Kind.WORKSTREAM, partnership__in=readable, archived_at=None
        ).values_list("partnership", flat=True)
    )
    scope = scope_for(request.user)
    context = {
        "partnerships": partnerships,
        "with_workstreams": with_workstreams,
        "is_officer": scope.is_an_officer,
        "managed": scope.readable_partnerships
        if scope.is_superuser
        else scope.officer_partnerships,
    }
    return render(
        request, "plans/plan_list.html", page(request, "Plans", nav="plans:plan_list", **context)
    )


@login_required
@require_safe
def plan_detail(request, slug):
    """The business plan in the layout of its source document (seed 004's columns); for
    board officers, the links that maintain it and the changes made to it."""
    scope = scope_for(request.user)
    plan = get_object_or_404(
        Plan.objects.select_related("partnership"),
        slug=slug,
        archived_at=None,
        partnership__in=scope.readable_partnerships,
    )
    sort = request.GET.get("sort")
    objectives = list(plan.objectives.filter(archived_at=None).select_related("priority"))
    live = {objective.pk for objective in objectives}
    actions = [
        action
        for action in sorting.PLAN.apply(
            Action.objects.for_list().filter(parent__objective__plan=plan, withdrawn_on=None),
            sort,
        )
        if action.parent_id in live
    ]
    can_manage = scope.is_officer_of(plan.partnership_id)
    grouped = sorting.PLAN.is_default(sort)
    context = {
        "plan": plan,
        "can_archive": can_manage,
        "can_manage": can_manage,
        "priorities": list(plan.priorities.all()),
        "cohorts": list(plan.focus_cohorts.all()),
        "objectives": by_objective(objectives, actions),
        # Sorted by another column, the table is one flat list of actions.
        "sorted_actions": None if grouped else actions,
        "headings": sorting.PLAN.headings(request.GET, sort),
        "changes": plan_changes(plan) if can_manage else [],
        "wide": True,
    }
    return render(
        request,
        "plans/plan_detail.html",
        page(request, plan.title, partnership=plan.partnership, **context),
    )


def by_objective(objectives, actions):
    """(objective, its actions) in the plan's order, each objective's actions in the order
    of `actions`."""
    found = {}
    for action in actions:
        found.setdefault(action.parent_id, []).append(action)
    return [(objective, found.get(objective.pk, [])) for objective in objectives]


def plan_changes(plan):
    """The latest changes to the plan, its priorities, objectives and actions, with who."""

    def records(model, **lookup):
        return list(model.history.filter(**lookup).select_related("history_user"))

    objective_ids = list(plan.objectives.values_list("pk", flat=True))
    numbers = dict(plan.objectives.values_list("pk", "number"))
    return latest(
        changes_of(records(Plan, id=plan.pk), lambda r: "The plan"),
        changes_of(records(Priority, plan_id=plan.pk), lambda r: f"Priority {r.number}"),
        changes_of(records(Objective, plan_id=plan.pk), lambda r: f"Objective {r.number}"),
        changes_of(
            records(Action, parent_id__in=objective_ids),
            lambda r: f"Action {numbers.get(r.parent_id, '?')}.{r.position}",
            skip={"ref", "due_date"},
        ),
    )
