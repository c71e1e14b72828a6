"""Dashboards, action lists and RAG updates: what chairs and agency leads use every cycle."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Max, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from safeguarding import audit

from .. import export
from ..access import (
    can_edit_action,
    editable_q,
    get_action_for_user,
    get_editable_action_for_user,
    scope_for,
)
from ..filters import ActionFilter
from ..forms import QuickUpdateForm, UpdateForm
from ..fragments import fragment
from ..models import Action, ActionParent, Meeting, Partnership, Plan, RagUpdate, Rating
from ..pages import page
from ..rag import Tally

PAGE_SIZE = 50
TODO_ROWS = 10


def bmg_deadlines(partnership_ids, today):
    """(last passed update deadline, next BMG meeting) across the user's partnerships.

    As in plans/cycle.py, a deadline has passed once its day is over, and an update dated on
    the deadline day still counts for that deadline's meeting.
    """
    meetings = Meeting.objects.filter(
        group__kind="bmg", group__partnerships__in=partnership_ids
    ).distinct()
    last = meetings.filter(update_deadline__lt=today).order_by("-update_deadline").first()
    upcoming = meetings.filter(date__gte=today).order_by("date").first()
    return (last.update_deadline if last else None), upcoming


def needs_update_q(since):
    """No update dated after `since` (the last passed deadline; None: no update at all),
    and not complete."""
    stale = Q(latest_as_of__isnull=True)
    if since is not None:
        stale |= Q(latest_as_of__lte=since)
    return stale & (Q(latest_rating__isnull=True) | ~Q(latest_rating=Rating.COMPLETE))


def needs_update(actions, since):
    return actions.filter(needs_update_q(since))


@login_required
@require_safe
def dashboard(request):
    """Counts by rating per priority, workstream and review, and the user's to-do counts,
    from one aggregate query; then the first of the user's actions that need an update."""
    body = fragment(
        request,
        "dashboard",
        "plans/_dashboard_body.html",
        lambda: dashboard_context(request),
        per_user=True,
    )
    return render(
        request,
        "plans/fragment_page.html",
        page(request, "Dashboard", nav="plans:dashboard", body=body),
    )


def dashboard_context(request):
    scope = scope_for(request.user)
    today = timezone.localdate()
    since, next_bmg = bmg_deadlines(scope.readable_partnerships, today)
    open_ = Q(latest_rating__isnull=True) | ~Q(latest_rating=Rating.COMPLETE)
    due_soon = (
        Q(effective_due__gte=today, effective_due__lte=next_bmg.date) & open_
        if next_bmg
        else Q(pk__in=[])
    )
    rows = list(
        Action.objects.visible_to(request.user)
        .with_latest_update()
        .with_effective_due()
        .values("parent", "latest_rating")
        .annotate(
            n=Count("pk"),
            overdue=Count("pk", filter=Q(effective_due__lt=today) & open_),
            due_soon=Count("pk", filter=due_soon),
            to_update=Count("pk", filter=editable_q(request.user) & needs_update_q(since)),
        )
        .order_by()
    )
    to_update = (
        needs_update(Action.objects.editable_by(request.user).for_list(), since)[:TODO_ROWS]
        if scope.can_edit_anything
        else []
    )
    return {
        "heading": "Dashboard",
        "tallies": summary_tallies(rows, linked=scope.readable_partnerships),
        "last_deadline": since,
        "next_bmg": next_bmg,
        "today": today,
        "to_update": list(to_update),
        "to_update_count": sum(row["to_update"] for row in rows),
        "overdue_count": sum(row["overdue"] for row in rows),
        "due_soon_count": sum(row["due_soon"] for row in rows),
        "can_edit": scope.can_edit_anything,
    }


def summary_tallies(rows, linked=None):
    """Fold (parent, rating, n) rows into one Tally per priority, workstream or review.

    Each parent's child names its own summary group (`summary_group`), so this needs no
    knowledge of the workstream and review apps: one query for the parents. Only groups of
    the `linked` partnerships (those the reader reads as a whole) link to their page: a
    shared group's actions elsewhere are counted, but that partnership's pages answer 404.
    """
    parents = ActionParent.objects.filter(pk__in={row["parent"] for row in rows}).select_related(
        "objective__plan",
        "objective__priority",
        "workstream__partnership",
        "recommendation__review",
    )
    group_of = {parent.pk: parent.child.summary_group for parent in parents}
    partnership_of = {parent.pk: parent.partnership_id for parent in parents}
    tallies = {}
    for row in rows:
        kind, key, title, href = group_of[row["parent"]]
        if linked is not None and partnership_of[row["parent"]] not in linked:
            href = ""
        tally = tallies.setdefault((kind, key), Tally(title=title, href=href, kind=kind))
        tally.add(row["latest_rating"], row["n"])
    grouped = {"priority": [], "workstream": [], "review": []}
    for (kind, _key), tally in sorted(tallies.items(), key=lambda item: item[1].title):
        grouped[kind].append(tally)
    return grouped


