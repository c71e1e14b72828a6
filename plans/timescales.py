"""Read the messy "timescale" column of a safeguarding action plan.

Action plans arrive as Word tables turned into text, so a timescale may be
"Aug 09", "By 31/12/09", "30 th November 2009", "Ongoing programme" or
"To commence October 2009 / To be completed by January 2010". The tracker keeps
the text exactly as written and derives a due date only where the words allow
one, taking the END of the period named (a month -> its last day, a year alone
-> 31 December, a financial year "2019/20" -> 31 March 2020, a full date -> that
date). Dates are UK day-first.

The overriding rule is: never a guessed date. A plan item shown as due on the
wrong day is worse than one shown as "timescale not readable", because people
chase (or stop chasing) actions by their due date. So anything that looks like a
date but cannot be read safely ("31/02/2010", "Spring 2010", "Q1 2020", "30th
June" with no year, "within 3 months of April 2010") blocks the due date rather
than being skipped over, and the parser never raises: it is run over imported
documents where one odd cell must not stop the import.

This module deliberately has no Django imports so it can be used (and tested)
anywhere.
"""

import calendar
import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

KINDS = ("dated", "ongoing", "immediate", "completed", "empty", "unknown")

# Two-digit years pivot: 00-69 -> 2000-2069, 70-99 -> 1970-1999. Four-digit years
# outside the same window are not treated as years (so "1500 staff" is not a date).
_MIN_YEAR = 1970
_MAX_YEAR = 2069

_MONTHS = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "febuary": 2,  # common misspelling, unambiguous
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
# Longest names first so "september" wins over "sep".
_MONTH = "(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + ")"

# Unreadable-but-date-like, and not-a-timescale-at-all, as returned by the rule handlers.
_BAD = "bad"
_SKIP = "skip"

