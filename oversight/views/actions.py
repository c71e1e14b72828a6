"""The dashboard and All actions with its exports: every source of actions at once
(My actions, the chairs' page, is oversight/views/my_actions.py)."""

import io

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from plans.access import editable_q, scope_for
from plans.listing import summary_groups, with_children
from plans.models import Action, Rating
from plans.pages import page
from plans.rag import Tally
from reviews.models import ReCheck
from safeguarding import audit

from .. import columns, export, sorting
from ..dashboard import partnership_trends, tally_sections
from ..filters import ActionFilter, applied
from ..fragments import fragment
from ..models import Meeting

PAGE_SIZE = 50
TODO_ROWS = 10

# READ_ONLY: the dashboard and All actions write nothing, so they run outside the request's
# transaction (ATOMIC_REQUESTS). On SQLite that transaction begins IMMEDIATE, taking the write
# lock for the whole request, and two workers serving these pages queued behind each other;
# on PostgreSQL it saves the BEGIN and COMMIT, and READ COMMITTED gave each query its own
# snapshot anyway.


def bmg_deadlines(partnership_ids, today, meetings=None):
    """(last passed update deadline, next BMG meeting) across the user's partnerships; from
    `meetings` (bmg_meetings_by_partnership()) when the caller has read them already.

    As in oversight/cycle.py, a deadline has passed once its day is over, and an update dated on
    the deadline day still counts for that deadline's meeting.
    """
    if meetings is None:
        meetings = bmg_meetings_by_partnership(partnership_ids)
    meetings = {meeting.pk: meeting for found in meetings.values() for meeting in found}.values()
    passed = [meeting.update_deadline for meeting in meetings if meeting.update_deadline < today]
    coming = [meeting for meeting in meetings if meeting.date >= today]
    upcoming = min(coming, key=lambda meeting: (meeting.date, meeting.pk), default=None)
    return max(passed, default=None), upcoming


def bmg_meetings_by_partnership(partnership_ids):
    """{partnership id: its BMG meetings, by update deadline then date}, from one query (a
    partnership has a handful of BMG meetings a year)."""
    found = {}
    meetings = (
        Meeting.objects.filter(group__kind="bmg", group__partnerships__in=partnership_ids)
        .select_related("group")
        .annotate(serves=F("group__partnerships"))
        .order_by("update_deadline", "date")
    )
    for meeting in meetings:
        found.setdefault(meeting.serves, []).append(meeting)
    return found


def needs_update_q(since):
    """No update dated after `since` (the last passed deadline; None: no update at all),
    and not complete."""
    stale = Q(latest_as_of__isnull=True)
    if since is not None:
        stale |= Q(latest_as_of__lte=since)
    return stale & (Q(latest_rating__isnull=True) | ~Q(latest_rating=Rating.COMPLETE))


def needs_update(actions, since):
    return actions.filter(needs_update_q(since))


@transaction.non_atomic_requests  # reads only: see READ_ONLY
@login_required
@require_safe
def dashboard(request):
    """Counts by rating per priority, workstream and review, and the user's to-do counts,
    from one aggregate query; then the first of the user's actions that need an update."""
    body = fragment(
        request,
        "dashboard",
        "oversight/_dashboard_body.html",
        lambda: dashboard_context(request),
        per_user=True,
    )
    return render(
        request,
        "oversight/fragment_page.html",
        page(request, "Dashboard", nav="oversight:dashboard", body=body),
    )


def dashboard_context(request):
    scope = scope_for(request.user)
    today = timezone.localdate()
    meetings = bmg_meetings_by_partnership(scope.readable_partnerships)
    since, next_bmg = bmg_deadlines(scope.readable_partnerships, today, meetings)
    rows = list(tally_rows(request.user, today, since, next_bmg))
    to_update_count = sum(row["to_update"] for row in rows)
    # The rows counted the same actions (editable, visible, needing an update): when they
    # found none there is no list to read.
    to_update = (
        with_children(
            needs_update(Action.objects.editable_by(request.user).for_page(), since)[:TODO_ROWS]
        )
        if scope.can_edit_anything and to_update_count
        else []
    )
    tallies = summary_tallies(rows, linked=scope.readable_partnerships)
    return {
        "heading": "Dashboard",
        "tallies": tallies,
        "sections": tally_sections(tallies),
        "trends": partnership_trends(scope, today, meetings),
        "last_deadline": since,
        "next_bmg": next_bmg,
        "today": today,
        "to_update": to_update,
        "to_update_count": to_update_count,
        "overdue_count": sum(row["overdue"] for row in rows),
        "due_soon_count": sum(row["due_soon"] for row in rows),
        "can_edit": scope.can_edit_anything,
        "rechecks_due": list(ReCheck.objects.visible_to(request.user).due(today).for_list()),
    }


