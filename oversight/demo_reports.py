"""Demo highlight reports and BMG decisions (called by load_demo), so the demo's meeting pages
and packs show both: reports for the last BMG meeting (two groups missing), decisions of the
meeting before it whose actions were updated in the cycle, and decisions of the last meeting
that the coming meeting's draft pack reports back on. Dated as they would have been saved."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from plans.models import Agency, Group, Partnership, Rating
from plans.updates import record_update

from .cycle import bmg_meetings
from .decisions import record_decision
from .models import HighlightReport

MARK = "[Demo] "

REPORTS = {
    "ncscp-childrens-qa": {
        "progress": "Quarterly Early Help Assessment report received and scrutinised; the "
        "multi-agency audit of neglect cases completed (12 cases, 6 agencies).",
        "risks": "Two agencies returned Section 11 audits late; the private fostering data "
        "still comes from one source only.",
        "escalations": "Health partners' attendance at the subgroup has dropped to half.",
        "asks": "BMG to write to the ICB about a named representative for the subgroup.",
    },
    "ncscp-learning-improvement": {
        "progress": "Signs of Safety training delivered to 140 practitioners; the learning "
        "briefing from the last rapid review was sent to every partner.",
        "risks": "The training budget for next year is not agreed.",
        "escalations": "",
        "asks": "Agree the training budget at the next meeting.",
    },
    "ncscp-cdop": {
        "progress": "Panel met twice; the annual report is drafted.",
        "risks": "",
        "escalations": "",
        "asks": "",
    },
    "csecag": {
        "progress": "Cross-authority CSE work plan on track: the return interview audit is done.",
        "risks": "Police data sharing agreement expires next quarter.",
        "escalations": "",
        "asks": "Partners to renew the data sharing agreement before it expires.",
    },
}

# (decision, needs doing, action, lead group slug or None, lead agency name or None, days due
# after the meeting)
DECISIONS = [
    (
        "Health representation on the Children's QA subgroup to be raised with the ICB.",
        True,
        "Write to the ICB asking for a named representative on the subgroup.",
        "ncscp-bmg",
        None,
        30,
    ),
    (
        "The Section 11 audit timetable is agreed, returns due in eight weeks.",
        True,
        "Chase the Section 11 returns outstanding and report the position to BMG.",
        "ncscp-childrens-qa",
        None,
        56,
    ),
    ("The annual report of the partnership is approved for publication.", False, "", None, None, 0),
]


def at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def load_demo_reports(users):
    """Reports and decisions for the demo's NCSCP BMG meetings; nothing if already there."""
    ncscp = Partnership.objects.get(short_name="NCSCP")
    today = timezone.localdate()
    past = list(bmg_meetings(ncscp).filter(date__lt=today).order_by("date"))
    if len(past) < 2 or HighlightReport.objects.filter(meeting__in=past).exists():
        return 0
    earlier, last = past[-2], past[-1]
    count = 0
    for slug, fields in REPORTS.items():
        group = Group.objects.get(slug=slug)
        by = users["chair"] if slug == "ncscp-childrens-qa" else users["officer"]
        report = HighlightReport(meeting=last, group=group, **marked(fields))
        report._history_date = at(last.update_deadline - timedelta(days=4))
        report.save_by(by)
        count += 1
    for meeting, rated in ((earlier, last.update_deadline - timedelta(days=6)), (last, None)):
        count += record_decisions(meeting, ncscp, users["officer"], rated)
    return count


def marked(fields):
    return {name: MARK + text if text else "" for name, text in fields.items()}


def record_decisions(meeting, partnership, officer, rated_on):
    """The meeting's decisions, recorded two days after it; their actions rated on `rated_on`
    (when given) by the officer, so the next pack shows a rating and a comment."""
    for index, (text, needs, action_text, group, agency, days) in enumerate(DECISIONS):
        data = {
            "text": MARK + text,
            "needs_action": "yes" if needs else "no",
            "action_text": MARK + action_text if action_text else "",
            "lead_group": Group.objects.get(slug=group) if group else None,
            "lead_agency": Agency.objects.get(name=agency) if agency else None,
            "due_date": meeting.date + timedelta(days=days),
        }
        decision = record_decision(
            meeting, partnership, data, by=officer, at=at(meeting.date + timedelta(days=2))
        )
        action = decision.actions.first()
        if action is not None and rated_on is not None:
            rating = Rating.GREEN if index else Rating.AMBER
            record_update(
                action,
                rating=rating,
                by=officer,
                comment=MARK + ("Letter sent; reply awaited." if not index else "On track."),
                as_of=rated_on,
                is_demo=True,
                saved_at=at(rated_on),
            )
    return len(DECISIONS)