# Characters Word/PDF conversions leave behind, mapped to something plain.
_TRANSLATE = str.maketrans(
    {
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63", "-"),
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032`", "'"),
        **dict.fromkeys("\u2044\u2215", "/"),
        **dict.fromkeys(
            "\u2022\u2023\u25aa\u25ab\u25cf\u25cb\u25e6\u25a0\u25a1\u25ba\u27a2\u2713\u2714"
            "\u00b7\uf0b7\uf0a7\uf0d8\uf076",
            " ",
        ),
    }
)

_FLAGS = re.ASCII  # ASCII digits only: int() must never see an exotic digit

_ISO = re.compile(
    r"(?<![\d/.-])(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?!\d|[/.-]\d)",
    _FLAGS,
)
_NUMERIC_DMY = re.compile(
    r"(?<![\d/.-])(?P<d>\d{1,2})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})"
    r"(?!\d|[/.-]\d)",
    _FLAGS,
)
_NAMED_DMY = re.compile(
    r"(?<![\d.])(?P<d>\d{1,2})(?:\s?(?P<ord>st|nd|rd|th))?[\s./,-]{0,3}"
    + _MONTH
    + r"(?![a-z])\.?[\s./,'-]{0,3}(?P<y>\d{4}|\d{2})(?!\d)",
    _FLAGS,
)
_NAMED_MDY = re.compile(
    r"(?<![a-z])"
    + _MONTH
    + r"(?![a-z])\.?\s?(?P<d>\d{1,2})(?:\s?(?P<ord>st|nd|rd|th))?,?\s(?P<y>\d{4})(?!\d)",
    _FLAGS,
)
_MONTH_YEAR = re.compile(
    r"(?<![a-z])" + _MONTH + r"(?![a-z])\.?[\s,'/-]{0,3}(?P<y>\d{4}|\d{2})(?!\d)",
    _FLAGS,
)
_YEAR_PAIR = re.compile(
    r"(?<![\d/.-])(?P<y1>\d{4})(?P<sp1>\s?)[/-](?P<sp2>\s?)(?P<y2>\d{4}|\d{2})(?!\d|[/.-]\d)",
    _FLAGS,
)
# "Q3 2016/17", "Quarter 4 of financial year 2016-17": a quarter of a UK financial year
# (Q1 April-June ... Q4 January-March). A quarter of a bare year ("Q1 2020") is not read: it
# may be a calendar quarter.
_QUARTER = re.compile(
    r"(?<![a-z])(?:q|qtr|quarter)\s?(?P<q>[1-4])(?!\d)[\s,:-]{0,3}"
    r"(?:(?:of\s)?(?:the\s)?(?:(?:financial|fiscal)\syear|fy)[\s,:-]{0,3})?"
    r"(?P<y1>\d{4})(?P<sp1>\s?)[/-](?P<sp2>\s?)(?P<y2>\d{4}|\d{2})(?!\d|[/.-]\d)",
    _FLAGS,
)
# "financial year 2012/13" names the whole financial year: not a part of it.
_FINANCIAL_YEAR = re.compile(r"(?<![a-z])(?:(?:financial|fiscal)\syear|fy)[\s,:-]{0,3}$", _FLAGS)
# After a date: the date is when the action starts ("April 2016 onwards").
_ONWARDS = re.compile(r"[\s,]*(?:and\s)?onwards?(?![a-z])", _FLAGS)
_BARE_YEAR = re.compile(r"(?<![\d.,:/£$-])(?P<y>\d{4})(?!\d|[.,:]\d|%)", _FLAGS)
_DAY_MONTH_PAIR = re.compile(
    r"(?<![\d/.-])(?P<d>\d{1,2})/(?P<m>\d{1,2})(?!\d|[/.-]\d)",
    _FLAGS,
)
_BARE_MONTH = re.compile(r"(?<![a-z])" + _MONTH + r"(?![a-z])", _FLAGS)
# A month name just before a number makes the number that month's year, not a day:
# in "Aug 09 - Dec 09" the "09" belongs to August.
_MONTH_BEFORE = re.compile(r"(?<![a-z])" + _MONTH + r"(?![a-z])\.?[\s,'/-]{0,3}$", _FLAGS)

_NUMBER = (
    r"(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|"
    r"twenty[\s-]?four|few|several|couple\sof)"
)
_UNIT = r"(?:working\s)?(?:days?|weeks?|wks?|months?|mths?|years?|yrs?)"
# Offsets from some other point ("within 3 months", "6 weeks after April 2010"):
# the due date is not any date written, so these block the due date.
_WITHIN = re.compile(
    r"(?<![a-z])within\s(?:the\s)?(?:next\s)?(?:" + _NUMBER + r"[\s-]?)?" + _UNIT + r"(?![a-z])",
    _FLAGS,
)
_OFFSET = re.compile(
    r"(?<![a-z\d])"
    + _NUMBER
    + r"[\s-]?"
    + _UNIT
    + r"\s(?:after|of|from|following|post|since|before|prior)(?![a-z])",
    _FLAGS,
)

# Words that make a month or year mean less than the whole period ("mid-March",
# "Spring 2010", "Q1 2020", "academic year 2010/11"); checked just before the token.
_PERIOD_QUALIFIER = re.compile(
    r"(?<![a-z])(?:early|mid|middle|beginning|start|spring|summer|autumn|winter|fall|"
    r"terms?|semester|quarters?|qtr|q[1-4]|half|halves|h[12]|weeks?|wk|"
    r"(?:academic|school|financial|fiscal)\syear|fy)"
    r"(?:\s?\d{1,2})?(?:\s(?:of|in))?(?:\sthe)?[\s,./-]*$",
    _FLAGS,
)
_FOLLOWING_QUALIFIER = re.compile(
    r"[\s,]*(?:academic|school|q[1-4](?![a-z])|quarter|term|semester)", _FLAGS
)
# "before March 2010" means by the end of February: not the end of the period named.
_BEFORE = re.compile(r"(?<![a-z])(?:before|prior\sto)(?:\sthe)?[\s,]*$", _FLAGS)
# Words after which a number is an item number, not a day ("Phase 2 June 2019").
_NUMBERING = re.compile(
    r"(?<![a-z])(?:phase|stage|step|part|level|tier|section|point|item|no|number|action|"
    r"recommendation|rec|para|paragraph|page|week|wk|term|year|yr|quarter|priority|objective|"
    r"outcome|ref|version|round|wave|cohort|group|appendix|annex|chapter|standard|module|"
    r"session|day)\.?\s?#?\s?$",
    _FLAGS,
)
# The last word (or number) before a bare year, and whatever punctuation follows it.
_LAST_WORD = re.compile(r"(?P<w>[a-z]+|\d+)?[^a-z0-9]*$", _FLAGS)
# Range words and punctuation running back from a bare year to an earlier date: in
# "April 2009 - 2010" the end could be April 2010, March 2010 or December 2010.
_JOINERS_TAIL = re.compile(
    r"(?:[\s,/&-]|(?<![a-z])(?:to|until|till|through|thru|and|or)(?![a-z]))*$", _FLAGS
)
# "April 2010/11", "Mar 10-11": a month followed by a year range is ambiguous.
_YEAR_RANGE_AFTER = re.compile(r"[/-]\d", _FLAGS)
# Words a bare year may follow and still be a timescale ("By 2010", "End of 2010").
_YEAR_LEADS = frozenset(
    {
        "by",
        "in",
        "during",
        "end",
        "of",
        "until",
        "till",
        "til",
        "to",
        "from",
        "and",
        "or",
        "the",
        "year",
        "calendar",
        "commence",
        "commencing",
        "complete",
        "completed",
        "completion",
        "due",
        "deadline",
        "date",
        "target",
        "review",
        "reviewed",
        "ongoing",
        "going",
        "continuous",
        "throughout",
        "for",
        "within",
        "immediate",
        "immediately",
        "evaluate",
        "evaluation",
    }
)
# Words after which a year is part of a title, not a timescale ("Children Act 2004",
# "Working Together 2018"): the year is ignored rather than blocking the due date.
_TITLE_WORDS = frozenset(
    {"act", "together", "children", "regulations", "guidance", "framework", "standards", "order"}
)
# Between a bare month and the dated month it shares a year with ("Jan - March 2010").
_RANGE_JOIN = re.compile(r"\.?[\s,/&-]*(?:(?:to|and|or|until|till|through|thru)[\s,/&-]*)?$")

_DEADLINE = re.compile(r"(?<![a-z])(?:by|deadline|due(?!\sto(?![a-z])))(?![a-z])", _FLAGS)
_IMMEDIATE = re.compile(
    r"(?<![a-z])(?:immediate|immediately|asap|a\.s\.a\.p|as\ssoon\sas\spossible)(?![a-z])",
    _FLAGS,
)
_ONGOING = re.compile(
    r"(?<![a-z])(?:on\s?-?\s?going|continuous(?:ly)?|continual(?:ly)?|continuing|"
    r"rolling\sprogramme)(?![a-z])",
    _FLAGS,
)
_COMPLETED = re.compile(r"(?<![a-z])(?:completed?|achieved)(?![a-z])", _FLAGS)
# "to be completed", "not yet complete", "partially completed": not a completed action.
_NOT_DONE_BEFORE = re.compile(
    r"(?<![a-z])(?:be|to|not|yet|will|must|should|shall|being|partially|partly|part|never|"
    r"if|when|once)\s?-?\s?$",
    _FLAGS,
)
# "Complete by March 2010" is an instruction with a deadline, not a record of completion.
_NOT_DONE_AFTER = re.compile(r"\s?-?\s?(?:by|before|within|no\slater)(?![a-z])", _FLAGS)


@dataclass(frozen=True)
class Timescale:
    """A timescale as written, plus what could safely be read from it."""

    text: str  # the input, unchanged ("" for None)
    dates: tuple[date, ...]  # every date named, in the order written, end of each period
    due: date | None  # when the action is due; None unless it can be read without guessing
    kind: str  # one of KINDS
    starts: date | None = None  # when the action starts, if the words say ("... onwards")

    @property
    def readable(self) -> bool:
        """False only when the words gave us nothing we understood."""
        return self.kind != "unknown"


def parse_timescale(text: str | None) -> Timescale:
    """Read a free-text timescale; never raises and never guesses a date.

    ``due`` is the latest date named after the first "by"/"due"/"deadline" (so
    "To commence October 2009 / To be completed by January 2010" is due January
    2010), otherwise the latest date named. It is None when no date is named, or
    when anything date-like in the text could not be read safely: a due date read
    from only part of the timescale could be the wrong one.

    ``kind`` is "completed", "ongoing" or "immediate" when those words are used
    (in that order of precedence, dates still read alongside them), otherwise
    "dated" when there is a due date, "empty" for a blank cell and "unknown" for
    everything else. A timescale that only says when the action starts ("April
    2016 onwards") is "ongoing", with ``starts`` and no due date; that date is not
    among ``dates``, which are ends.
    """
    raw = text if isinstance(text, str) else ""
    norm = _normalise(raw)
    if not norm:
        return Timescale(text=raw, dates=(), due=None, kind="empty")

    tokens = _scan(norm)
    starts = [token for token in tokens if token[2] is not None and _ONWARDS.match(norm, token[1])]
    ends = [token for token in tokens if token not in starts]
    dated = [(start, value) for start, _end, value in ends if value is not None]
    blocked = any(value is None for _start, _end, value in ends)
    due = None if blocked or not dated else _pick_due(norm, dated)
    if due is None and blocked:
        due = _explicit_deadline(norm, ends)

    status = _status(norm)
    if due is not None:
        kind = status or "dated"
    else:
        kind = status or ("ongoing" if starts and not blocked else "unknown")
    return Timescale(
        text=raw,
        dates=tuple(value for _start, value in dated),
        due=due,
        kind=kind,
        starts=_period_start(norm, *starts[0]) if starts else None,
    )


def _period_start(norm: str, start: int, end: int, value: date) -> date:
    """The first day of the period a token names; `value` is its last."""
    words = norm[start:end]
    if _QUARTER.fullmatch(words):
        return value.replace(month=value.month - 2, day=1)
    if _YEAR_PAIR.fullmatch(words):
        return date(value.year - 1, 4, 1)
    if _MONTH_YEAR.fullmatch(words):
        return value.replace(day=1)
    if _BARE_YEAR.fullmatch(words):
        return date(value.year, 1, 1)
    return value


def _normalise(text: str) -> str:
    """Fold the debris of Word/PDF conversion so the patterns see plain lower-case text."""
    folded = unicodedata.normalize("NFKC", text).translate(_TRANSLATE).lower()
    return " ".join(folded.split())


def _status(norm: str) -> str | None:
    """The status word used, if any: completed beats ongoing beats immediate."""
    for match in _COMPLETED.finditer(norm):
        before = _NOT_DONE_BEFORE.search(norm, max(0, match.start() - 20), match.start())
        after = _NOT_DONE_AFTER.match(norm, match.end())
        if before is None and after is None:
            return "completed"
    if _ONGOING.search(norm):
        return "ongoing"
    if _IMMEDIATE.search(norm):
        return "immediate"
    return None


def _pick_due(norm: str, dated: list[tuple[int, date]]) -> date:
    """Latest date after the first deadline word if any follow it, else the latest date."""
    keyword = _DEADLINE.search(norm)
    if keyword is not None:
        after = [value for start, value in dated if start >= keyword.end()]
        if after:
            return max(after)
    return max(value for _start, value in dated)


def _explicit_deadline(norm: str, tokens: list[tuple[int, int, date | None]]) -> date | None:
    """A date the words name outright as the deadline ("to be completed by January 2010"),
    even when another phrase cannot be read ("audit one year after completion"): the first
    token after the deadline word decides, so an unreadable one there still blocks."""
    keyword = _DEADLINE.search(norm)
    if keyword is None:
        return None
    following = [value for start, _end, value in tokens if start >= keyword.end()]
    return following[0] if following else None


def _scan(norm: str) -> list[tuple[int, int, date | None]]:
    """Find every date-like token, most specific pattern first, in the order written.

    Each token is (start, end, date); date None means "looks like a date, cannot be
    read safely". A span taken by one pattern is not re-read by a later, looser one
    (so "31/02/2010" is not rescued as the bare year 2010).
    """
    taken = bytearray(len(norm))
    tokens: list[tuple[int, int, date | None]] = []
    for pattern, handler in _RULES:
        pos = 0
        while pos <= len(norm):
            match = pattern.search(norm, pos)
            if match is None:
                break
            start, end = match.span()
            if end == start or any(taken[start:end]):
                pos = start + 1
                continue
            value = handler(match, norm, taken)
            if value == _SKIP:
                pos = start + 1
                continue
            taken[start:end] = b"\x01" * (end - start)
            tokens.append((start, end, value if isinstance(value, date) else None))
            pos = end
    tokens.extend(_bare_months(norm, taken, tokens))
    tokens.sort()
    return tokens


def _bare_months(
    norm: str, taken: bytearray, tokens: list[tuple[int, int, date | None]]
) -> list[tuple[int, int, date | None]]:
    """Months written without a year.

    One that runs into a dated month ("Jan - March 2010", "June/July 2010") takes
    that year when it is not later in the year; any other is unreadable ("30th
    June"), except "may", which is usually just the verb.
    """
    found = []
    for match in _BARE_MONTH.finditer(norm):
        if not any(taken[match.start() : match.end()]):
            found.append(match)
    resolved: list[tuple[int, int, date | None]] = []
    following = sorted(tokens)
    for match in reversed(found):
        month = _MONTHS[match.group("mon")]
        later = [token for token in following if token[0] >= match.end()]
        value: date | None = None
        if later:
            start, _end, next_date = later[0]
            joined = _RANGE_JOIN.match(norm[match.end() : start]) is not None
            if joined and next_date is not None and month <= next_date.month:
                value = _month_end(next_date.year, month)
        if value is None and match.group("mon") == "may":
            continue
        token = (match.start(), match.end(), value)
        resolved.append(token)
        following = sorted([*following, token])
    return resolved


def _full_year(digits: str) -> int:
    """Two-digit years pivot at 70; four-digit years are as written."""
    year = int(digits)
    if len(digits) == 2:
        return year + (2000 if year < 70 else 1900)
    return year


def _year_ok(year: int) -> bool:
    return _MIN_YEAR <= year <= _MAX_YEAR


def _safe_date(year: int, month: int, day: int) -> date | str:
    if not _year_ok(year):
        return _BAD
    try:
        return date(year, month, day)
    except ValueError:
        return _BAD


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _safe_month_end(year: int, month: int) -> date | str:
    if not _year_ok(year) or not 1 <= month <= 12:
        return _BAD
    return _month_end(year, month)


def _before(norm: str, start: int) -> bool:
    return _BEFORE.search(norm, max(0, start - 20), start) is not None


def _qualified(norm: str, start: int, end: int) -> bool:
    """True when words around a month/year narrow it to part of the period."""
    if _PERIOD_QUALIFIER.search(norm, max(0, start - 40), start) is not None:
        return True
    return _FOLLOWING_QUALIFIER.match(norm, end) is not None


def _on_iso(match: re.Match[str], norm: str, taken: bytearray) -> date | str:
    if _before(norm, match.start()):
        return _BAD
    return _safe_date(int(match["y"]), int(match["m"]), int(match["d"]))


def _on_numeric_dmy(match: re.Match[str], norm: str, taken: bytearray) -> date | str:
    if _before(norm, match.start()):
        return _BAD
    return _safe_date(_full_year(match["y"]), int(match["m"]), int(match["d"]))


def _on_named_dmy(match: re.Match[str], norm: str, taken: bytearray) -> date | str:
    start = match.start()
    if match["ord"] is None and _NUMBERING.search(norm, max(0, start - 20), start):
        return _SKIP  # "Phase 2 June 2019": leave "June 2019" for the month-year rule
    if match["ord"] is None and _MONTH_BEFORE.search(norm, max(0, start - 20), start):
        return _SKIP  # "Aug 09 - Dec 09": two month-years, not 9 December
    if _before(norm, start):
        return _BAD
    return _safe_date(_full_year(match["y"]), _MONTHS[match["mon"]], int(match["d"]))


def _on_named_mdy(match: re.Match[str], norm: str, taken: bytearray) -> date | str:
    if _before(norm, match.start()):
        return _BAD
    return _safe_date(int(match["y"]), _MONTHS[match["mon"]], int(match["d"]))


def _on_month_year(match: re.Match[str], norm: str, taken: bytearray) -> date | str:
    if _before(norm, match.start()) or _qualified(norm, match.start(), match.end()):
        return _BAD
    if _YEAR_RANGE_AFTER.match(norm, match.end()):
        return _BAD
    return _safe_month_end(_full_year(match["y"]), _MONTHS[match["mon"]])


def _first_financial_year(match: re.Match[str]) -> int | str:
    """The first year of a financial year written "2019/20" or "2019-2020", or _BAD/_SKIP."""
    first = int(match["y1"])
    if not _year_ok(first):
        return _SKIP
    second = match["y2"]
    consecutive = int(second) == (first + 1 if len(second) == 4 else (first + 1) % 100)
    spaced = bool(match["sp1"] or match["sp2"])  # "2019 - 2020" may be a calendar range
    return first if consecutive and not spaced else _BAD


def _on_year_pair(match: re.Match[str], norm: str, taken: bytearray) -> date | str:
    """UK financial year "2019/20" or "2019-2020": ends 31 March of the second year."""
    first = _first_financial_year(match)
    if isinstance(first, str):
        return first
    start = match.start()
    named = _FINANCIAL_YEAR.search(norm, max(0, start - 20), start)
    if named is not None:  # "financial year 2019/20": qualifiers come before those words
        start = named.start()
    if _before(norm, start) or _qualified(norm, start, match.end()):
        return _BAD
    return _safe_date(first + 1, 3, 31)


def _on_quarter(match: re.Match[str], norm: str, taken: bytearray) -> date | str:
    """ "Q3 2016/17": the last day of that quarter of the UK financial year."""
    first = _first_financial_year(match)
    if isinstance(first, str):
        return first
    if _before(norm, match.start()) or _qualified(norm, match.start(), match.end()):
        return _BAD
    quarter = int(match["q"])
    if quarter == 4:
        return _safe_month_end(first + 1, 3)
    return _safe_month_end(first, 3 + 3 * quarter)


def _on_bare_year(match: re.Match[str], norm: str, taken: bytearray) -> date | str:
    """A year on its own ends on 31 December, if it reads as a timescale at all."""
    year = int(match["y"])
    start = match.start()
    if not _year_ok(year):
        return _SKIP  # just a number ("1500 staff")
    if _before(norm, start) or _qualified(norm, start, match.end()):
        return _BAD
    joiners = _JOINERS_TAIL.search(norm, max(0, start - 30), start)
    if joiners is not None and joiners.start() > 0 and taken[joiners.start() - 1]:
        return _BAD  # "April 2009 - 2010": which point in 2010 is not written
    lead = _LAST_WORD.search(norm, max(0, start - 40), start)
    word = lead["w"] if lead is not None else None
    if word is None:
        return _safe_date(year, 12, 31)  # the year starts the text
    if word in _TITLE_WORDS:
        return _SKIP
    if word.isdigit() or word not in _YEAR_LEADS:
        return _BAD  # "Peb 2020", "Phase 2 2010": something we cannot read names the period
    return _safe_date(year, 12, 31)


def _on_day_month_pair(match: re.Match[str], norm: str, taken: bytearray) -> date | str:
    """A day and month with no year ("30/6") cannot be dated; "24/7" is not a date."""
    day, month = int(match["d"]), int(match["m"])
    if match.group(0) == "24/7" or not (1 <= day <= 31 and 1 <= month <= 12):
        return _SKIP
    return _BAD


def _unreadable(match: re.Match[str], norm: str, taken: bytearray) -> str:
    return _BAD


_RULES = (
    (_WITHIN, _unreadable),
    (_OFFSET, _unreadable),
    (_ISO, _on_iso),
    (_NUMERIC_DMY, _on_numeric_dmy),
    (_NAMED_DMY, _on_named_dmy),
    (_NAMED_MDY, _on_named_mdy),
    (_MONTH_YEAR, _on_month_year),
    (_QUARTER, _on_quarter),
    (_YEAR_PAIR, _on_year_pair),
    (_BARE_YEAR, _on_bare_year),
    (_DAY_MONTH_PAIR, _on_day_month_pair),
)


# A list item's number: "1." at the start or after a space, followed by a space or the end
# (so "31.03.2020", "1.5 days" and "2020." are not items).
_ITEM_NUMBER = re.compile(r"(?:^|(?<=\s))(?P<n>\d{1,3})\.(?=\s|$)", re.ASCII)


def split_numbered(text: str | None) -> list[str] | None:
    """The items of a cell written as a numbered list, "1. Complete 2. 31 March 2020" ->
    ["Complete", "31 March 2020"], on one line or several; None unless the cell is a clean
    list: it starts at "1.", numbers every item in turn with nothing else that looks like an
    item number, and no item is empty.

    Plans number the actions in one cell and their timescales in the next the same way, so
    each split action can be given its own timescale.
    """
    raw = text if isinstance(text, str) else ""
    stripped = raw.strip()
    marks = list(_ITEM_NUMBER.finditer(stripped))
    if not marks or marks[0].start() != 0:
        return None
    if [int(mark["n"]) for mark in marks] != list(range(1, len(marks) + 1)):
        return None
    ends = [mark.start() for mark in marks[1:]] + [len(stripped)]
    items = [stripped[mark.end() : end].strip() for mark, end in zip(marks, ends, strict=True)]
    return items if all(items) else None


# -- Timescales and milestones -------------------------------------------------------------


def timescale_dates(text):
    """(due date, {date: label}) for a timescale as written.

    Milestones are every date the words name, labelled with the words that named it, but only
    when the parser could read a due date: a timescale it could not read safely gives none.
    """
    due, milestones = _read_timescale(text)
    return due, dict(milestones)


@functools.lru_cache(maxsize=4096)  # plans repeat their timescales row after row
def _read_timescale(text):
    timescale = parse_timescale(text)
    if timescale.due is None:
        return None, ()
    labels = _milestone_labels(timescale.text)
    milestones = {}
    for value in timescale.dates:
        milestones.setdefault(value, (labels.get(value) or f"{value:%b %Y}")[:100])
    return timescale.due, tuple(milestones.items())


def _milestone_labels(text):
    """The words that named each date ("Oct 2009", "31/12/09"), case as written.

    Uses the parser's scanner on a copy of the text normalised the same way but not
    lower-cased; if anything does not line up, labels fall back to "Mon YYYY".
    """
    try:
        norm = _normalise(text)
        folded = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
        original = " ".join(folded.split())
        if len(original) != len(norm):
            return {}
        labels = {}
        for start, end, value in _scan(norm):
            if value is not None:
                labels.setdefault(value, original[start:end])
        return labels
    except Exception:  # a private helper changed shape: labels are a nicety
        return {}