@login_required
@require_safe
def action_list(request):
    def body_context():
        actions = Action.objects.visible_to(request.user).for_list()
        filterset = ActionFilter(request.GET or None, queryset=actions, user=request.user)
        results = filterset.qs if filterset.is_bound and filterset.is_valid() else actions
        paginator = Paginator(results, PAGE_SIZE)
        page_obj = paginator.get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return {
            "heading": "All actions",
            "filter": filterset,
            "page": page_obj,
            "page_range": paginator.get_elided_page_range(page_obj.number),
            "querystring": query.urlencode(),
            "count": paginator.count,
        }

    body = fragment(request, "action_list", "plans/_action_list_body.html", body_context)
    return render(
        request,
        "plans/fragment_page.html",
        page(request, "All actions", nav="plans:action_list", body=body),
    )


@login_required
@require_safe
def action_export(request, fmt):
    """The filtered action list as CSV or XLSX (cells neutralised against formulas)."""
    if fmt not in {"csv", "xlsx"}:
        raise Http404("Choose CSV or XLSX")
    actions = Action.objects.visible_to(request.user).for_list()
    filterset = ActionFilter(request.GET or None, queryset=actions, user=request.user)
    results = filterset.qs if filterset.is_bound and filterset.is_valid() else actions
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        export.write_csv(results, response)
    else:
        buffer = io.BytesIO()
        export.write_xlsx(results, buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    audit.record("export_download", request, format=fmt, filtered=bool(request.GET))
    response["Content-Disposition"] = f'attachment; filename="actions-{stamp}.{fmt}"'
    return response


def edit_token(action):
    """What the editor saw: the latest update and the latest change of the action.

    Saved with the form and compared on save, so a second editor's save never silently
    overwrites the first (no lost updates) without keeping any state on the server.
    """
    last_update = action.updates.order_by("-pk").values_list("pk", flat=True).first() or 0
    last_change = (
        action.history.order_by("-history_id").values_list("history_id", flat=True).first() or 0
    )
    return f"{last_update}.{last_change}"


def field_changes(action):
    """Field-level history, newest first: who, when, and each field's old > new value."""
    skip = {"updated_at", "created_at"}
    records = list(action.history.select_related("history_user").order_by("history_id"))
    changes = []
    previous = None
    for record in records:
        if previous is None:
            entry = {"record": record, "created": True, "changes": []}
        else:
            delta = record.diff_against(
                previous, excluded_fields=["lead_groups", "lead_agencies", "lead_users"]
            )
            diffs = [c for c in delta.changes if c.field not in skip]
            if not diffs:
                previous = record
                continue
            entry = {
                "record": record,
                "created": False,
                "changes": [
                    {
                        "field": Action._meta.get_field(c.field).verbose_name,
                        "old": c.old,
                        "new": c.new,
                    }
                    for c in diffs
                ],
            }
        changes.append(entry)
        previous = record
    return list(reversed(changes))


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
        "today": timezone.localdate(),
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


def save_update(request, action, form, corrects=None):
    """Store one update, or a correction of `corrects`, and any revised due date for
    `action`; history records the user."""
    data = form.cleaned_data
    update = action.record_update(
        rating=data["rating"], comment=data["comment"], by=request.user, corrects=corrects
    )
    if form.changes_due_date:
        action.revised_due_date = data["revised_due_date"]
        action.revision_reason = data["revision_reason"]
        action.save(update_fields=["revised_due_date", "revision_reason", "updated_at"])
    return update


def conflicting_update(action, seen):
    """The other person's latest update when the action changed since `seen`, else None."""
    if not seen or seen == edit_token(action):
        return None
    return action.updates.select_related("author").order_by("-pk").first() or action


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
    }
    conflict = None
    if request.method == "POST":
        form = UpdateForm(request.POST, **form_kwargs)
        if form.is_valid():
            conflict = conflicting_update(action, form.cleaned_data["seen"])
            if conflict is None:
                save_update(request, action, form, corrects)
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
                "rating": corrects.rating if corrects else None,
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
@require_http_methods(["GET", "POST"])
def my_actions(request):
    """Every action the user may update, one form each, saved in one go."""
    scope = scope_for(request.user)
    today = timezone.localdate()
    since, next_bmg = bmg_deadlines(scope.readable_partnerships, today)
    actions = list(Action.objects.editable_by(request.user).for_list())
    show_all = request.GET.get("show") == "all"
    if not show_all and request.method == "GET":
        pending = set(
            needs_update(Action.objects.editable_by(request.user).for_list(), since).values_list(
                "pk", flat=True
            )
        )
        actions = [a for a in actions if a.pk in pending]
    tokens = edit_tokens(actions)

    def make_form(action, data=None):
        return QuickUpdateForm(
            data,
            prefix=f"a{action.pk}",
            initial={"seen": tokens[action.pk]},
            current_rating=action.latest_rating,
            subject=f"action {action.display_ref}",
        )

    if request.method == "POST":
        # Each action once, in the order sent: a repeated id must not save twice.
        ids = list(dict.fromkeys(int(pk) for pk in request.POST.getlist("action") if pk.isdigit()))
        editable = {
            a.pk: a
            for a in Action.objects.editable_by(request.user)
            .for_list()
            .filter(pk__in=ids)
            .select_for_update(of=("self",))
        }
        if len(editable) != len(ids):
            # 404 for an action the user cannot even read; 403 for one they only read.
            readable = Action.objects.visible_to(request.user).filter(pk__in=ids).count()
            if readable != len(ids):
                raise Http404("No such action")
            raise PermissionDenied("You can read these actions but not update them all.")
        actions = [editable[pk] for pk in ids]
        tokens = edit_tokens(actions)
        rows = [(a, make_form(a, request.POST)) for a in actions]
        valid = all(form.is_valid() for _a, form in rows)
        conflicts = []
        if valid:
            for action, form in rows:
                if form.has_update and conflicting_update(action, form.cleaned_data["seen"]):
                    form.add_error(
                        None, "Someone else updated this action since you opened the page"
                    )
                    conflicts.append(action)
            valid = not conflicts
        if valid:
            with transaction.atomic():
                saved = [save_update(request, a, f) for a, f in rows if f.has_update]
            if saved:
                messages.success(
                    request, f"{len(saved)} update{'s' if len(saved) != 1 else ''} saved"
                )
            else:
                messages.info(
                    request,
                    "No updates to save: choose a rating for each action you want to update",
                )
            return redirect("plans:my_actions")
    else:
        rows = [(a, make_form(a)) for a in actions]

    errors = [(form, action) for action, form in rows if form.errors]
    title = "My actions" if not errors else "Error: My actions"
    context = {
        "rows": rows,
        "errors": errors,
        "show_all": show_all,
        "last_deadline": since,
        "next_bmg": next_bmg,
    }
    return render(
        request, "plans/my_actions.html", page(request, title, nav="plans:my_actions", **context)
    )


