"""A measure's values as a run of periods: each with its rating and movement, gaps kept.

Works on any measure-like object (a Measure, or a measure as history had it, for the pack)
and on rows with `period_start`, `value`, `missing_reason` and `commentary`. A period between
the first and the last recorded ones with no row is "not recorded"; a row with no value is
"missing" with its reason. Neither is ever taken as zero, and movement is only ever measured
from the period just before.
"""

from dataclasses import dataclass

from . import periods, scoring


@dataclass
class Point:
    start: object
    label: str
    short: str
    value: object  # a Decimal, or None
    recorded: bool  # a row exists (with a value or a reason it is missing)
    missing_reason: str
    commentary: str
    rating: scoring.Rating
    movement: scoring.Movement
    shown: str  # the value in words, "missing" or "not recorded"


def points(measure, rows, *, until=None):
    """[Point], oldest first, from the first recorded period to the last (or to `until`)."""
    by_start = {row.period_start: row for row in rows}
    if not by_start:
        return []
    frequency = measure.frequency
    start, last = min(by_start), until or max(by_start)
    found, before = [], None
    while start <= last:
        row = by_start.get(start)
        value = row.value if row else None
        found.append(_point(measure, start, row, value, before))
        before = value
        start = periods.shift(start, frequency, 1)
    return found


def _point(measure, start, row, value, before):
    higher = measure.higher_is_better
    if row is None:
        shown = "not recorded"
    elif value is None:
        shown = "missing"
    else:
        shown = scoring.show(value, measure.unit)
    return Point(
        start=start,
        label=periods.label(start, measure.frequency),
        short=periods.short_label(start, measure.frequency),
        value=value,
        recorded=row is not None,
        missing_reason=row.missing_reason if row else "",
        commentary=row.commentary if row else "",
        rating=scoring.rate(
            value, target=measure.target, amber=measure.amber_threshold, higher_is_better=higher
        ),
        movement=scoring.movement(value, before, higher_is_better=higher, unit=measure.unit),
        shown=shown,
    )


def latest(series):
    """The newest recorded point, or None."""
    return next((point for point in reversed(series) if point.recorded), None)
