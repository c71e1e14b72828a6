"""Tests for reading free-text action-plan timescales into due dates.

The seed strings are taken from real safeguarding action plans; the property
tests check the promises the rest of the tracker relies on: never raise, keep the
text, never invent a due date.
"""

import calendar
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plans.timescales import KINDS, Timescale, parse_timescale, split_numbered

D = date

SEEDS = [
    # text, kind, dates, due
    ("August 2009", "dated", (D(2009, 8, 31),), D(2009, 8, 31)),
    ("Aug 09", "dated", (D(2009, 8, 31),), D(2009, 8, 31)),
    ("Dec 09", "dated", (D(2009, 12, 31),), D(2009, 12, 31)),
    ("December 09", "dated", (D(2009, 12, 31),), D(2009, 12, 31)),
    ("Sept 2009", "dated", (D(2009, 9, 30),), D(2009, 9, 30)),
    ("Sep 09", "dated", (D(2009, 9, 30),), D(2009, 9, 30)),
    ("01-Sept-09", "dated", (D(2009, 9, 1),), D(2009, 9, 1)),
    ("By 31/12/09", "dated", (D(2009, 12, 31),), D(2009, 12, 31)),
    ("4/1/10", "dated", (D(2010, 1, 4),), D(2010, 1, 4)),
    ("31.03.2010", "dated", (D(2010, 3, 31),), D(2010, 3, 31)),
    ("30 th November 2009", "dated", (D(2009, 11, 30),), D(2009, 11, 30)),
    ("31 st December 2009", "dated", (D(2009, 12, 31),), D(2009, 12, 31)),
    ("31 st August 2010", "dated", (D(2010, 8, 31),), D(2010, 8, 31)),
    ("1st June 2010", "dated", (D(2010, 6, 1),), D(2010, 6, 1)),
    ("With immediate effect", "immediate", (), None),
    ("Immediately", "immediate", (), None),
    ("Immediate", "immediate", (), None),
    ("Ongoing programme", "ongoing", (), None),
    ("Ongoing", "ongoing", (), None),
    ("On-going", "ongoing", (), None),
    ("Continuous", "ongoing", (), None),
    ("Ongoing - review March 2010", "ongoing", (D(2010, 3, 31),), D(2010, 3, 31)),
    ("Completed Oct 2009", "completed", (D(2009, 10, 31),), D(2009, 10, 31)),
    ("Completed June 2009", "completed", (D(2009, 6, 30),), D(2009, 6, 30)),
    ("Complete - June 2009", "completed", (D(2009, 6, 30),), D(2009, 6, 30)),
    ("Evaluate impact April 2010", "dated", (D(2010, 4, 30),), D(2010, 4, 30)),
    (
        "To commence October 2009 / To be completed by January 2010",
        "dated",
        (D(2009, 10, 31), D(2010, 1, 31)),
        D(2010, 1, 31),
    ),
    ("To commence August 2009", "dated", (D(2009, 8, 31),), D(2009, 8, 31)),
    ("by January 2010", "dated", (D(2010, 1, 31),), D(2010, 1, 31)),
    (
        "January 2010 February 2010",
        "dated",
        (D(2010, 1, 31), D(2010, 2, 28)),
        D(2010, 2, 28),
    ),
    (
        "June 2019 Oct 2019 Feb 2020",
        "dated",
        (D(2019, 6, 30), D(2019, 10, 31), D(2020, 2, 29)),
        D(2020, 2, 29),
    ),
    ("Oct 2008", "dated", (D(2008, 10, 31),), D(2008, 10, 31)),
    ("Mar 2010", "dated", (D(2010, 3, 31),), D(2010, 3, 31)),
    ("April 2019", "dated", (D(2019, 4, 30),), D(2019, 4, 30)),
    ("Feb 2019", "dated", (D(2019, 2, 28),), D(2019, 2, 28)),
    ("July 2019", "dated", (D(2019, 7, 31),), D(2019, 7, 31)),
    ("June 2020", "dated", (D(2020, 6, 30),), D(2020, 6, 30)),
    ("2010", "dated", (D(2010, 12, 31),), D(2010, 12, 31)),
    ("By 2010", "dated", (D(2010, 12, 31),), D(2010, 12, 31)),
    ("2019/20", "dated", (D(2020, 3, 31),), D(2020, 3, 31)),
    ("2019-20", "dated", (D(2020, 3, 31),), D(2020, 3, 31)),
    ("1999/00", "dated", (D(2000, 3, 31),), D(2000, 3, 31)),
    ("Aug 75", "dated", (D(1975, 8, 31),), D(1975, 8, 31)),
    # Published plans (2012-2017): financial years and their quarters, and Excel's "mmm-yy".
    ("financial year 2012/13", "dated", (D(2013, 3, 31),), D(2013, 3, 31)),
    ("End of financial year 2016/17", "dated", (D(2017, 3, 31),), D(2017, 3, 31)),
    ("FY 2016-17", "dated", (D(2017, 3, 31),), D(2017, 3, 31)),
    ("Q1 2016/17", "dated", (D(2016, 6, 30),), D(2016, 6, 30)),
    ("Q2 2016/17", "dated", (D(2016, 9, 30),), D(2016, 9, 30)),
    ("Q3 2016/17", "dated", (D(2016, 12, 31),), D(2016, 12, 31)),
    ("Q4 2016/17", "dated", (D(2017, 3, 31),), D(2017, 3, 31)),
    ("Quarter 3 of financial year 2016-2017", "dated", (D(2016, 12, 31),), D(2016, 12, 31)),
    ("Mar-17", "dated", (D(2017, 3, 31),), D(2017, 3, 31)),
    ("March 2017", "dated", (D(2017, 3, 31),), D(2017, 3, 31)),
]

