"""Statutory clocks for a notified serious incident, in working days (Working Together 2023).

- Notification: the Panel is told within 5 working days of the partnership learning of it.
- Rapid review: completed and sent to the Panel within 15 working days of the notification.
- LCSPR publication: within 6 months of the decision to hold the review.

A working day is Monday to Friday and not an England and Wales bank holiday. The bank
holidays come from the maintained `holidays` package (England's list, which Wales shares),
so a new or moved bank holiday arrives with a package update rather than a code change.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

NOTIFY_WITHIN = 5
RAPID_REVIEW_WITHIN = 15
PUBLISH_WITHIN_MONTHS = 6

CLOCK_NAMES = {
    "notification": "Notify the Panel",
    "rapid_review": "Send the rapid review to the Panel",
    "publication": "Publish the LCSPR",
}

# A clock is "due soon" (amber) when this many working days or fewer are left.
DUE_SOON = {"notification": 2, "rapid_review": 5, "publication": 20}


@lru_cache(maxsize=64)
def bank_holidays(year):
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day):
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def add_working_days(start, days):
    """The `days`-th working day after `start` (start itself never counts)."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def working_days_between(start, end):
    """Working days after `start` up to and including `end`; negative when `end` is earlier."""
    if end < start:
        return -working_days_between(end, start)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count


def add_months(start, months):
    """The same day `months` later, or the month's last day (31 August + 6 months = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Clock:
    """One deadline of a case: when it started, when it is due, and when it was met if it was."""

    key: str
    name: str
    case: object
    started: date
    due: date
    met_on: date | None

    MET = "Met"
    MET_LATE = "Met late"
    ON_TRACK = "On track"
    DUE_SOON = "Due soon"
    MISSED = "Missed"

    def days_left(self, today):
        """Working days from `today` to the deadline (negative once it has passed)."""
        return working_days_between(today, self.due)

    def status(self, today):
        if self.met_on is not None:
            return self.MET if self.met_on <= self.due else self.MET_LATE
        left = self.days_left(today)
        if left < 0 or (left == 0 and today > self.due):
            return self.MISSED
        return self.DUE_SOON if left <= DUE_SOON[self.key] else self.ON_TRACK

    def tag(self, today):
        """The GOV.UK tag colour that goes with the status words (never shown alone)."""
        return {
            self.MET: "govuk-tag--green",
            self.MET_LATE: "govuk-tag--grey",
            self.ON_TRACK: "govuk-tag--blue",
            self.DUE_SOON: "govuk-tag--yellow",
            self.MISSED: "govuk-tag--red",
        }[self.status(today)]

    @property
    def is_open(self):
        return self.met_on is None


def clocks_for(case):
    """The clocks a case has started, in the order they run."""
    clocks = [
        Clock(
            "notification",
            CLOCK_NAMES["notification"],
            case,
            case.learned_on,
            add_working_days(case.learned_on, NOTIFY_WITHIN),
            case.notified_on,
        )
    ]
    if case.notified_on and case.needs_rapid_review:
        clocks.append(
            Clock(
                "rapid_review",
                CLOCK_NAMES["rapid_review"],
                case,
                case.notified_on,
                add_working_days(case.notified_on, RAPID_REVIEW_WITHIN),
                case.rapid_review_submitted_on,
            )
        )
    if case.lcspr_decided_on and case.lcspr_decision == case.LcsprDecision.YES:
        clocks.append(
            Clock(
                "publication",
                CLOCK_NAMES["publication"],
                case,
                case.lcspr_decided_on,
                add_months(case.lcspr_decided_on, PUBLISH_WITHIN_MONTHS),
                case.published_on,
            )
        )
    return clocks


def open_clocks(cases):
    """Every clock still running for `cases`, the next deadline first."""
    running = [clock for case in cases for clock in clocks_for(case) if clock.is_open]
    return sorted(running, key=lambda clock: (clock.due, clock.case.code, clock.key))