def edit_tokens(actions):
    """edit_token() for many actions in two queries."""
    ids = [a.pk for a in actions]
    last_update = dict(
        RagUpdate.objects.filter(action__in=ids)
        .values("action")
        .annotate(last=Max("pk"))
        .values_list("action", "last")
    )
    last_change = dict(
        Action.history.filter(id__in=ids)
        .values("id")
        .annotate(last=Max("history_id"))
        .values_list("id", "last")
    )
    return {pk: f"{last_update.get(pk, 0)}.{last_change.get(pk, 0)}" for pk in ids}


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
    }
    return render(
        request, "plans/plan_list.html", page(request, "Plans", nav="plans:plan_list", **context)
    )


@login_required
@require_safe
def plan_detail(request, slug):
    """The business plan in the layout of its source document (seed 004's columns)."""
    scope = scope_for(request.user)
    plan = get_object_or_404(
        Plan.objects.select_related("partnership"),
        slug=slug,
        archived_at=None,
        partnership__in=scope.readable_partnerships,
    )
    actions = (
        Action.objects.for_list()
        .filter(parent__objective__plan=plan)
        .order_by("parent__objective__number", "position")
    )
    objectives = {}
    for action in actions:
        objectives.setdefault(action.parent.objective, []).append(action)
    context = {
        "plan": plan,
        "can_archive": scope.is_officer_of(plan.partnership_id),
        "priorities": list(plan.priorities.all()),
        "cohorts": list(plan.focus_cohorts.all()),
        "objectives": list(objectives.items()),
    }
    return render(
        request,
        "plans/plan_detail.html",
        page(request, plan.title, partnership=plan.partnership, **context),
    )
