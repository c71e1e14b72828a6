"""Values for the data set from a spreadsheet (XLSX or CSV), checked whole before anything
is stored.

plans/spreadsheets.py reads the file safely (size, cells, rows and time budgets) into rows of
text; this module knows what the columns mean. Two layouts are read:

- one value a row: columns "Measure", "Period", "Value" and, optionally, "Commentary" and
  "Missing reason";
- a grid, as data sets are usually kept: "Measure" in the first column and one column per
  period ("Q1 2016/17", "Apr-Jun 2016", "May 2017"...), a value in each cell.

Every problem is reported with its file, row and column, and the import stores nothing until
the whole file is clean; an unknown measure name is a problem, never a new measure. A value
written as "missing", "n/a" or "-" is recorded as missing, with that said as the reason; an
empty cell in a grid records nothing.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core import signing
from django.db import transaction

from plans.spreadsheets import ImportFailed, Problem, column_letter, read_table

from . import periods
from .models import Measure, MeasureValue

MISSING_WORDS = {"missing", "n/a", "na", "-", "\u2013", "not available", "no data", "nd"}
HEADINGS = {
    "measure": {"measure", "measure name", "name", "indicator"},
    "period": {"period", "quarter", "month", "period start"},
    "value": {"value", "figure", "result"},
    "commentary": {"commentary", "comment", "comments", "narrative"},
    "missing": {"missing reason", "why missing", "reason missing", "reason"},
}
MAX_ENTRIES = 5000
SALT = "performance.import"


@dataclass
class Entry:
    measure: Measure
    start: object
    value: Decimal | None
    missing_reason: str
    commentary: str | None  # None: keep what the period says now
    row: int

    def as_list(self):
        value = None if self.value is None else str(self.value)
        return [self.measure.pk, self.start.isoformat(), value, self.missing_reason,
                self.commentary, self.row]  # fmt: skip


def parse_value(text):
    """(value, missing reason, error) from a typed or imported value."""
    text = (text or "").strip()
    if text.casefold() in MISSING_WORDS:
        return None, f"Marked missing ({text})", ""
    cleaned = text.replace(",", "").replace("%", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None, "", f'"{text}" is not a number: write it like 21.5, or "missing"'
    if not value.is_finite() or abs(value) >= Decimal("1e10"):
        return None, "", f'"{text}" is not a number this data set can hold'
    return value.quantize(Decimal("0.01")), "", ""


class _File:
    """One file being read: its rows, its measures, and the problems found so far."""

    def __init__(self, table, partnership, today):
        self.table = table
        self.today = today
        self.problems = []
        self.entries = []
        self.seen = {}
        live = Measure.objects.live().filter(partnership=partnership)
        self.measures = {m.name.strip().casefold(): m for m in live}
        self.partnership = partnership

    def problem(self, message, row=None, index=None):
        heading = ""
        if index is not None and self.header and index < len(self.header):
            heading = self.header[index]
        letter = column_letter(index) if index is not None else ""
        self.problems.append(
            Problem(message, row=row, column=heading, letter=letter, file=self.table.filename)
        )

    def find_header(self):
        """The first row (of the first ten) naming a "Measure" column, as (index, cells)."""
        for index, cells in enumerate(self.table.rows[:10]):
            names = [cell.strip().casefold() for cell in cells]
            if any(name in HEADINGS["measure"] for name in names):
                return index, cells
        return None, []

    def column(self, key):
        names = [cell.strip().casefold() for cell in self.header]
        return next((i for i, name in enumerate(names) if name in HEADINGS[key]), None)

    def measure(self, text, row, index):
        name = " ".join(text.split()).casefold()
        found = self.measures.get(name)
        if found is None:
            self.problem(
                f'No measure called "{text}" in {self.partnership.short_name}\'s data set: '
                "check the spelling, or add the measure first",
                row,
                index,
            )
        return found

    def period(self, measure, text, row, index):
        start = periods.parse(text, measure.frequency)
        if start is None:
            example = (
                '"Q1 2016/17" or "Apr-Jun 2016"'
                if measure.frequency == "quarter"
                else ('"May 2017"')
            )
            self.problem(
                f'"{text}" is not a {measure.frequency} for {measure.name}: write it like '
                f"{example}",
                row,
                index,
            )
        elif start > self.today:
            self.problem(f"The period {text} has not started yet", row, index)
            return None
        return start

    def add(self, measure, start, cell, row, index, commentary=None, reason=""):
        value, missing, error = parse_value(cell) if cell.strip() else (None, "", "")
        if error:
            self.problem(error, row, index)
            return
        if value is None and not missing:
            missing = reason
        if value is None and not missing:
            self.problem(
                f"Enter the value of {measure.name}, or say why it is missing "
                '(in a "Missing reason" column, or write "missing")',
                row,
                index,
            )
            return
        if value is not None and reason:
            self.problem("Give a value or a reason it is missing, not both", row, index)
            return
        key = (measure.pk, start)
        if key in self.seen:
            self.problem(
                f"{measure.name} for {periods.label(start, measure.frequency)} is given twice "
                f"(rows {self.seen[key]} and {row})",
                row,
                index,
            )
            return
        self.seen[key] = row
        self.entries.append(Entry(measure, start, value, missing, commentary, row))


def _read_rows(reading, start):
    for number, cells in enumerate(reading.table.rows[start + 1 :], start=start + 2):
        if any(cell.strip() for cell in cells):
            yield number, cells + [""] * (len(reading.header) - len(cells))


def _read_long(reading, start, columns):
    for row, cells in _read_rows(reading, start):
        measure = reading.measure(cells[columns["measure"]], row, columns["measure"])
        if measure is None:
            continue
        text = cells[columns["period"]].strip()
        period = reading.period(measure, text, row, columns["period"])
        if period is None:
            continue
        commentary = cells[columns["commentary"]] if columns["commentary"] is not None else None
        reason = cells[columns["missing"]].strip() if columns["missing"] is not None else ""
        reading.add(measure, period, cells[columns["value"]], row, columns["value"],
                    commentary, reason)  # fmt: skip


def _read_grid(reading, start, name_column):
    headings = [(i, cell.strip()) for i, cell in enumerate(reading.header) if i != name_column]
    headings = [(i, text) for i, text in headings if text]
    if not headings:
        reading.problem("The file has a Measure column but no period or Value columns", start + 1)
        return
    for row, cells in _read_rows(reading, start):
        measure = reading.measure(cells[name_column], row, name_column)
        if measure is None:
            continue
        for index, heading in headings:
            cell = cells[index].strip()
            if not cell:
                continue  # an empty cell in a grid records nothing
            period = reading.period(measure, heading, start + 1, index)
            if period is not None:
                reading.add(measure, period, cell, row, index)


def read_values(data, filename, partnership, today):
    """The file's entries, or ImportFailed with every problem found."""
    reading = _File(read_table(data, filename), partnership, today)
    start, reading.header = reading.find_header()
    if start is None:
        raise ImportFailed(
            [
                Problem(
                    'No "Measure" column in the first ten rows: add a heading row with '
                    '"Measure", "Period" and "Value" (or one column per period)',
                    file=reading.table.filename,
                )
            ]  # fmt: skip
        )
    columns = {key: reading.column(key) for key in HEADINGS}
    if columns["period"] is not None and columns["value"] is not None:
        _read_long(reading, start, columns)
    else:
        _read_grid(reading, start, columns["measure"])
    if not reading.problems and not reading.entries:
        reading.problem("The file has no values to import", start + 1)
    if len(reading.entries) > MAX_ENTRIES:
        reading.problem(f"The file has more than {MAX_ENTRIES:,} values: split it")
    if reading.problems:
        raise ImportFailed(reading.problems)
    return reading.entries  # in the file's order, as the preview lists them


