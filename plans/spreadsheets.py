"""Read an uploaded plan file (XLSX or CSV) into tables of text cells, safely.

A plan file comes from outside, so the work of reading it is budgeted before and while it is
parsed, and a file past any budget is refused quickly with a message naming it:

- the upload's size (settings.PLAN_IMPORT_MAX_BYTES);
- for a workbook, before openpyxl sees it: what the archive unpacks to
  (PLAN_IMPORT_MAX_UNZIPPED_BYTES, never more than 25 times the upload limit) and no part
  packed far more tightly than spreadsheets ever are (a "zip bomb"). The sizes in the zip's
  headers can be trusted for this because zipfile never unpacks past them;
- then a streaming pass over the archive's XML that builds nothing: the cells and shared
  strings it holds (PLAN_IMPORT_MAX_CELLS), the cells in one row (Excel's own 16,384), and
  where the last filled row and column really are;
- while reading: rows (PLAN_IMPORT_MAX_ROWS) and the time taken (PLAN_IMPORT_MAX_SECONDS).

Nothing a sheet says about itself is trusted: `<dimension>` is ignored (a sheet claiming
A1:XFD1048576 is read by what it holds), rows are read only as far as the last filled one, and
columns past MAX_COLUMNS are dropped, never padded.

This module knows nothing of what a plan's columns mean: plans/importing.py does.
"""

import csv
import datetime
import io
import re
import time
import xml.parsers.expat
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings

MAX_COLUMNS = 60
MAX_ROW_CELLS = 16_384  # the most columns Excel allows
MAX_PART_ELEMENTS = 500_000  # a part openpyxl parses whole (styles, workbook...), in elements
TIGHT_RATIO = 100  # spreadsheets pack about 10:1; a large part packed past this is a bomb
TIGHT_SIZE = 5 * 1024 * 1024
DELIMITER_SEARCH_ROWS = 30
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
NOT_EXCEL = "The file cannot be read: it is not a valid Excel .xlsx file."
SPLIT_IT = "Save it again from Excel, or split it."


def max_bytes():
    """Largest file accepted (settings.PLAN_IMPORT_MAX_BYTES, default 10 MB)."""
    return settings.PLAN_IMPORT_MAX_BYTES


def max_rows():
    return getattr(settings, "PLAN_IMPORT_MAX_ROWS", 20_000)


def max_unzipped_bytes():
    """What a workbook may unpack to (default 50 MB), never more than 25 times the upload
    limit: a small upload limit keeps what the file unpacks to small too."""
    budget = getattr(settings, "PLAN_IMPORT_MAX_UNZIPPED_BYTES", 50 * 1024 * 1024)
    return min(budget, 25 * max_bytes())


def max_cells():
    """Cells and shared strings in the whole workbook (default 1,000,000: openpyxl reads some
    150,000 a second, so this keeps a file that passes well inside the time budget)."""
    return getattr(settings, "PLAN_IMPORT_MAX_CELLS", 1_000_000)


def max_seconds():
    return getattr(settings, "PLAN_IMPORT_MAX_SECONDS", 10)


def _megabytes(size):
    return f"{size / (1024 * 1024):.3g} MB"


def column_letter(index):
    """0 -> "A", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# -- Problems ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an imported file, located as a person would find it in Excel."""

    message: str
    row: int | None = None  # spreadsheet row number, 1-based; None for the whole file
    column: str = ""  # the column's heading as the file writes it
    letter: str = ""  # the spreadsheet column letter, "E"
    file: str = ""

    def location(self):
        parts = [self.file] if self.file else []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column or self.letter:
            name = f"column {self.letter}" if self.letter else "column"
            parts.append(f"{name} ({self.column})" if self.column else name)
        return ", ".join(parts)

    def __str__(self):
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


