"""The pack's highlight reports: each sub-group's report to this meeting as it stood at the
pack's moment, and the groups that owed one and had not sent it by then.

Read from history (the reports' and the group tree's), like the rest of the pack, so a pack
for a past meeting prints the reports as they were at its deadline: a correction an officer
made after the deadline shows only in a pack taken as at a later day, marked as a correction.
"""

from plans.models import Group

from .asof import state_at, versions
from .highlights import reporting_groups
from .models import HighlightReport


def reports_section(meeting, partnership, moment):
    """{"reports": [row...], "missing": [group name...], "owing": n} as at `moment`."""
    owing = reporting_groups(meeting, partnership, moment)
    names = {group["id"]: group["name"] for group in owing}
    rows = versions(HighlightReport.history, moment, meeting_id=meeting.pk)
    state = state_at(rows, moment)
    corrected = {
        row["id"] for row in rows if row["history_change_reason"] == HighlightReport.CORRECTION
    }
    reports = [
        {
            "group": names.get(row["group_id"]) or _group_name(row["group_id"]),
            "progress": row["progress"],
            "risks": row["risks"],
            "escalations": row["escalations"],
            "asks": row["asks"],
            "corrected": row["id"] in corrected,
            "written_on": row["history_date"],
        }
        for row in state.values()
    ]
    reports.sort(key=lambda report: report["group"].lower())
    received = {row["group_id"] for row in state.values()}
    missing = [group["name"] for group in owing if group["id"] not in received]
    return {"reports": reports, "missing": missing, "owing": len(owing)}


def _group_name(pk):
    """A report from a group that no longer owes one (moved in the tree): its name now."""
    return Group.objects.filter(pk=pk).values_list("name", flat=True).first() or "A group"
