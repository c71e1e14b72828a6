"""Working-day arithmetic for the statutory clocks (reviews/clocks.py), across weekends, bank
holidays and year ends, and the status words a clock shows."""

from datetime import date
from types import SimpleNamespace

import pytest

from reviews.clocks import (
    Clock,
    add_months,
    add_working_days,
    clocks_for,
    is_working_day,
    open_clocks,
    working_days_between,
)
from reviews.models import IntakeCase


def test_bank_holidays_are_not_working_days():
    assert not is_working_day(date(2024, 12, 25))  # Christmas Day
    assert not is_working_day(date(2024, 12, 26))  # Boxing Day
    assert not is_working_day(date(2025, 1, 1))  # New Year's Day
    assert not is_working_day(date(2025, 4, 18))  # Good Friday
    assert not is_working_day(date(2025, 5, 26))  # spring bank holiday
    assert not is_working_day(date(2024, 12, 28))  # a Saturday
    assert is_working_day(date(2024, 12, 27))


def test_substitute_bank_holidays_count():
    # Christmas 2021 fell on a Saturday and Boxing Day on a Sunday: 27 and 28 December off.
    assert not is_working_day(date(2021, 12, 27))
    assert not is_working_day(date(2021, 12, 28))
    assert add_working_days(date(2021, 12, 24), 1) == date(2021, 12, 29)


def test_fifteenth_working_day_across_christmas_and_new_year():
    # Notified Wednesday 18 December 2024. Working days after it: 19, 20, 23, 24, 27, 30,
    # 31 December (25 and 26 December and the weekends skipped), then 2, 3, 6, 7, 8, 9, 10
    # and 13 January (1 January skipped): the 15th is Monday 13 January 2025.
    assert add_working_days(date(2024, 12, 18), 15) == date(2025, 1, 13)
    assert working_days_between(date(2024, 12, 18), date(2025, 1, 13)) == 15


def test_fifteenth_working_day_across_2026_into_2027():
    # 25 December 2026 is a Friday, Boxing Day a Saturday (substitute Monday 28), 1 January
    # 2027 a Friday. From Monday 21 December: 22, 23, 24, 29, 30, 31, then 4 to 8, 11 to 14.
    assert add_working_days(date(2026, 12, 21), 15) == date(2027, 1, 14)


def test_notification_within_five_working_days_over_easter():
    # Learned of on Thursday 17 April 2025: Good Friday and Easter Monday do not count.
    assert add_working_days(date(2025, 4, 17), 5) == date(2025, 4, 28)


def test_working_days_between_is_signed_and_ignores_the_start():
    assert working_days_between(date(2025, 1, 6), date(2025, 1, 6)) == 0
    assert working_days_between(date(2025, 1, 6), date(2025, 1, 10)) == 4
    assert working_days_between(date(2025, 1, 10), date(2025, 1, 6)) == -4


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2025, 3, 14), date(2025, 9, 14)),
        (date(2025, 8, 31), date(2026, 2, 28)),
        (date(2023, 8, 31), date(2024, 2, 29)),
        (date(2025, 9, 30), date(2026, 3, 30)),
    ],
)
def test_six_months_from_the_lcspr_decision(start, expected):
    assert add_months(start, 6) == expected


def case(**dates):
    values = {
        "code": "CS1",
        "learned_on": date(2024, 12, 18),
        "notified_on": None,
        "decision": "",
        "rapid_review_submitted_on": None,
        "lcspr_decision": "",
        "lcspr_decided_on": None,
        "published_on": None,
        "LcsprDecision": IntakeCase.LcsprDecision,
    }
    values.update(dates)
    values["needs_rapid_review"] = values["decision"] in ("", "rapid_review")
    return SimpleNamespace(**values)


def test_a_case_starts_its_clocks_as_it_goes():
    learned = case()
    assert [c.key for c in clocks_for(learned)] == ["notification"]
    assert clocks_for(learned)[0].due == date(2024, 12, 27)  # 19, 20, 23, 24, 27
    notified = case(notified_on=date(2024, 12, 18))
    assert [c.key for c in clocks_for(notified)] == ["notification", "rapid_review"]
    assert clocks_for(notified)[1].due == date(2025, 1, 13)
    no_review = case(notified_on=date(2024, 12, 18), decision="no_further_review")
    assert [c.key for c in clocks_for(no_review)] == ["notification"]
    lcspr = case(
        notified_on=date(2025, 1, 2), lcspr_decision="yes", lcspr_decided_on=date(2025, 2, 3)
    )
    assert clocks_for(lcspr)[-1].due == date(2025, 8, 3)


def clock(due, met_on=None, key="rapid_review"):
    return Clock(key, "Rapid review", case(), date(2024, 12, 18), due, met_on)


def test_status_words_amber_near_red_when_missed():
    due = date(2025, 1, 13)
    assert clock(due).status(date(2024, 12, 19)) == "On track"
    assert clock(due).days_left(date(2024, 12, 19)) == 14
    assert clock(due).status(date(2025, 1, 6)) == "Due soon"  # 5 working days left
    assert clock(due).status(date(2025, 1, 13)) == "Due soon"  # the last day
    assert clock(due).status(date(2025, 1, 14)) == "Missed"
    assert clock(due).days_left(date(2025, 1, 15)) == -2
    assert clock(due, met_on=date(2025, 1, 10)).status(date(2025, 2, 1)) == "Met"
    assert clock(due, met_on=date(2025, 1, 14)).status(date(2025, 2, 1)) == "Met late"
    assert clock(due).tag(date(2025, 1, 14)) == "govuk-tag--red"
    assert clock(due).tag(date(2025, 1, 6)) == "govuk-tag--yellow"


def test_missed_over_a_weekend():
    # Due Friday 10 January; on Saturday no working day has passed, but the day has.
    assert clock(date(2025, 1, 10)).status(date(2025, 1, 11)) == "Missed"


def test_open_clocks_are_ordered_by_the_next_deadline():
    later = case(code="B", learned_on=date(2025, 1, 6))
    sooner = case(code="A", learned_on=date(2024, 12, 18), notified_on=date(2024, 12, 20))
    keys = [(c.case.code, c.key) for c in open_clocks([later, sooner])]
    assert keys == [("B", "notification"), ("A", "rapid_review")]