UNREADABLE = [
    "Peb 2020",  # OCR typo for Feb: not guessed
    "31/02/2010",
    "Month 13",
    "Spring 2010",
    "Q1 2020",
    "Annual",
    "As required",
    "Report to BMG",
    "30th June",  # no year
    "mid-March 2010",  # less than the whole month
    "start of 2010",
    "before March 2010",  # means end of February, not the end of the period named
    "Within 3 months of April 2010",  # an offset from the date, not the date
    "April 2009 - 2010",  # which point in 2010?
    "April 2010/11",
    "2019 - 2020",  # calendar range or financial year?
    "2009-2011",
    "2010/11 academic year",
    "academic year 2010/11",
    "mid financial year 2016/17",  # part of the year
    "before financial year 2016/17",
    "Q3 2016/18",  # not one financial year
    "mid Q3 2016/17",
    "Q3 2016",  # a calendar quarter or a financial one?
    "10/11",
    "Working Together 2018",  # a title, not a timescale
    "Nov - Feb 2010",  # November of which year?
    "31/02/2010 and March 2010",  # part unreadable: the readable part may not be the deadline
    "Oct 2019 Peb 2020",
    "TBC",
    "-",
]


@pytest.mark.parametrize(("text", "kind", "dates", "due"), SEEDS)
def test_seed_timescales(text, kind, dates, due):
    result = parse_timescale(text)
    assert result == Timescale(text=text, dates=dates, due=due, kind=kind)
    assert result.readable


@pytest.mark.parametrize("text", UNREADABLE)
def test_unreadable_timescales_keep_no_due_date(text):
    result = parse_timescale(text)
    assert result.due is None
    assert result.kind == "unknown"
    assert not result.readable
    assert result.text == text


@pytest.mark.parametrize("text", [None, "", "   ", "\u00a0\t\n", " \u2022 "])
def test_blank_is_empty(text):
    result = parse_timescale(text)
    assert result == Timescale(text=text or "", dates=(), due=None, kind="empty")
    assert result.readable