class ImportFailed(Exception):
    """The file cannot be imported; `problems` says every reason, each with its place."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems[:5]))


@dataclass
class Table:
    filename: str
    rows: list[list[str]]  # rows[i] is spreadsheet row i + 1
    sheet: str = ""  # the sheet's name in a workbook; "" for a CSV
    columns: int = 0  # the widest filled column, counted before rows were cut to MAX_COLUMNS


# -- Cells ---------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def cell_text(value, number_format=None):
    """A cell as the text a person sees: dates day-first, whole numbers without ".0".

    A date Excel shows as a month and year (number format "mmm-yy", "mmmm yyyy") is that
    month and year as Excel shows it ("Mar-17"), not the first of the month it stores: a
    timescale of "March 2017" is due at the end of March.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.date):
        shown = month_year_text(value, number_format) if number_format else None
        if shown is not None:
            return shown
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    # NUL and other control characters are never meant, and PostgreSQL refuses NUL.
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [line.strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


# A number format's pieces: "quoted" and \escaped text; [colour] or [$-809] locale, _x (a
# space), *x (a fill) and @ (the text), which show nothing here; date codes; anything else.
_FORMAT_TOKEN = re.compile(
    r'"(?P<quoted>[^"]*)"|\\(?P<escaped>.)|\[[^\]]*\]|_.|\*.|@'
    r"|(?P<code>y+|m+|d+|h+|s+|a/p|am/pm)|(?P<other>.)",
    re.IGNORECASE | re.DOTALL,
)
_NAMED_MONTH_CODES = {"mmm", "mmmm", "yy", "yyyy"}


def month_year_text(value, number_format):
    """The text Excel shows for a date whose format names only a month and a year
    ("mmm-yy" -> "Mar-17", "mmmm yyyy" -> "March 2017"); None for any other format.

    A format that writes the month as a number ("mm/yyyy") is shown as "Mar 2017" instead,
    so that the timescale reader sees a month and year, not what looks like a day and month.
    """
    tokens = list(_FORMAT_TOKEN.finditer(str(number_format).split(";")[0]))
    codes = {token["code"].lower() for token in tokens if token["code"]}
    if {code[0] for code in codes} != {"m", "y"}:
        return None
    if not codes <= _NAMED_MONTH_CODES or not codes & {"mmm", "mmmm"}:
        return f"{value:%b %Y}"
    shown = {"mmm": f"{value:%b}", "mmmm": f"{value:%B}", "yy": f"{value:%y}"}
    shown["yyyy"] = f"{value:%Y}"
    text = "".join(
        shown[token["code"].lower()]
        if token["code"]
        else token["quoted"] or token["escaped"] or token["other"] or ""
        for token in tokens
    )
    return text.strip()


def _trim(cells):
    """Texts without the empty cells that end a row."""
    while cells and not cells[-1]:
        cells.pop()
    return cells


# -- Files ---------------------------------------------------------------------------------


class _Reading:
    """One file being read: its name for messages, and the time it may take."""

    def __init__(self, name):
        self.name = name
        self.deadline = time.monotonic() + max_seconds()

    def fail(self, message):
        raise ImportFailed([Problem(message, file=self.name)])

    def tick(self):
        if time.monotonic() > self.deadline:
            self.fail(
                f"The file cannot be imported: reading it took more than {max_seconds():g} "
                f"seconds. {SPLIT_IT}"
            )


def read_tables(data, filename):
    """Every sheet of a workbook that has any text, in sheet order, as rows of text cells
    (a CSV is one Table); raises ImportFailed if the file cannot be read safely."""
    return _read(data, filename)[0]


def read_table(data, filename):
    """The sheet a workbook opens at (its active sheet) if it has text, otherwise its first
    sheet with text; a CSV's only table. Raises ImportFailed if it cannot be read, or if that
    sheet is far wider than any plan."""
    tables, active = _read(data, filename)
    table = next((t for t in tables if t.sheet == active), tables[0])
    if table.columns > 4 * MAX_COLUMNS:
        where = f'The sheet "{table.sheet}"' if table.sheet else "The file"
        _Reading(table.filename).fail(
            f"{where} has {table.columns:,} columns; a plan has at most {MAX_COLUMNS}. "
            "Delete the unused columns and save the file again."
        )
    return table


def _read(data, filename):
    """(tables with text, the active sheet's name or "")."""
    name = PurePath(filename or "upload").name
    suffix = PurePath(name).suffix.lower()
    reading = _Reading(name)
    if suffix == ".xls":
        reading.fail("Wrong file type: this is an old Excel .xls file. Save it as .xlsx or .csv.")
    if suffix not in EXCEL_SUFFIXES | {".csv"}:
        reading.fail("Wrong file type: import an Excel .xlsx file or a .csv file.")
    if not data:
        reading.fail("The file is empty.")
    if len(data) > max_bytes():
        reading.fail(f"The file is larger than {max_bytes() / (1024 * 1024):g} MB.")
    if suffix in EXCEL_SUFFIXES:
        sheets, active = _read_xlsx(data, reading)
    else:
        sheets, active = [("", *_read_csv(data, reading))], ""
    tables = []
    for title, rows, columns in sheets:
        while rows and not any(rows[-1]):
            rows.pop()
        if rows:
            tables.append(Table(filename=name, rows=rows, sheet=title, columns=columns))
    if not tables:
        reading.fail("The file is empty: it has no filled cells.")
    return tables, active


# -- Workbooks -----------------------------------------------------------------------------


def _read_xlsx(data, reading):
    """([(sheet name, rows, widest filled column)], active sheet name)."""
    import openpyxl  # imported here: only uploads of Excel files pay for it

    if not zipfile.is_zipfile(io.BytesIO(data)):
        reading.fail(NOT_EXCEL)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_archive(archive, reading)
            shapes = _scan_archive(archive, reading)
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            reading.tick()
            formats = _shows_month_years(workbook)
            sheets = [
                (sheet.title, *_read_sheet(sheet, shapes, reading, formats))
                for sheet in workbook.worksheets
                if hasattr(sheet, "reset_dimensions")  # not a chart sheet
            ]
            active = workbook.active.title if workbook.active is not None else ""
        finally:
            workbook.close()
    except ImportFailed:
        raise
    except Exception:  # zipfile and openpyxl raise many kinds on a damaged file
        reading.fail(NOT_EXCEL)
    if not sheets:
        reading.fail("The file is empty: it has no sheets.")
    return sheets, active


def _check_archive(archive, reading):
    """Refuse a workbook that unpacks to too much, before anything is unpacked."""
    members = archive.infolist()
    unzipped = sum(info.file_size for info in members)
    if unzipped > max_unzipped_bytes():
        reading.fail(
            f"The file cannot be imported: it unpacks to more than "
            f"{_megabytes(max_unzipped_bytes())}. {SPLIT_IT}"
        )
    for info in members:
        if info.file_size > TIGHT_SIZE and info.file_size > TIGHT_RATIO * info.compress_size:
            reading.fail(
                f"The file cannot be imported: part of it ({info.filename}) unpacks to "
                f"{info.file_size / max(info.compress_size, 1):,.0f} times its packed size, "
                f"which a spreadsheet never does. {SPLIT_IT}"
            )


@dataclass
class _Shape:
    """What a streaming pass found in one worksheet part."""

    last_row: int = 0  # the last row holding a value, 1-based; 0 for none
    columns: int = 0  # the widest column holding a value


def _is_cell_part(filename):
    return "worksheets/" in filename or filename.rsplit("/", 1)[-1] == "sharedStrings.xml"


def _scan_archive(archive, reading):
    """{worksheet part: _Shape}, refusing past the cell budget or the time budget.

    Uses expat with a handler per element and no tree, so even a file built to be slow costs
    a fraction of what openpyxl would spend on it. A DOCTYPE is refused (no workbook has one;
    it is how XML entity bombs start).
    """
    scan = _Scan(reading)
    shapes = {}
    for info in archive.infolist():
        filename = info.filename
        if not filename.endswith((".xml", ".rels")) or "pivotCache" in filename:
            continue  # openpyxl reading a workbook for its values never parses these
        cell_part = _is_cell_part(filename)
        scan.start_part(filename)
        parser = xml.parsers.expat.ParserCreate()
        parser.StartElementHandler = scan.cell_element if cell_part else scan.element
        parser.StartDoctypeDeclHandler = scan.doctype
        with archive.open(info) as source:
            while chunk := source.read(1 << 16):
                parser.Parse(chunk, False)
                reading.tick()
            parser.Parse(b"", True)
        if cell_part:
            shapes[filename] = _Shape(scan.last_row, scan.last_column)
    return shapes


_REF = re.compile(r"([A-Za-z]{1,3})(\d+)$")


class _Scan:
    """expat handlers counting cells (`c`, and `si` shared strings) for the whole file, and
    the elements of each other part (openpyxl builds those whole in memory)."""

    def __init__(self, reading):
        self.reading = reading
        self.cells = 0
        self.limit = max_cells()
        self.kinds = {"c": "c", "v": "v", "is": "v", "row": "row", "si": "si"}

    def start_part(self, filename):
        self.part = filename
        self.elements = 0
        self.row = self.row_cells = self.column = 0
        self.last_row = self.last_column = 0
        self.ref = None  # the open cell's "r" (or its counted place), until a value shows

    def doctype(self, *args):
        self.reading.fail(NOT_EXCEL)

    def element(self, name, attrs):
        self.elements += 1
        if self.elements > MAX_PART_ELEMENTS:
            self.reading.fail(
                f"The file cannot be imported: its part {self.part} is far larger than a "
                f"spreadsheet needs. {SPLIT_IT}"
            )

    def cell_element(self, name, attrs):
        kind = self.kinds.get(name)
        if kind is None:  # a prefixed name ("x:c"), once per name
            kind = self.kinds[name] = self.kinds.get(name.rpartition(":")[2], "")
        if kind == "c":
            self._cell(attrs)
        elif kind == "v" and self.ref is not None:
            row, column = self._place(self.ref)
            self.last_row = max(self.last_row, row)
            self.last_column = max(self.last_column, column)
            self.ref = None
        elif kind == "row":
            self.row = int(attrs["r"]) if attrs.get("r", "").isdigit() else self.row + 1
            self.row_cells = self.column = 0
            self.ref = None
        elif kind == "si":
            self._count()

    def _cell(self, attrs):
        self._count()
        self.row_cells += 1
        if self.row_cells > MAX_ROW_CELLS:
            self.reading.fail(
                f"The file cannot be read: a row of it has more than {MAX_ROW_CELLS:,} cells, "
                "more than Excel allows."
            )
        self.column += 1
        self.ref = attrs.get("r") or (self.row, self.column)

    def _place(self, ref):
        """(row, column) of a cell, from its "r" ("AB12") when it has one."""
        if isinstance(ref, tuple):
            return ref
        match = _REF.match(ref)
        if match is None:
            return self.row, self.column
        column = 0
        for letter in match.group(1).upper():
            column = column * 26 + ord(letter) - 64
        self.column = column
        return int(match.group(2)), column

    def _count(self):
        self.cells += 1
        if self.cells > self.limit:
            self.reading.fail(
                f"The file cannot be imported: it has more than {self.limit:,} cells. "
                "Delete the rows and columns it does not need, or split it."
            )


def _read_sheet(sheet, shapes, reading, formats=True):
    """(rows of text, widest filled column) of one worksheet; `formats` False when no cell
    can need its number format, which reads the sheet in about half the time."""
    shape = shapes.get(getattr(sheet, "_worksheet_path", None))
    sheet.reset_dimensions()  # its <dimension> may lie: read what is there
    if shape is not None and shape.last_row == 0:
        return [], 0
    last_row = shape.last_row if shape is not None else None
    if last_row is not None and last_row > max_rows():
        _too_many_rows(reading)
    rows = []
    for cells in sheet.iter_rows(max_row=last_row, max_col=MAX_COLUMNS, values_only=not formats):
        if len(rows) >= max_rows():
            _too_many_rows(reading)
        reading.tick()
        if formats:
            rows.append(_trim([_excel_cell_text(cell) for cell in cells]))
        else:
            rows.append(_trim([cell_text(value) for value in cells]))
    columns = shape.columns if shape is not None else max(map(len, rows), default=0)
    return rows, columns


def _shows_month_years(workbook):
    """Whether any cell style of the workbook shows a date as a month and year."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

    try:
        styles = workbook._cell_styles  # what ReadOnlyCell.number_format reads, too
        custom = workbook._number_formats
    except AttributeError:  # openpyxl changed: read every cell's format
        return True
    sample = datetime.date(2000, 1, 1)
    for style in styles:
        number = style.numFmtId
        if number < BUILTIN_FORMATS_MAX_SIZE:
            code = BUILTIN_FORMATS.get(number, "General")
        else:
            code = custom[number - BUILTIN_FORMATS_MAX_SIZE]
        if month_year_text(sample, code) is not None:
            return True
    return False


def _excel_cell_text(cell):
    value = cell.value
    if isinstance(value, datetime.date):
        return cell_text(value, cell.number_format)
    return cell_text(value)


def _too_many_rows(reading):
    reading.fail(f"The file has more than {max_rows():,} rows.")


# -- CSV -----------------------------------------------------------------------------------


def _decode(data):
    for encoding in ("utf-8-sig", "cp1252"):  # Excel on Windows saves CSV as cp1252
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _read_csv(data, reading):
    """(rows of text, widest filled row)."""
    text = _decode(data)
    if text is None or "\x00" in text:
        reading.fail("The file cannot be read: it is not a text CSV file.")
    delimiter = _guess_delimiter(text)
    rows, columns = [], 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        for values in reader:
            if len(rows) >= max_rows():
                _too_many_rows(reading)
            reading.tick()
            cells = _trim([cell_text(value) for value in values])
            columns = max(columns, len(cells))
            rows.append(cells[:MAX_COLUMNS])
    except csv.Error as exc:
        raise ImportFailed(
            [
                Problem(
                    f"The file cannot be read as CSV: {exc}.",
                    row=len(rows) + 1,
                    file=reading.name,
                )
            ]
        ) from exc
    return rows, columns


def _guess_delimiter(text):
    """Comma, semicolon (Excel where the decimal mark is a comma) or tab: the one under which
    some early row reads as the widest header row, short labels in several cells; a comma
    when none does better.

    A header row is what tells the delimiter: under the right one it splits into as many
    short cells as the plan has columns; under a wrong one it stays one cell, while a long
    text cell may split but into pieces too long to be labels.
    """
    sample = text[:65536]
    best, widest = ",", 1
    for delimiter in (",", ";", "\t"):
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, strict=False)
        try:
            for index, values in enumerate(reader):
                if index >= DELIMITER_SEARCH_ROWS:
                    break
                filled = [value.strip() for value in values if value.strip()]
                labels = all(len(value) <= 80 and "\n" not in value for value in filled)
                if labels and len(filled) > widest:
                    best, widest = delimiter, len(filled)
        except csv.Error:
            continue
    return best
