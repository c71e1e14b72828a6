"""Sub-group highlight reports to a BMG meeting and BMG's decisions log.

Who may do what (plans/access.py for reading; oversight/highlights.py for the deadline):
- Any role in the partnership reads a meeting's reports and its decisions log.
- A group's chair writes its report for a BMG meeting until the end of the update deadline
  day; board officers and administrators write it before and correct it after (each
  correction is marked as such in its history). Others who read it: 403.
- Board officers and administrators record and change decisions (403 for other readers).
- Another partnership's meeting: 404; a group that owes the meeting no report: 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from plans.access import get_managed, scope_for
from plans.changes import changes_of, latest
from plans.models import Action, Group
from plans.pages import page
from plans.views.editing import form_page

from ..decisions import record_decision
from ..forms_reports import DecisionForm, HighlightReportForm
from ..highlights import deadline_passed, permission, reporting_groups
from ..models import Decision, HighlightReport
from .meetings import get_meeting_for_user, has_pack

EDIT = ["GET", "POST"]


def meeting_crumbs(meeting):
    return [
        (reverse("oversight:meeting_list"), "Meetings and packs"),
        (reverse("oversight:meeting_detail", args=[meeting.pk]), str(meeting)),
    ]


def get_bmg_meeting(request, pk):
    meeting, partnership = get_meeting_for_user(request, pk)
    if not has_pack(meeting):
        raise Http404(
            "Highlight reports and decisions belong to Business Management Group meetings"
        )
    return meeting, partnership


def get_reporting_group(meeting, partnership, slug):
    """The group, if it owes this meeting a report; else 404."""
    owing = {group["slug"]: group["id"] for group in reporting_groups(meeting, partnership)}
    if slug not in owing:
        raise Http404("That group owes this meeting no highlight report")
    return Group.objects.get(pk=owing[slug])


def report_history(report):
    """[{when, who, what, fields, correction}] newest first: each save of the report, with
    the person and, for an officer's change after the deadline, the correction mark."""
    records = list(report.history.select_related("history_user").order_by("history_date"))
    fields = [("progress", "progress"), ("risks", "risks")]
    fields += [("escalations", "escalations"), ("asks", "asks of BMG")]
    rows, before = [], None
    for record in records:
        changed = [
            label
            for name, label in fields
            if before and getattr(record, name) != getattr(before, name)
        ]
        rows.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "what": "Written" if before is None else "Changed",
                "fields": changed,
                "correction": record.history_change_reason == HighlightReport.CORRECTION,
            }
        )
        before = record
    return list(reversed(rows))


@login_required
@require_safe
def report_detail(request, pk, group):
    meeting, partnership = get_bmg_meeting(request, pk)
    group = get_reporting_group(meeting, partnership, group)
    report = HighlightReport.objects.filter(meeting=meeting, group=group).first()
    allowed = permission(request.user, meeting, partnership, group)
    context = {
        "meeting": meeting,
        "group": group,
        "report": report,
        "history": report_history(report) if report else [],
        "permission": allowed,
        "deadline_passed": deadline_passed(meeting),
        "breadcrumbs": [*meeting_crumbs(meeting), ("", group.name)],
    }
    title = f"{group.name}: highlight report"
    return render(
        request,
        "oversight/meetings/highlight_report.html",
        page(request, title, partnership=partnership, nav="oversight:meeting_list", **context),
    )


@login_required
@require_http_methods(EDIT)
def report_write(request, pk, group):
    meeting, partnership = get_bmg_meeting(request, pk)
    group = get_reporting_group(meeting, partnership, group)
    allowed = permission(request.user, meeting, partnership, group)
    if not allowed.allowed:
        raise PermissionDenied(allowed.reason)
    report = HighlightReport.objects.filter(meeting=meeting, group=group).first()
    form = HighlightReportForm(
        request.POST or None, instance=report or HighlightReport(meeting=meeting, group=group)
    )
    link = reverse("oversight:report_detail", args=[meeting.pk, group.slug])
    if request.method == "POST" and form.is_valid():
        form.instance.save_by(request.user, correction=allowed.correction)
        word = "correction" if allowed.correction else "highlight report"
        messages.success(request, f"The {group.name} {word} is saved")
        return redirect(link)
    intro = (
        "The update deadline has passed: your change is recorded as a correction by a board "
        "officer, and the pack as at the deadline keeps the report as it stood then."
        if allowed.correction
        else f"You can change it until the end of {meeting.update_deadline:%-d %B %Y}, the "
        "update deadline; the pack prints it as it stands then."
    )
    return form_page(
        request,
        form,
        "Correct the highlight report" if allowed.correction else "Write the highlight report",
        partnership=partnership,
        crumbs=[*meeting_crumbs(meeting), (link, group.name)],
        caption=f"{group.name}, for {meeting}",
        intro=intro,
        button="Save the correction" if allowed.correction else "Save the report",
        cancel_url=link,
    )


# -- The decisions log ---------------------------------------------------------------------


@login_required
@require_safe
def decision_log(request, pk):
    meeting, partnership = get_bmg_meeting(request, pk)
    decisions = list(Decision.objects.filter(meeting=meeting).for_log())
    records = Decision.history.filter(meeting_id=meeting.pk).select_related("history_user")
    action_records = Action.history.filter(
        parent_id__in=[decision.pk for decision in decisions] or [0]
    ).select_related("history_user")
    changes = latest(
        changes_of(records, lambda record: f"Decision {record.number}"),
        changes_of(action_records, lambda record: f"Action {record.ref}"),
    )
    context = {
        "meeting": meeting,
        "decisions": decisions,
        "changes": changes,
        "is_officer": scope_for(request.user).is_officer_of(partnership.pk),
        "breadcrumbs": [*meeting_crumbs(meeting), ("", "Decisions and actions")],
    }
    return render(
        request,
        "oversight/meetings/decision_log.html",
        page(
            request,
            f"Decisions and actions, {meeting.date:%-d %B %Y}",
            partnership=partnership,
            nav="oversight:meeting_list",
            **context,
        ),
    )


def _decision_page(request, form, meeting, partnership, title, decision=None):
    log = reverse("oversight:decision_log", args=[meeting.pk])
    if request.method == "POST" and form.is_valid():
        decision = record_decision(
            meeting, partnership, form.cleaned_data, by=request.user, decision=decision
        )
        messages.success(request, f"Decision {decision.number} is saved")
        return redirect(decision.log_url)
    return form_page(
        request,
        form,
        title,
        partnership=partnership,
        crumbs=[*meeting_crumbs(meeting), (log, "Decisions and actions")],
        caption=str(meeting),
        intro="A decision that needs doing becomes a tracked action: its lead updates it like "
        "any other, and it comes back in the next meeting's pack.",
        cancel_url=log,
    )


@login_required
@require_http_methods(EDIT)
def decision_add(request, pk):
    meeting, partnership = get_bmg_meeting(request, pk)
    if not scope_for(request.user).is_officer_of(partnership.pk):
        raise PermissionDenied("Only board officers and administrators record decisions.")
    form = DecisionForm(request.POST or None, partnership=partnership)
    return _decision_page(request, form, meeting, partnership, "Record a decision")


@login_required
@require_http_methods(EDIT)
def decision_edit(request, pk):
    decision = get_managed(
        request, Decision.objects.select_related("meeting__group", "partnership"), pk=pk
    )
    form = DecisionForm(request.POST or None, partnership=decision.partnership, decision=decision)
    title = f"Change decision {decision.number}"
    return _decision_page(request, form, decision.meeting, decision.partnership, title, decision)
