"""Rating a value against target and tolerance, movement in words, periods and gaps."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from performance import periods, scoring, trend

D = Decimal


@pytest.mark.parametrize(
    ("value", "word"),
    [("85", "Green"), ("90", "Green"), ("84.9", "Amber"), ("75", "Amber"), ("74.99", "Red")],
)
def test_higher_is_better_is_green_at_target_amber_to_the_tolerance_then_red(value, word):
    rating = scoring.rate(D(value), target=D(85), amber=D(75), higher_is_better=True)
    assert rating.word == word


@pytest.mark.parametrize(
    ("value", "word"),
    [("20", "Green"), ("12", "Green"), ("20.1", "Amber"), ("23", "Amber"), ("23.5", "Red")],
)
def test_lower_is_better_turns_the_scale_round(value, word):
    rating = scoring.rate(D(value), target=D(20), amber=D(23), higher_is_better=False)
    assert rating.word == word


def test_without_a_tolerance_anything_short_of_target_is_red():
    assert scoring.rate(D(84), target=D(85), amber=None, higher_is_better=True) is scoring.RED


def test_missing_is_missing_and_a_trend_measure_has_no_target():
    assert scoring.rate(None, target=D(0), amber=None, higher_is_better=True) is scoring.MISSING
    assert scoring.rate(D(0), target=D(0), amber=None, higher_is_better=True) is scoring.GREEN
    assert scoring.rate(D(5), target=None, amber=None, higher_is_better=None).word == "No target"


def test_movement_follows_the_measures_direction_in_words():
    up = scoring.movement(D("22.5"), D(20), higher_is_better=False, unit="percent")
    assert (up.key, up.words) == ("worsened", "worsened: up from 20%")
    down = scoring.movement(D(18), D(20), higher_is_better=False, unit="percent")
    assert (down.key, down.words) == ("improved", "improved: down from 20%")
    assert scoring.movement(D(88), D(80), higher_is_better=True).key == "improved"
    assert scoring.movement(D(5), D(5), higher_is_better=True).words == "same as before (5)"
    assert scoring.movement(D(9), D(5), higher_is_better=None).words == "up from 5"
    assert scoring.movement(D(9), None, higher_is_better=True).words == "no previous value"
    assert scoring.movement(None, D(5), higher_is_better=True).words == "no value this period"


def test_values_are_written_as_people_write_them():
    assert scoring.show(D("21.50"), "percent") == "21.5%"
    assert scoring.show(D("1234.00"), "number") == "1,234"
    assert scoring.show(D("1"), "days") == "1 day"
    assert scoring.show(D("82"), "rate") == "82 per 10,000"
    assert scoring.show(None, "percent") == "missing"


def test_periods_are_financial_quarters_and_months():
    q4 = date(2017, 1, 1)
    assert periods.label(q4, "quarter") == "Q4 2016/17 (Jan to Mar 2017)"
    assert periods.previous(date(2016, 4, 1), "quarter") == date(2016, 1, 1)
    assert periods.previous(date(2017, 1, 1), "month") == date(2016, 12, 1)
    assert periods.start_of(date(2016, 5, 17), "quarter") == date(2016, 4, 1)


@pytest.mark.parametrize(
    ("text", "frequency", "start"),
    [
        ("Q1 2016/17", "quarter", date(2016, 4, 1)),
        ("2016/17 Q4", "quarter", date(2017, 1, 1)),
        ("q3 2016-17", "quarter", date(2016, 10, 1)),
        ("Apr-Jun 2016", "quarter", date(2016, 4, 1)),
        ("Jan to Mar 17", "quarter", date(2017, 1, 1)),
        ("17/05/2016", "quarter", date(2016, 4, 1)),
        ("May 2017", "month", date(2017, 5, 1)),
        ("2017-05", "month", date(2017, 5, 1)),
        ("Sept 2017", "month", date(2017, 9, 1)),
        ("Q1 2016/17", "month", None),
        ("31/02/2017", "month", None),
        ("soon", "quarter", None),
    ],
)
def test_periods_are_read_as_spreadsheets_write_them(text, frequency, start):
    assert periods.parse(text, frequency) == start


def measure(**extra):
    fields = {"frequency": "quarter", "higher_is_better": True, "unit": "percent"}
    return SimpleNamespace(**(fields | {"target": D(85), "amber_threshold": D(75)} | extra))


def row(start, value=None, reason=""):
    return SimpleNamespace(period_start=start, value=value, missing_reason=reason, commentary="")


def test_a_gap_is_not_recorded_and_a_missing_value_is_never_zero():
    rows = [
        row(date(2016, 4, 1), D(80)),
        row(date(2016, 7, 1), None, "System change"),
        row(date(2017, 1, 1), D(90)),
    ]
    series = trend.points(measure(), rows)
    assert [p.shown for p in series] == ["80%", "missing", "not recorded", "90%"]
    assert [p.rating.word for p in series] == ["Amber", "Missing", "Missing", "Green"]
    assert series[1].value is None and series[1].missing_reason == "System change"
    # Movement is only ever from the period just before: none after a gap.
    assert series[3].movement.words == "no previous value"
    assert trend.latest(series).label.startswith("Q4 2016/17")
