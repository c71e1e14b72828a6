"""The pack's quality-assurance section: audits reported since the previous meeting's update
deadline (with how many findings and recommendations each has), dip tests due, the latest
Section 11 cycle summed up across agencies, and the impact log's entries since that deadline.

Read from the history tables as they stood at the end of the pack's day, so a past pack says
what it said then: an audit reported, a line of enquiry re-rated or an impact logged later is
invisible.
"""

from collections import Counter, defaultdict
from datetime import date, timedelta

from plans.models import Agency
from quality.models import (
    Audit,
    AuditRecommendation,
    Compliance,
    Finding,
    ImpactEntry,
    LineOfEnquiry,
    Section11Cycle,
    SelfAssessment,
    figures_of,
)

from .asof import state_at, versions
from .cycle import cutoff

OPEN = {Audit.Status.PLANNED, Audit.Status.IN_PROGRESS}


def _state(model, moment, **filters):
    """{id: row} of `model` as its history had it just before `moment` (deleted rows out)."""
    return state_at(versions(model.history, moment, **filters), moment)


def _states(model, moment, before, **filters):
    """({id: row} just before `moment`, {id: row} just before the earlier `before`), from one
    read of the history; the second is empty without `before`."""
    rows = versions(model.history, moment, **filters)
    return state_at(rows, moment), state_at(rows, before) if before is not None else {}


def _is_new(day, window, seen_before):
    """For the group since its last meeting: dated in the window (since .. as_of), or dated
    earlier but recorded only after the previous deadline (not `seen_before` by that pack),
    so a late entry is reported once rather than never."""
    since, as_of = window
    if day is None or day > as_of:
        return False
    return since is None or day >= since or not seen_before


def quality_section(partnership, as_of, previous=None):
    """{"since", "reported", "dip_tests", "open_count", "section11", "impact"} at `as_of`."""
    moment = cutoff(as_of)
    before = cutoff(previous.update_deadline) if previous else None
    window = (previous.update_deadline + timedelta(days=1) if previous else None, as_of)
    audits, then = _states(Audit, moment, before, partnership_id=partnership.pk)
    reported = Audit.Status.REPORTED
    shown = [
        row
        for row in audits.values()
        if row["status"] == reported
        and _is_new(row["reported_on"], window, then.get(row["id"], {}).get("status") == reported)
    ]
    return {
        "since": window[0],
        "reported": _reported(shown, moment),
        "dip_tests": _dip_tests(audits, as_of),
        "open_count": sum(1 for row in audits.values() if row["status"] in OPEN),
        "section11": _section11(partnership, moment),
        "impact": _impact(partnership, moment, before, window, audits),
    }


def _reported(shown, moment):
    """The audits reported, with their findings by grade and live recommendations (two more
    queries, only when there is something to count)."""
    if not shown:
        return []
    ids = [row["id"] for row in shown]
    grades = defaultdict(Counter)
    for row in _state(Finding, moment, audit_id__in=ids).values():
        grades[row["audit_id"]][row["grade"]] += 1
    counted = Counter(
        row["audit_id"]
        for row in _state(AuditRecommendation, moment, audit_id__in=ids).values()
        if row["withdrawn_on"] is None
    )
    labels = dict(Finding.Grade.choices)
    return [
        {
            "subject": row["subject"],
            "method": Audit.Method(row["method"]).label,
            "reported_on": row["reported_on"],
            "summary": row["summary"],
            "findings": sum(grades[row["id"]].values()),
            "grades": [
                (labels[grade], grades[row["id"]][grade])
                for grade in Finding.Grade.values
                if grades[row["id"]][grade]
            ],
            "recommendations": counted[row["id"]],
        }
        for row in sorted(shown, key=lambda row: (row["reported_on"], row["id"]))
    ]


def _dip_tests(audits, as_of):
    """Dip tests and follow-ups not yet reported or cancelled, soonest first."""
    due = [
        row
        for row in audits.values()
        if row["status"] in OPEN
        and (row["method"] == Audit.Method.DIP_TEST or row["follow_up_of_id"])
    ]
    return [
        {
            "subject": row["subject"],
            "planned_on": row["planned_on"],
            "timing_text": row["timing_text"],
            "follows": audits.get(row["follow_up_of_id"], {}).get("subject", ""),
            "overdue": bool(row["planned_on"] and row["planned_on"] < as_of),
        }
        for row in sorted(due, key=lambda row: (row["planned_on"] or date.max, row["id"]))
    ]


def _section11(partnership, moment):
    """The latest cycle (by deadline) as it stood: each agency's figures and the totals."""
    cycles = _state(Section11Cycle, moment, partnership_id=partnership.pk)
    if not cycles:
        return None
    cycle = max(cycles.values(), key=lambda row: (row["deadline"] or date.min, row["id"]))
    parents = _state(SelfAssessment, moment, cycle_id=cycle["id"])
    live = {pk: row for pk, row in parents.items() if row["archived_at"] is None}
    ratings = defaultdict(list)
    gaps = []
    for row in _state(LineOfEnquiry, moment, assessment_id__in=list(live) or [0]).values():
        ratings[row["assessment_id"]].append(row["rating"])
        if row["rating"] != Compliance.COMPLIANT:
            gaps.append(row)
    names = _agency_names({row["agency_id"] for row in live.values()}, moment)
    rows, totals = [], Counter()
    for pk, row in live.items():
        numbers = figures_of(row, ratings[pk])
        rows.append(
            {
                "agency": names.get(row["agency_id"], ""),
                "submitted_on": row["submitted_on"],
                **numbers,
            }
        )
        if row["submitted_on"]:
            totals["submitted"] += 1
            if numbers["reported"]:
                totals.update({key: numbers[key] for key in (*Compliance.values, "total")})
            else:
                totals["uncounted"] += 1
    labels = dict(Compliance.choices)
    return {
        "name": cycle["name"],
        "deadline": cycle["deadline"],
        "rows": sorted(rows, key=lambda row: row["agency"]),
        "totals": {
            key: totals[key] for key in (*Compliance.values, "total", "submitted", "uncounted")
        },
        "gaps": [
            {
                "agency": names.get(live[row["assessment_id"]]["agency_id"], ""),
                "number": row["number"],
                "text": row["text"],
                "rating": labels[row["rating"]],
            }
            for row in sorted(gaps, key=lambda row: (row["assessment_id"], row["number"]))
        ],
    }


def _agency_names(pks, moment):
    names = {pk: row["name"] for pk, row in _state(Agency, moment, id__in=pks).items()}
    if missing := pks - set(names):
        names.update(Agency.objects.filter(pk__in=missing).values_list("pk", "name"))
    return names


def _impact(partnership, moment, before, window, audits):
    entries, then = _states(ImpactEntry, moment, before, partnership_id=partnership.pk)
    shown = [
        row for row in entries.values() if _is_new(row["recorded_on"], window, row["id"] in then)
    ]
    return [
        {
            "recorded_on": row["recorded_on"],
            "change": row["change"],
            "evidence": row["evidence"],
            "audit": audits.get(row["audit_id"], {}).get("subject", ""),
        }
        for row in sorted(shown, key=lambda row: (row["recorded_on"], row["id"]))
    ]
