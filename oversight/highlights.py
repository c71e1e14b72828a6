"""Sub-group highlight reports to BMG: which groups owe one for a meeting, and who may write
or correct one.

Which groups owe a report follows the group tree (DESIGN.md: "a group reports to a parent
group"): the groups directly under the partnership's BMG other than the Operational Management
Group (sub-groups, panels such as CDOP, the DSL network, working groups), and the sub-groups,
panels and networks of the partnership that sit under no group (a cross-authority group such as
CSECAG, which "will provide regular updates to BMG"). A group under a sub-group (Training under
Learning and Improvement) reports through that sub-group. The business plan's reporting route
for these groups is "Subgroup to BMG" / "Children's QA subgroup report to BMG".

The tree is read from history as it stood at a moment, so a past pack lists the groups that
owed a report then, whatever was reorganised later.
"""

from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone

from plans.access import scope_for
from plans.history import m2m_snapshot_model
from plans.models import Group, Role

from .asof import state_at, versions
from .cycle import cutoff
from .models import Decision, HighlightReport, Meeting

NOT_REPORTING_KINDS = {Group.Kind.BOARD, Group.Kind.BMG, Group.Kind.OMG}
FREE_STANDING_KINDS = {Group.Kind.SUBGROUP, Group.Kind.PANEL, Group.Kind.NETWORK}


def groups_at(moment):
    """{group id: history row} as the groups stood just before `moment`, each row with a
    "partnership_ids" set read from the many-to-many snapshot of that version."""
    rows = state_at(versions(Group.history, moment), moment)
    links = m2m_snapshot_model(Group, "partnerships").objects.filter(
        history_id__in=[row["history_id"] for row in rows.values()]
    )
    by_version = {}
    for history_id, partnership_id in links.values_list("history_id", "partnership_id"):
        by_version.setdefault(history_id, set()).add(partnership_id)
    for row in rows.values():
        row["partnership_ids"] = by_version.get(row["history_id"], set())
    return rows


def owes_report(row, bmg_id, partnership_id):
    if partnership_id not in row["partnership_ids"] or row["kind"] in NOT_REPORTING_KINDS:
        return False
    if row["parent_id"] == bmg_id:
        return True
    return row["parent_id"] is None and row["kind"] in FREE_STANDING_KINDS


def reporting_groups(meeting, partnership, moment=None):
    """[{id, name, slug}] of the groups that owe `meeting` (a BMG meeting) a report, by name,
    as the group tree stood at `moment` (now when None)."""
    rows = groups_at(moment or timezone.now())
    owing = [
        {"id": pk, "name": row["name"], "slug": row["slug"]}
        for pk, row in rows.items()
        if owes_report(row, meeting.group_id, partnership.pk)
    ]
    return sorted(owing, key=lambda group: group["name"].lower())


@dataclass
class Permission:
    """May this person write this group's report now, and would it be a correction?"""

    allowed: bool
    correction: bool = False
    reason: str = ""


def deadline_passed(meeting, now=None):
    return (now or timezone.now()) >= cutoff(meeting.update_deadline)


def chairs(user, group):
    return Role.objects.filter(user=user, kind=Role.Kind.CHAIR, group=group).exists()


def permission(user, meeting, partnership, group, now=None):
    """Chairs of the group write until the end of the update deadline day; board officers and
    administrators of the partnership write before it and correct after it."""
    passed = deadline_passed(meeting, now)
    if scope_for(user).is_officer_of(partnership.pk):
        return Permission(True, correction=passed)
    if not chairs(user, group):
        return Permission(False, reason="Only the group's chair or a board officer can write it.")
    if passed:
        return Permission(
            False,
            reason="The update deadline has passed: ask a board officer to correct the report.",
        )
    return Permission(True)


def report_status(meeting, partnership, user=None):
    """The meeting page's list: [{id, name, slug, report, changed_at, can_write, mine}] for
    every group that owes a report now (`report` None while it is missing; `changed_at` from
    its history); `mine`: the user chairs it and may still write it."""
    owing = reporting_groups(meeting, partnership)
    reports = {
        report.group_id: report
        for report in HighlightReport.objects.filter(meeting=meeting).select_related("group")
    }
    changed = dict(
        HighlightReport.history.filter(meeting_id=meeting.pk)
        .values("group_id")
        .annotate(last=Max("history_date"))
        .values_list("group_id", "last")
    )
    officer = user is not None and scope_for(user).is_officer_of(partnership.pk)
    chaired = set()
    if user is not None and not deadline_passed(meeting):
        chaired = set(
            Role.objects.filter(user=user, kind=Role.Kind.CHAIR).values_list("group_id", flat=True)
        )
    return [
        {
            **group,
            "report": reports.get(group["id"]),
            "changed_at": changed.get(group["id"]),
            "can_write": officer or group["id"] in chaired,
            "mine": group["id"] in chaired,
        }
        for group in owing
    ]


def meeting_reports_context(user, meeting, partnership):
    """What a BMG meeting's page shows of its highlight reports and decisions."""
    if meeting.group.kind != Group.Kind.BMG:
        return {}
    rows = report_status(meeting, partnership, user)
    return {
        "show_reports": True,
        "reports": rows,
        "reports_missing": [row for row in rows if row["report"] is None],
        "reports_due_here": [
            {"meeting": meeting, "name": row["name"], "slug": row["slug"]}
            for row in rows
            if row["mine"] and row["report"] is None
        ],
        "decision_count": Decision.objects.filter(meeting=meeting).count(),
    }


def reports_due_for(user, today=None):
    """[{meeting, name, slug}]: the highlight reports `user` chairs a group for that are due
    to a coming BMG meeting (deadline not passed) and not yet written, for My actions."""
    chaired = dict(
        Role.objects.filter(user=user, kind=Role.Kind.CHAIR).values_list(
            "group_id", "partnership_id"
        )
    )
    if not chaired:
        return []
    today = today or timezone.localdate()
    readable = scope_for(user).readable_partnerships
    meetings = (
        Meeting.objects.filter(
            group__kind=Group.Kind.BMG,
            group__partnerships__in=readable,
            update_deadline__gte=today,
        )
        .select_related("group")
        .order_by("date")
    )
    next_of = {}
    for meeting in meetings.prefetch_related("group__partnerships"):
        for partnership in meeting.group.partnerships.all():
            if partnership.pk in readable:
                next_of.setdefault(partnership.pk, (meeting, partnership))
    if not next_of:
        return []
    groups = groups_at(timezone.now())
    written = set(
        HighlightReport.objects.filter(
            meeting__in=[meeting for meeting, _ in next_of.values()], group__in=list(chaired)
        ).values_list("meeting_id", "group_id")
    )
    due = []
    for meeting, partnership in next_of.values():
        for pk in chaired:
            row = groups.get(pk)
            owed = row and owes_report(row, meeting.group_id, partnership.pk)
            if owed and (meeting.pk, pk) not in written:
                due.append({"meeting": meeting, "name": row["name"], "slug": row["slug"]})
    return due
