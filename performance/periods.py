"""Reporting periods of the data set: financial quarters (April to June is Q1) and months.

A period is stored as the date it starts; these helpers name it, step back from it and read
the ways people write one in a spreadsheet ("Q1 2016/17", "2016/17 Q3", "Apr-Jun 2016",
"April 2016", "01/04/2016").
"""

import re
from datetime import date

QUARTER = "quarter"
MONTH = "month"
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def start_of(day, frequency):
    """The start of the period `day` falls in."""
    if frequency == MONTH:
        return day.replace(day=1)
    return date(day.year, day.month - (day.month - 1) % 3, 1)


def shift(start, frequency, steps):
    """The period `steps` periods after (negative: before) the one starting `start`."""
    months = steps * (3 if frequency == QUARTER else 1)
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def previous(start, frequency):
    return shift(start, frequency, -1)


def financial_year(start):
    first = start.year if start.month >= 4 else start.year - 1
    return f"{first}/{str(first + 1)[-2:]}"


def quarter_number(start):
    return (start.month - 4) % 12 // 3 + 1


def label(start, frequency):
    """ "Q1 2016/17 (Apr to Jun 2016)" or "May 2016"."""
    if frequency == MONTH:
        return f"{start:%B %Y}"
    end = shift(start, MONTH, 2)
    return f"Q{quarter_number(start)} {financial_year(start)} ({start:%b} to {end:%b %Y})"


def short_label(start, frequency):
    """ "Q1 16/17" or "May 16": for a chart's axis."""
    if frequency == MONTH:
        return f"{start:%b %y}"
    return f"Q{quarter_number(start)} {financial_year(start)[2:]}"


def recent(frequency, today, count):
    """The `count` latest periods that have started by `today`, newest first."""
    latest = start_of(today, frequency)
    return [shift(latest, frequency, -step) for step in range(count)]


_QUARTER = re.compile(
    r"^q([1-4])\s*(\d{4})\s*[/-]\s*(\d{2,4})$|^(\d{4})\s*[/-]\s*(\d{2,4})\s*q([1-4])$"
)
_MONTH_YEAR = re.compile(r"^([a-z]{3,9})\.?\s*[-/ ]?\s*(\d{2}|\d{4})$")
_RANGE = re.compile(r"^([a-z]{3,9})\s*(?:-|to)\s*([a-z]{3,9})\.?\s*[-/ ]?\s*(\d{2}|\d{4})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")


def _year(text):
    value = int(text)
    return value + 2000 if value < 100 else value


def _month(text):
    return MONTHS.index(text[:3]) + 1 if text[:3] in MONTHS else None


def _quarter(found):
    number = int(found[1] or found[6])
    first = _year(found[2] or found[4])
    month = 3 * (number - 1) + 4
    return date(first + (month > 12), (month - 1) % 12 + 1, 1)


def parse(text, frequency):
    """The start of the period `text` names, or None if it names none. A date or a month
    inside a quarter names that quarter for a quarterly measure."""
    text = " ".join(str(text).lower().split())
    day = None
    if found := _QUARTER.match(text):
        return _quarter(found) if frequency == QUARTER else None
    if (found := _RANGE.match(text)) and _month(found[1]):
        day = date(_year(found[3]), _month(found[1]), 1)
    elif (found := _MONTH_YEAR.match(text)) and _month(found[1]):
        day = date(_year(found[2]), _month(found[1]), 1)
    elif found := _DAY_FIRST.match(text):
        day = _safe_date(int(found[3]), int(found[2]), int(found[1]))
    elif found := _ISO.match(text):
        day = _safe_date(int(found[1]), int(found[2]), int(found[3] or 1))
    return start_of(day, frequency) if day else None


def _safe_date(year, month, day):
    try:
        return date(year, month, day)
    except ValueError:
        return None