@pytest.mark.parametrize(
    ("text", "dates", "due"),
    [
        (
            "\u2022\u00a0Aug\u00a009 \u2013 Dec 09",
            (D(2009, 8, 31), D(2009, 12, 31)),
            D(2009, 12, 31),
        ),
        ("AUGUST   2009", (D(2009, 8, 31),), D(2009, 8, 31)),
        ("Aug09", (D(2009, 8, 31),), D(2009, 8, 31)),
        ("Sept. \u201909", (D(2009, 9, 30),), D(2009, 9, 30)),
        ("1\u02e2\u1d57 June 2010", (D(2010, 6, 1),), D(2010, 6, 1)),
        ("Jan - March 2010", (D(2010, 1, 31), D(2010, 3, 31)), D(2010, 3, 31)),
        ("June/July 2010", (D(2010, 6, 30), D(2010, 7, 31)), D(2010, 7, 31)),
        ("June 30, 2010", (D(2010, 6, 30),), D(2010, 6, 30)),
        ("2010-03-31", (D(2010, 3, 31),), D(2010, 3, 31)),
        ("Phase 2 June 2019", (D(2019, 6, 30),), D(2019, 6, 30)),
        ("Aug 09 - 14 Dec 09", (D(2009, 8, 31), D(2009, 12, 14)), D(2009, 12, 14)),
        ("end of 2010", (D(2010, 12, 31),), D(2010, 12, 31)),
        ("Children Act 2004 by March 2010", (D(2010, 3, 31),), D(2010, 3, 31)),
        ("24/7 helpline by March 2010", (D(2010, 3, 31),), D(2010, 3, 31)),
        ("Staff may attend by March 2010", (D(2010, 3, 31),), D(2010, 3, 31)),
        ("2009/10 - 2010/11", (D(2010, 3, 31), D(2011, 3, 31)), D(2011, 3, 31)),
    ],
)
def test_messy_dated_forms(text, dates, due):
    result = parse_timescale(text)
    assert (result.kind, result.dates, result.due) == ("dated", dates, due)


def test_due_is_the_date_after_by_not_simply_the_last_written():
    result = parse_timescale("By March 2010, then review Jan 2010")
    assert result.dates == (D(2010, 3, 31), D(2010, 1, 31))
    assert result.due == D(2010, 3, 31)
    later_first = parse_timescale("Review Dec 2010, complete by June 2010")
    assert later_first.dates == (D(2010, 12, 31), D(2010, 6, 30))
    assert later_first.due == D(2010, 6, 30)


def test_unreadable_part_blocks_due_but_dates_are_still_listed():
    result = parse_timescale("Oct 2019 Peb 2020")
    assert result.dates == (D(2019, 10, 31),)
    assert result.due is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("To be completed by June 2010", "dated"),  # a deadline, not a completion
        ("Complete by March 2010", "dated"),
        ("Partially completed March 2010", "dated"),
        ("Not yet complete", "unknown"),
        ("Complete", "completed"),
        ("Immediate and ongoing", "ongoing"),
        ("Immediate - by March 2010", "immediate"),
    ],
)
def test_status_words(text, kind):
    assert parse_timescale(text).kind == kind


@pytest.mark.parametrize(
    ("text", "starts"),
    [
        ("April 2016 onwards", D(2016, 4, 1)),
        ("From 1 April 2016 onward", D(2016, 4, 1)),
        ("2016/17 onwards", D(2016, 4, 1)),
        ("2016 and onwards", D(2016, 1, 1)),
        ("Q3 2016/17 onwards", D(2016, 10, 1)),
    ],
)
def test_a_date_followed_by_onwards_is_a_start_not_a_due_date(text, starts):
    result = parse_timescale(text)
    assert (result.kind, result.dates, result.due, result.starts) == ("ongoing", (), None, starts)
    assert result.readable


def test_a_start_and_a_deadline_both_read():
    result = parse_timescale("April 2016 onwards, complete by March 2017")
    assert (result.starts, result.dates, result.due) == (
        D(2016, 4, 1),
        (D(2017, 3, 31),),
        D(2017, 3, 31),
    )


