"""A realistic risk register for NCSCP, for the demo (`manage.py load_demo_risks`).

The risks are the ones the seeds point at: the business plan is "monitored three times per year
by the NCSCP Business Management Group" along with the risk register (seed 004); the annual
report (seed 002) tells of a performance data set disrupted by a case-management system change,
of CP-IS "go live" delayed and held on the CCG's own risk register, and of partners' capacity.
Dates are relative to today, on the demo's BMG cycle, so the register always looks mid-cycle.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from plans.history import recorded_on
from plans.models import Action, Agency, Group, Partnership

from .models import Risk, RiskAppetite, RiskReview

# Days from today of the demo's two past BMG meetings (oversight's load_demo, BMG_OFFSETS).
PAST_BMGS = (-179, -60)
NEXT_BMG = 28
# The register was entered a month before the first of those meetings' update deadlines, so
# every pack of the demo's cycles shows it.
ENTERED = PAST_BMGS[0] - 45
CITY = "Nottingham City Council"
CCG = "NHS Nottingham City Clinical Commissioning Group"

# reference, title, description, cause, effect, owner as written, group slug, agency name,
# controls, (likelihood, impact) before controls, residual at the first BMG, residual at the
# second BMG (None: not reviewed then), words that find linked actions.
RISKS = [
    (
        "R1",
        "Case-management system change disrupts the performance data set",
        "The multi-agency performance data set agreed in 2016 cannot be produced in full while "
        "the local authority moves to a new case-management system.",
        "Reports not yet rebuilt in the new system; data fields mapped differently.",
        "BMG and the Children's QA subgroup cannot see trends in referrals, re-referrals and "
        "child protection plans, so problems in practice are found late.",
        "Children's QA subgroup",
        "ncscp-childrens-qa",
        CITY,
        "Interim manual returns from partners; performance lead attends the QA subgroup; "
        "system supplier's report build plan monitored monthly.",
        (5, 4),
        (4, 4),
        (4, 4),
        "performance",
    ),
    (
        "R2",
        "Partners lack capacity to attend subgroups and panels",
        "Agencies cannot release staff to attend subgroups, audits and review panels.",
        "Vacancies and reorganisation in health and police; competing statutory meetings.",
        "Quorum is lost, audits are delayed and agencies' learning is not shared.",
        "Business Management Group",
        "ncscp-bmg",
        None,
        "Attendance reported to BMG each cycle; deputies named for each subgroup; chairs "
        "escalate persistent non-attendance to the Strategic Board.",
        (4, 4),
        (3, 4),
        (4, 4),
        "attend",
    ),
    (
        "R3",
        "Case reviews are not completed within statutory timescales",
        "Rapid reviews and local child safeguarding practice reviews miss the Working Together "
        "timescales.",
        "Late chronologies from agencies; reviewer availability; parallel criminal processes.",
        "Learning reaches practice late and the national panel challenges the partnership.",
        "Significant Incident Review Group",
        "ncscp-sirg",
        None,
        "Review tracker with statutory clocks; agencies' chronology deadlines agreed at "
        "referral; independent reviewer pool.",
        (4, 5),
        (3, 4),
        (2, 4),
        "review",
    ),
    (
        "R4",
        "Child Protection Information Sharing (CP-IS) does not go live in all settings",
        "Unscheduled care settings cannot see whether a child is subject to a plan or looked "
        "after.",
        "National delays in embedding the system across organisations.",
        "A child presenting at an urgent care setting may not be recognised as at risk.",
        "NHS Nottingham City CCG",
        None,
        CCG,
        "The CCG holds the risk on its own register; revised action plan for 'go live'; "
        "manual checks with children's social care out of hours.",
        (4, 5),
        (3, 5),
        (2, 5),
        "information",
    ),
    (
        "R5",
        "Learning from reviews is not embedded in frontline practice",
        "Recommendations are signed off but practice does not change.",
        "Training reach is uneven; learning briefings not cascaded in all agencies.",
        "The same findings recur in later reviews.",
        "Policy, Procedure, Learning and Improvement subgroup",
        "ncscp-learning-improvement",
        None,
        "Learning briefings; multi-agency audits of implementation; ILOR assurance exercises "
        "reported to BMG.",
        (4, 4),
        (3, 3),
        (3, 3),
        "learning",
    ),
    (
        "R6",
        "Partnership budget does not cover the business plan",
        "Partner contributions do not keep pace with the cost of reviews, training and the "
        "business unit.",
        "Pressure on each partner's budget; more reviews commissioned than planned.",
        "Priorities are delayed or dropped from the plan.",
        "Strategic Board",
        "ncscp-strategic-board",
        None,
        "Budget agreed by the three statutory partners annually; review costs forecast each "
        "quarter.",
        (3, 4),
        (2, 4),
        (3, 4),
        None,
    ),
    (
        "R7",
        "Children missing from home or care are not consistently offered return interviews",
        "Return interviews are not offered or completed within 72 hours.",
        "Notification delays between police and children's services; commissioning gaps.",
        "Exploitation risks are not identified early.",
        "Missing work group",
        "ncscp-missing",
        "Nottinghamshire Police",
        "Daily missing notifications; monthly performance report to the Child Exploitation "
        "subgroup.",
        (4, 4),
        (3, 3),
        None,
        "missing",
    ),
    (
        "R8",
        "Schools' designated safeguarding leads do not receive updates on procedure changes",
        "Changes to multi-agency procedures are not known in every school.",
        "Turnover of designated safeguarding leads; academies outside local networks.",
        "Referrals are made on out-of-date thresholds.",
        "DSL Network / Education subgroup",
        "ncscp-dsl-network",
        CITY,
        "Termly DSL network; procedures newsletter; Section 175 audit.",
        (3, 3),
        (2, 3),
        (2, 2),
        "school",
    ),
]

COMMENTARY = {
    "up": "Score raised: the controls have not held this cycle. Owner to report again to BMG.",
    "down": "Score lowered: the actions are having an effect, evidenced in the owner's report.",
    "same": "No change: controls in place; BMG will look again at the next meeting.",
}


def _commentary(before, after):
    if after > before:
        return COMMENTARY["up"]
    return COMMENTARY["down"] if after < before else COMMENTARY["same"]


def _noon(day):
    """Midday on `day` in the partnership's time zone: when the demo says a thing was entered."""
    return timezone.make_aware(datetime.combine(day, time(12)))