def tally_rows(user, today, since, next_bmg):
    """The dashboard's one aggregate: for each parent of the actions `user` reads, its actions
    by rating, overdue, due before `next_bmg` and needing the user's update since `since`."""
    open_ = Q(latest_rating__isnull=True) | ~Q(latest_rating=Rating.COMPLETE)
    due_soon = (
        Q(effective_due__gte=today, effective_due__lte=next_bmg.date) & open_
        if next_bmg
        else Q(pk__in=[])
    )
    return (
        Action.objects.visible_to(user)
        .with_current_rating()
        .with_effective_due()
        .values("parent", "parent__kind")
        .annotate(
            **rating_counts(),
            overdue=Count("parent", filter=Q(effective_due__lt=today) & open_),
            due_soon=Count("parent", filter=due_soon),
            to_update=Count("parent", filter=editable_q(user) & needs_update_q(since)),
        )
        .order_by()
    )


# One count per rating (None: never rated) in each parent's row, so the tallies come from one
# row per parent rather than one per parent and rating. Each counts a column of the
# action_live_by_parent index (parent, never null; Django refuses COUNT(*) with a filter), not
# the id, so PostgreSQL answers from that index alone.
RATING_COUNTS = {f"n_{rating or 'unrated'}": rating for rating in Rating.column_order()}


def rating_counts():
    return {
        name: Count("parent", filter=Q(latest_rating=rating) if rating else Q(latest_rating=None))
        for name, rating in RATING_COUNTS.items()
    }


def summary_tallies(rows, linked=None):
    """Fold per-parent rows (parent, kind and rating_counts()) into one Tally per priority,
    workstream or review.

    Each parent's child names its own summary group (`summary_group`), so this needs no
    knowledge of the workstream and review apps: one query per kind of parent. Only groups of
    the `linked` partnerships (those the reader reads as a whole) link to their page: a
    shared group's actions elsewhere are counted, but that partnership's pages answer 404.
    """
    groups = summary_groups({row["parent"]: row["parent__kind"] for row in rows})
    tallies = {}
    for row in rows:
        partnership, (kind, key, title, href) = groups[row["parent"]]
        if linked is not None and partnership not in linked:
            href = ""
        tally = tallies.setdefault((kind, key), Tally(title=title, href=href, kind=kind))
        for name, rating in RATING_COUNTS.items():
            if row[name]:
                tally.add(rating, row[name])
    grouped = {"priority": [], "workstream": [], "review": []}
    for (kind, _key), tally in sorted(tallies.items(), key=lambda item: item[1].title):
        grouped.setdefault(kind, []).append(tally)
    return grouped


@transaction.non_atomic_requests  # reads only: see READ_ONLY
@login_required
@require_safe
def action_list(request):
    """Every action the reader may see: filtered, sorted by any shown column, in the columns
    the reader chose (oversight/columns.py), a page at a time."""
    shown = columns.shown_for(request.user)

    def body_context():
        actions = Action.objects.visible_to(request.user).for_page()
        filterset = ActionFilter(request.GET or None, queryset=actions, user=request.user)
        results = filterset.qs if filterset.is_bound and filterset.is_valid() else actions
        results = sorting.sorted_actions(results, request.GET.get("sort"))
        paginator = Paginator(results, PAGE_SIZE)
        page_obj = paginator.get_page(request.GET.get("page"))
        page_obj.object_list = with_children(page_obj.object_list)
        query = request.GET.copy()
        query.pop("page", None)
        return {
            "filter": filterset,
            "applied": applied(filterset, query),
            "page": page_obj,
            "page_range": paginator.get_elided_page_range(page_obj.number),
            "querystring": query.urlencode(),
            "headings": sorting.headings(query, request.GET.get("sort"), shown),
            "columns": shown,
            "sort": request.GET.get("sort", ""),
            "count": paginator.count,
        }

    # The chosen columns are part of the fragment's name, so each choice is cached apart.
    body = fragment(
        request,
        "action_list:" + ",".join(shown),
        "oversight/_action_list_body.html",
        body_context,
    )
    return render(
        request,
        "oversight/action_list.html",
        page(
            request,
            "All actions",
            nav="oversight:action_list",
            body=body,
            wide=True,
            columns_field=columns.ColumnsForm.base_fields["columns"],
            column_options=columns.options(shown),
            query=request.GET.urlencode(),
        ),
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
        export.write_xlsx(results, buffer, filters=export.describe_filters(filterset))
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    audit.record("export_download", request, format=fmt, filtered=bool(request.GET))
    response["Content-Disposition"] = f'attachment; filename="actions-{stamp}.{fmt}"'
    return response