# -- Preview and apply ------------------------------------------------------------------------


def preview(entries):
    """[{entry, period, shown, before, change}] against what the data set holds now."""
    current = {
        (row.measure_id, row.period_start): row
        for row in _current_rows({e.measure.pk for e in entries})
    }
    rows = []
    for entry in entries:
        now = current.get((entry.measure.pk, entry.start))
        shown = entry.measure.show(entry.value) if entry.value is not None else "missing"
        before = (
            ""
            if now is None
            else (entry.measure.show(now.value) if now.value is not None else "missing")
        )
        rows.append(
            {
                "entry": entry,
                "period": entry.measure.period_label(entry.start),
                "shown": shown,
                "before": before,
                "change": _change(now, entry),
            }
        )
    return rows


def _current_rows(measure_ids):
    return MeasureValue.objects.filter(measure_id__in=measure_ids)


def _change(now, entry):
    if now is None:
        return "New"
    same = now.value == entry.value and (
        entry.value is not None or (now.missing_reason == entry.missing_reason)
    )
    if same and entry.commentary in (None, now.commentary):
        return "Unchanged"
    return "Changed"


def sign(partnership, entries):
    return signing.dumps(
        {"p": partnership.pk, "e": [e.as_list() for e in entries]}, salt=SALT, compress=True
    )


def unsign(token, partnership):
    """The entries a preview signed, checked again against the live measures; raises
    ValueError with a message when the preview is stale or not this partnership's."""
    try:
        data = signing.loads(token, salt=SALT, max_age=60 * 60)
    except signing.BadSignature as exc:
        raise ValueError("The preview has expired or was changed: upload the file again") from exc
    if data.get("p") != partnership.pk:
        raise ValueError("The preview is for another partnership: upload the file again")
    measures = Measure.objects.live().filter(partnership=partnership).in_bulk()
    entries = []
    for pk, start, value, reason, commentary, row in data["e"]:
        if pk not in measures:
            raise ValueError(
                f"A measure in the file (row {row}) has been archived since the preview: "
                "upload the file again"
            )
        entries.append(
            Entry(
                measures[pk],
                date.fromisoformat(start),
                None if value is None else Decimal(value),
                reason,
                commentary,
                row,
            )  # fmt: skip
        )
    return entries


@transaction.atomic
def apply(entries, *, by):
    """Record every entry, or none: {"added": n, "changed": n, "unchanged": n}."""
    counts = {"added": 0, "changed": 0, "unchanged": 0}
    for entry in entries:
        _, what = entry.measure.record(
            entry.start,
            by=by,
            value=entry.value,
            missing_reason=entry.missing_reason,
            commentary=entry.commentary,
        )
        counts[what] += 1
    return counts