def _review(risk, officer, days, score, today):
    """BMG's review at a past meeting, entered that day (so the next pack shows it)."""
    before = risk.residual_score
    on = today + timedelta(days=days)
    with recorded_on(_noon(on), Risk, RiskReview):
        risk.record_review(
            by=officer,
            on=on,
            likelihood=score[0],
            impact=score[1],
            commentary=_commentary(before, score[0] * score[1]),
        )


def _make(partnership, row, officer, today):
    ref, title, description, cause, effect, owner, group, agency, controls = row[:9]
    inherent, first, second, words = row[9:]
    risk = Risk(
        partnership=partnership,
        reference=ref,
        title=title,
        description=description,
        cause=cause,
        effect=effect,
        owner_text=owner,
        owner_group=Group.objects.filter(slug=group).first() if group else None,
        owner_agency=Agency.objects.filter(name=agency).first() if agency else None,
        controls=controls,
        inherent_likelihood=inherent[0],
        inherent_impact=inherent[1],
        residual_likelihood=inherent[0],
        residual_impact=inherent[1],
        next_review_on=today + timedelta(days=NEXT_BMG if second else -7),
    )
    risk._history_user = officer
    with recorded_on(_noon(today + timedelta(days=ENTERED)), Risk):
        risk.save()
        if words:
            found = Action.objects.filter(parent__partnership=partnership, text__icontains=words)
            risk.actions.set(found.order_by("pk")[:2])
    _review(risk, officer, PAST_BMGS[0], first, today)
    if second:
        _review(risk, officer, PAST_BMGS[1], second, today)
    return risk


@transaction.atomic
def load_risks(short_name="NCSCP"):
    """NCSCP's demo register; risks already there (by reference) are left alone."""
    partnership = Partnership.objects.get(short_name=short_name)
    officer = get_user_model().objects.filter(username="officer").first()
    today = timezone.localdate()
    if not RiskAppetite.objects.filter(partnership=partnership).exists():
        with recorded_on(_noon(today + timedelta(days=ENTERED)), RiskAppetite):
            RiskAppetite.set_for(partnership, 12, by=officer)
    made = []
    for row in RISKS:
        if Risk.objects.filter(partnership=partnership, reference=row[0]).exists():
            continue
        made.append(_make(partnership, row, officer, today))
    return made
