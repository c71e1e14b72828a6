"""A realistic performance data set for NCSCP, for the demo (`manage.py load_demo_performance`).

The measures are the kind the seeds describe: the annual report (seed 002) tells of "a
performance framework/data set agreed ... against which to manage performance and to identify
trends and issues", overseen by the QA subgroup and disrupted when the local authority changed
its case-management system, of child protection plans, reviews within timescale, CSE and the
MASE panel, children who go missing, and CP-IS delayed in the Emergency Department. The
figures are invented: eight quarters ending with the last complete one (and twelve months of
one monthly measure), with the gaps a system change leaves. No child is named or counted
individually.

Each value is saved as if entered three weeks after its period ended, so packs for the demo's
past BMG meetings show the data set as it stood then.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from plans.models import Agency, Group, Objective, Partnership

from . import periods
from .models import DataSet, Measure

CITY = "Nottingham City Council"
POLICE = "Nottinghamshire Police"
NUH = "Nottingham University Hospitals NHS Trust"
SYSTEM = "Not reported: the report was being rebuilt in the new case-management system"
ENTERED_AFTER = timedelta(days=21)

# name, definition, owner agency, unit, higher is better, target, amber, objective numbers,
# values oldest first (a string: missing, with that reason).
MEASURES = [
    (
        "Re-referrals to children's social care within 12 months",
        "Referrals in the quarter about a child referred before in the previous 12 months, as "
        "a percentage of all referrals. From the children's social care system.",
        CITY,
        "percent",
        False,
        "20",
        "23",
        [2],
        ["22.4", "21.8", "20.9", SYSTEM, "23.6", "21.2", "19.8", "18.9"],
    ),
    (
        "Single assessments completed within 45 working days",
        "Assessments completed in the quarter within 45 working days of the referral, as a "
        "percentage of all assessments completed.",
        CITY,
        "percent",
        True,
        "85",
        "75",
        [2],
        ["78.5", "81.2", "84.0", SYSTEM, "71.3", "79.6", "86.1", "88.4"],
    ),
    (
        "Initial child protection conferences within 15 working days",
        "Initial conferences held within 15 working days of the strategy discussion that "
        "started the enquiry, as a percentage of all initial conferences in the quarter.",
        CITY,
        "percent",
        True,
        "90",
        "80",
        [2],
        ["82.0", "85.5", "91.2", "88.0", "76.4", "84.9", "90.3", "92.6"],
    ),
    (
        "Child protection plans lasting two years or more",
        "Plans ended in the quarter that had lasted two years or more, as a percentage of all "
        "plans ended.",
        CITY,
        "percent",
        False,
        "3",
        "5",
        [7],
        ["2.1", "1.7", "2.4", "3.1", "3.8", "2.9", "2.2", "1.9"],
    ),
    (
        "Children subject to a plan for a second or subsequent time",
        "Children starting a child protection plan in the quarter who had been subject to a "
        "plan before, as a percentage of all plans started.",
        CITY,
        "percent",
        False,
        "18",
        "22",
        [7],
        ["19.5", "17.2", "16.8", "21.4", "23.1", "20.6", "18.4", "17.9"],
    ),
    (
        "Child protection reviews held within timescale",
        "Review conferences in the quarter held within the statutory timescale, as a "
        "percentage of all review conferences.",
        CITY,
        "percent",
        True,
        "95",
        "90",
        [11],
        ["97", "96", "98", "94", "91", "95", "97", "98"],
    ),
    (
        "Return home interviews offered within 72 hours",
        "Episodes of a child in care going missing after which a return home interview was "
        "offered within 72 hours of the child's return, as a percentage of all such episodes.",
        CITY,
        "percent",
        True,
        "90",
        "80",
        [1],
        ["74.0", "79.5", "83.2", "81.0", "86.7", "88.1", "91.4", "89.6"],
    ),
    (
        "Children discussed at the MASE panel",
        "Children and young people discussed at the Multi-Agency Sexual Exploitation panel in "
        "the quarter (from the police CaROSE list). Watched for its trend: more may mean "
        "better recognition as well as more risk.",
        POLICE,
        "number",
        None,
        None,
        None,
        [5],
        ["38", "42", "45", "51", "47", "53", "49", "56"],
    ),
    (
        "Emergency Department attendances where CP-IS was checked",
        "Attendances of under-18s at the Emergency Department where the Child Protection "
        "Information Sharing system was checked, as a percentage of all such attendances.",
        NUH,
        "percent",
        True,
        "95",
        "85",
        [1],
        [
            "Not reported: CP-IS not yet live in the Emergency Department",
            "Not reported: CP-IS not yet live in the Emergency Department",
            "62.5",
            "78.9",
            "85.2",
            "90.7",
            "93.1",
            "96.0",
        ],
    ),
    (
        "Practitioners attending multi-agency safeguarding training",
        "Places taken up on the partnership's multi-agency training courses in the quarter.",
        None,
        "number",
        True,
        "150",
        "120",
        [10],
        ["164", "131", "118", "172", "149", "188", "156", "141"],
    ),
]
MONTHLY = (
    "Missing episodes of children in care",
    "Episodes in the month of a child in care being reported missing to the police, from "
    "the joint missing-children return.",
    POLICE, "number", False, None, None, [1],
    ["61", "58", "66", "72", "69", "64", "57", "55", "60",
     "Not reported: the police return for the month was not received", "52", "49"],
)  # fmt: skip

SAID = {
    "improved": "Better than last period. The QA subgroup noted the improvement and will look "
    "for it to be sustained.",
    "worsened": "Worse than last period. The owner agency will explain the change at the next "
    "QA subgroup and say what it is doing about it.",
}


def _entered(start, frequency, now):
    end = periods.shift(start, frequency, 1)
    when = timezone.make_aware(datetime.combine(end, time(10, 0))) + ENTERED_AFTER
    return min(when, now - timedelta(minutes=5))


def _make_measure(partnership, spec, position, frequency, since, officer):
    name, definition, agency, unit, higher, target, amber, objectives, _ = spec
    measure = Measure(
        partnership=partnership,
        name=name,
        definition=definition,
        owner_agency=Agency.objects.filter(name=agency).first() if agency else None,
        unit=unit,
        higher_is_better=higher,
        target=target,
        amber_threshold=amber,
        frequency=frequency,
        position=position,
    )
    measure._history_user = officer
    measure._history_date = since
    measure.save()
    found = Objective.objects.filter(partnership=partnership, number__in=objectives)
    measure.objectives.set(found.filter(plan__archived_at=None))
    return measure


def _values(measure, texts, starts, officer, now):
    before = None
    for start, text in zip(starts, texts, strict=True):
        value = None if text.startswith("Not reported") else text
        commentary = ""
        if value is not None and before is not None and measure.higher_is_better is not None:
            improved = (float(value) > float(before)) == measure.higher_is_better
            commentary = SAID["improved" if improved else "worsened"] if value != before else ""
        row = measure.values.model(
            measure=measure,
            period_start=start,
            value=value,
            missing_reason=text if value is None else "",
            commentary=commentary,
            entered_by=officer,
        )
        row._history_user = officer
        row._history_date = _entered(start, measure.frequency, now)
        row.save()
        before = value if value is not None else before


@transaction.atomic
def load_performance(short_name="NCSCP"):
    """NCSCP's demo data set; measures already there (by name) are left alone."""
    partnership = Partnership.objects.get(short_name=short_name)
    officer = get_user_model().objects.filter(username="officer").first()
    now = timezone.now()
    today = timezone.localdate()
    qa = Group.objects.filter(slug=f"{short_name.lower()}-childrens-qa").first()
    DataSet.objects.get_or_create(partnership=partnership, defaults={"lead_group": qa})
    quarters = list(reversed(periods.recent(periods.QUARTER, today, 9)[1:]))
    months = list(reversed(periods.recent(periods.MONTH, today, 13)[1:]))
    since = timezone.make_aware(datetime.combine(quarters[0], time(9, 0)))
    made = []
    specs = [(spec, periods.QUARTER, quarters) for spec in MEASURES]
    specs.append((MONTHLY, periods.MONTH, months))
    for position, (spec, frequency, starts) in enumerate(specs, start=1):
        if Measure.objects.filter(partnership=partnership, name=spec[0]).exists():
            continue
        measure = _make_measure(partnership, spec, position, frequency, since, officer)
        _values(measure, spec[-1], starts, officer, now)
        made.append(measure)
    return made
