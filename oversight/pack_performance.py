"""The pack's performance section: each measure of the partnership's data set with its latest
recorded period, value, target, rating and movement from the period before, in words.

Read from the history tables as they stood at the end of the pack's day, like the rest of the
pack, so a past pack shows the figures BMG saw then (a value corrected later still shows as it
was). A missing value is shown as missing, never as zero.
"""

from collections import Counter
from types import SimpleNamespace

from performance import trend
from performance.models import Measure, MeasureValue
from performance.scoring import RATINGS
from plans.models import Agency

from .asof import state_at, versions
from .cycle import cutoff

MEASURE_FIELDS = ("id", "name", "definition", "unit", "higher_is_better", "target")
MEASURE_FIELDS += ("amber_threshold", "frequency", "position", "owner_agency_id")


def performance_section(partnership, as_of, previous=None):
    """{"rows": [...], "counts": {rating word: n}, "since"} as at the end of `as_of`; a row
    is marked new when its latest value was recorded or changed after the previous meeting's
    update deadline."""
    moment = cutoff(as_of)
    since = cutoff(previous.update_deadline) if previous else None
    measure_rows = state_at(
        versions(Measure.history, moment, partnership_id=partnership.pk), moment
    )
    live = [row for row in measure_rows.values() if row["archived_at"] is None]
    live.sort(key=lambda row: (row["position"], row["name"]))
    if not live:  # no data set: one query, so packs without one cost next to nothing
        return {"rows": [], "counts": [], "since": since, "as_of": as_of}
    value_versions = versions(
        MeasureValue.history, moment, measure_id__in=[r["id"] for r in live] or [0]
    )
    values = state_at(value_versions, moment)
    touched = _touched_since(value_versions, since)
    owners = {r["owner_agency_id"] for r in live} - {None}
    agencies = (
        dict(Agency.objects.filter(pk__in=owners).values_list("pk", "name")) if owners else {}
    )
    by_measure = {}
    for row in values.values():
        by_measure.setdefault(row["measure_id"], []).append(SimpleNamespace(**row))
    rows = [_row(spec, by_measure.get(spec["id"], []), agencies, touched) for spec in live]
    counted = Counter(row["rating"].word for row in rows)
    counts = [(r.word, counted[r.word]) for r in RATINGS if counted[r.word]]  # Green first
    return {"rows": rows, "counts": counts, "since": since, "as_of": as_of}


def _touched_since(value_versions, since):
    """(measure id, period start) of values recorded or changed after `since`."""
    if since is None:
        return set()
    return {
        (v["measure_id"], v["period_start"]) for v in value_versions if v["history_date"] >= since
    }


def _row(spec, values, agencies, touched):
    measure = Measure(**{name: spec[name] for name in MEASURE_FIELDS})
    series = trend.points(measure, values)
    latest = trend.latest(series)
    return {
        "measure": measure,
        "owner": agencies.get(spec["owner_agency_id"], ""),
        "latest": latest,
        "rating": latest.rating if latest else measure.rate(None),
        "new": bool(latest) and (spec["id"], latest.start) in touched,
    }