def test_a_start_does_not_rescue_an_unreadable_deadline():
    result = parse_timescale("April 2016 onwards, finish Spring 2017")
    assert (result.kind, result.due, result.starts) == ("unknown", None, D(2016, 4, 1))


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("1. Complete 2. 31 March 2020", ["Complete", "31 March 2020"]),
        ("1. Complete\n2. 31 March 2020\n3. Ongoing", ["Complete", "31 March 2020", "Ongoing"]),
        ("  1. Only one  ", ["Only one"]),
        ("1. By 31.03.2020 2. Review within 1.5 days", ["By 31.03.2020", "Review within 1.5 days"]),
        ("1. Train 2 staff. 2. Audit", ["Train 2 staff.", "Audit"]),
        ("1.\nMarch 2020\n2.\nJune 2020", ["March 2020", "June 2020"]),
    ],
)
def test_split_numbered_gives_each_item(text, items):
    assert split_numbered(text) == items


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "March 2020",
        "2. Complete 3. Review",  # does not start at 1
        "1. Complete 3. Review",  # a number missed
        "1. Visit 3. sites 2. Report",  # something else looks like an item number
        "1. Complete 2.",  # an empty item
        "By 2020. 1. Complete",
        "31.03.2020",
    ],
)
def test_split_numbered_is_none_unless_a_clean_numbered_list(text):
    assert split_numbered(text) is None


def test_kinds_are_exposed():
    assert KINDS == ("dated", "ongoing", "immediate", "completed", "empty", "unknown")


def _check_invariants(text, result):
    assert result.text == text
    assert result.kind in KINDS
    assert result.readable == (result.kind != "unknown")
    assert isinstance(result.dates, tuple)
    assert all(type(value) is date for value in result.dates)
    assert result.due is None or result.due in result.dates
    if result.kind == "dated":
        assert result.due is not None
    if result.due is not None:
        assert result.kind != "unknown"
    if result.kind == "empty":
        assert result.dates == ()
    assert result.starts is None or type(result.starts) is date


@given(st.text())
def test_never_raises_and_keeps_promises_for_any_text(text):
    _check_invariants(text, parse_timescale(text))


DATEISH = "0123456789/.-' ,stndrhJFMASONDjfmasondeuglpcvybiqQ\u2022\u00a0\u2013"


@given(st.text(alphabet=DATEISH, max_size=40))
def test_never_raises_on_date_like_noise(text):
    _check_invariants(text, parse_timescale(text))


@given(st.lists(st.sampled_from(["Aug", "09", "2010", "/", "-", "by", "31", "st", "Q1", " "])))
def test_never_raises_on_date_fragments(parts):
    text = " ".join(parts)
    _check_invariants(text, parse_timescale(text))


dates_in_range = st.dates(min_value=date(1970, 1, 1), max_value=date(2069, 12, 31))


@given(dates_in_range)
def test_day_first_numeric_round_trips(value):
    text = f"{value.day}/{value.month}/{value.year}"
    assert parse_timescale(text) == Timescale(text=text, dates=(value,), due=value, kind="dated")


@given(dates_in_range)
def test_day_month_name_year_round_trips(value):
    text = f"{value.day} {calendar.month_name[value.month]} {value.year}"
    assert parse_timescale(text) == Timescale(text=text, dates=(value,), due=value, kind="dated")


@given(dates_in_range, st.sampled_from(["st", "nd", "rd", "th", " th", " st"]))
def test_ordinal_day_month_year_round_trips(value, suffix):
    text = f"By {value.day}{suffix} {calendar.month_abbr[value.month]} {value.year:04d}"
    result = parse_timescale(text)
    assert (result.dates, result.due) == ((value,), value)


@given(dates_in_range)
def test_month_year_is_the_last_day_of_the_month(value):
    last = calendar.monthrange(value.year, value.month)[1]
    end = date(value.year, value.month, last)
    long_form = f"{calendar.month_name[value.month]} {value.year}"
    short_form = f"{calendar.month_abbr[value.month]} {value.year % 100:02d}"
    assert parse_timescale(long_form).due == end
    assert parse_timescale(short_form).due == end


@given(st.integers(1970, 2068))
def test_financial_year_ends_31_march(year):
    text = f"{year}/{(year + 1) % 100:02d}"
    assert parse_timescale(text).due == date(year + 1, 3, 31)


@given(st.integers(1970, 2069), st.integers(1, 12), st.integers(29, 31))
def test_impossible_day_is_never_a_date(year, month, day):
    if day <= calendar.monthrange(year, month)[1]:
        return
    for text in (f"{day}/{month}/{year}", f"{day} {calendar.month_name[month]} {year}"):
        result = parse_timescale(text)
        assert (result.kind, result.dates, result.due) == ("unknown", (), None)
