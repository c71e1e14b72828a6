"""Reading uploaded files (plans/spreadsheets.py): every sheet with text, dates as Excel shows
them, and hostile files refused quickly with a message naming the file.

The hostile files are built here, small, from what a probe found: a sharedStrings.xml that
unpacks to hundreds of megabytes, a sheet whose <dimension> lies, sheets of far more cells than
any plan. Each test times itself only as a generous ceiling (speed targets belong in
tests/test_benchmarks.py): what it asserts is the message, and that reading neither hangs nor
runs out of memory.
"""

import csv
import datetime
import io
import time
import zipfile

import openpyxl
import pytest

from plans import importing, spreadsheets
from plans.spreadsheets import ImportFailed, month_year_text, read_table, read_tables
from plans.timescales import parse_timescale

HEADER = ["Outcome", "Recommendation", "Action", "By Whom", "Timescale", "Audit"]
ROW = ["Share", "Write a protocol", "Write it", "QA subgroup", "March 2028", "Audit"]


def workbook_bytes(sheets, active=None):
    """{title: rows} as an .xlsx, sheets in the order given."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    if active is not None:
        workbook.active = list(sheets).index(active)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def with_part(data, name, content, content_type=None):
    """The workbook `data` with part `name` replaced (or added) by `content`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == "[Content_Types].xml" and content_type:
                override = f'<Override PartName="/{name}" ContentType="{content_type}"/>'
                part = part.replace(b"</Types>", override.encode() + b"</Types>")
            if info.filename != name:
                archive.writestr(info.filename, part)
        archive.writestr(name, content)
    return out.getvalue()


def sheet_xml(body, dimension=""):
    dimension = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + dimension
        + b"<sheetData>"
        + body
        + b"</sheetData></worksheet>"
    )


def inline_row(number, texts):
    cells = b"".join(
        f'<c r="{spreadsheets.column_letter(i)}{number}" t="inlineStr">'
        f"<is><t>{text}</t></is></c>".encode()
        for i, text in enumerate(texts)
    )
    return f'<row r="{number}">'.encode() + cells + b"</row>"


def with_sheet(body, dimension=""):
    base = workbook_bytes({"Plan": [HEADER]})
    return with_part(base, "xl/worksheets/sheet1.xml", sheet_xml(body, dimension))


def refusal(data, filename="probe.xlsx"):
    """(the message, seconds taken) of a file that must be refused."""
    started = time.perf_counter()
    with pytest.raises(ImportFailed) as refused:
        read_table(data, filename)
    seconds = time.perf_counter() - started
    assert len(refused.value.problems) == 1
    return str(refused.value.problems[0]), seconds


# -- 1. Tables: every sheet with text ---------------------------------------------------------


def test_read_tables_gives_every_sheet_with_text_in_sheet_order():
    data = workbook_bytes(
        {"Cover": [["Business plan 2016-19"]], "Blank": [], "Plan": [HEADER, ROW]}
    )
    tables = read_tables(data, "folder/plan.xlsx")
    assert [(t.sheet, t.filename, t.rows[0][0]) for t in tables] == [
        ("Cover", "plan.xlsx", "Business plan 2016-19"),
        ("Plan", "plan.xlsx", "Outcome"),
    ]


def test_read_table_is_the_sheet_the_workbook_opens_at_or_else_the_first_with_text():
    sheets = {"Blank": [], "Cover": [["Title"]], "Plan": [HEADER, ROW]}
    assert read_table(workbook_bytes(sheets, active="Plan"), "p.xlsx").sheet == "Plan"
    assert read_table(workbook_bytes(sheets, active="Blank"), "p.xlsx").sheet == "Cover"


def test_a_workbook_of_empty_sheets_is_empty():
    message, _seconds = refusal(workbook_bytes({"One": [], "Two": [[None, ""]]}))
    assert message == "probe.xlsx: The file is empty: it has no filled cells."


def test_a_csv_is_one_table_with_no_sheet_name():
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, ROW])
    (table,) = read_tables(out.getvalue().encode(), "plan.csv")
    assert (table.sheet, table.rows) == ("", [HEADER, ROW])


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_a_csv_delimiter_is_the_one_that_splits_the_header_row(delimiter):
    text_with_every_delimiter = "Agree a protocol; share it, then audit\tit; twice, yearly"
    out = io.StringIO()
    rows = [["Plan 2016/17"], HEADER, [*ROW[:2], text_with_every_delimiter, *ROW[3:]]]
    csv.writer(out, delimiter=delimiter).writerows(rows)
    table = read_table(out.getvalue().encode(), "plan.csv")
    assert table.rows == rows


def test_the_importer_still_offers_the_reading_names():
    for name in ("Table", "cell_text", "read_table", "read_tables", "column_letter"):
        assert getattr(importing, name) is getattr(spreadsheets, name)
    assert importing.ImportFailed is ImportFailed
    assert (importing.MAX_COLUMNS, importing.max_bytes(), importing.max_rows()) == (
        60,
        spreadsheets.max_bytes(),
        20_000,
    )


# -- 2. Hostile files --------------------------------------------------------------------------


def test_a_shared_strings_zip_bomb_is_refused_before_it_is_unpacked():
    """The probe's file: 497 KB that unpacked to 240 MB held a worker 120 s (killed at 690 MB).
    This one unpacks to 64 MB."""
    strings = b"<si><t>A</t></si>" * (4 * 1024 * 1024)
    part = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + strings
        + b"</sst>"
    )
    bomb = with_part(
        workbook_bytes({"Plan": [HEADER]}),
        "xl/sharedStrings.xml",
        part,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
    )
    assert len(bomb) < 1024 * 1024
    message, seconds = refusal(bomb)
    assert message == (
        "probe.xlsx: The file cannot be imported: it unpacks to more than 50 MB. "
        "Save it again from Excel, or split it."
    )


def test_a_part_packed_far_more_tightly_than_a_spreadsheet_is_refused():
    bomb = with_sheet(inline_row(1, HEADER) + b" " * (6 * 1024 * 1024))
    message, seconds = refusal(bomb)
    assert "probe.xlsx: The file cannot be imported: part of it (xl/worksheets/sheet1.xml)" in (
        message
    )
    assert "times its packed size, which a spreadsheet never does" in message


def test_a_lying_dimension_is_ignored_and_the_sheet_read_by_what_it_holds():
    """The probe's 67 KB sheet claimed A1:XFD1048576 and took 8.8 s; the reader before this
    one refused such a sheet outright as 16,384 columns wide."""
    rows = [HEADER] + [[f"Outcome {n}", *ROW[1:]] for n in range(2, 2000)]
    body = b"".join(inline_row(number, row) for number, row in enumerate(rows, start=1))
    time.perf_counter()
    table = read_table(with_sheet(body, dimension="A1:XFD1048576"), "plan.xlsx")
    assert table.rows == rows
    assert table.columns == 6


def test_blank_formatted_rows_far_down_a_sheet_are_not_rows_of_the_plan():
    body = (
        inline_row(1, HEADER)
        + inline_row(2, ROW)
        + b'<row r="1048576"><c r="A1048576" s="0"/></row>'
    )
    table = read_table(with_sheet(body, dimension="A1:A1048576"), "plan.xlsx")
    assert table.rows == [HEADER, ROW]


def test_a_value_past_the_row_limit_is_refused_before_the_sheet_is_read():
    body = inline_row(1, HEADER) + inline_row(1_000_000, ["stray"])
    message, seconds = refusal(with_sheet(body))
    assert message == "probe.xlsx: The file has more than 20,000 rows."


def test_cells_far_past_the_plan_s_columns_count_against_the_cell_budget(settings):
    """A small-looking sheet (six filled cells a row, then formatted blanks to column XFD,
    under a dimension claiming A1:F300): a file like it at 120 rows held the old reader 6 s.
    Here the budget is lowered so that the test builds a small one."""
    settings.PLAN_IMPORT_MAX_CELLS = 100_000
    blanks = b"".join(
        f'<c r="{spreadsheets.column_letter(i)}1" s="0"/>'.encode() for i in range(6, 16_384)
    )
    body = inline_row(1, HEADER) + b"".join(
        inline_row(number, ROW)[:-6] + blanks.replace(b'1"', f'{number}"'.encode()) + b"</row>"
        for number in range(2, 12)
    )
    message, seconds = refusal(with_sheet(body, dimension="A1:F300"))
    assert message == (
        "probe.xlsx: The file cannot be imported: it has more than 100,000 cells. "
        "Delete the rows and columns it does not need, or split it."
    )


def test_a_huge_but_legitimate_looking_sheet_is_refused_by_its_cell_count(settings):
    settings.PLAN_IMPORT_MAX_CELLS = 50_000
    numbers = b"".join(f"<c><v>{n}</v></c>".encode() for n in range(60))
    body = b"".join(f'<row r="{n}">'.encode() + numbers + b"</row>" for n in range(1, 1000))
    message, seconds = refusal(with_sheet(body))
    assert "it has more than 50,000 cells" in message


def test_the_default_cell_budget_refuses_a_sheet_of_over_a_million_cells():
    # 113 different rows, more than deflate's window apart: packed as tightly as real sheets.
    rows = [
        b"<row>" + b"".join(f"<c><v>{r * 7919 + c * 104729}</v></c>".encode() for c in range(60))
        for r in range(113)
    ]
    body = b"".join(rows[n % 113] + b"</row>" for n in range(17_000))  # 1,020,000 cells
    message, seconds = refusal(with_sheet(body))
    assert "it has more than 1,000,000 cells" in message


def test_reading_past_the_time_budget_is_refused(settings):
    settings.PLAN_IMPORT_MAX_SECONDS = 0
    message, _seconds = refusal(workbook_bytes({"Plan": [HEADER, ROW]}))
    assert message == (
        "probe.xlsx: The file cannot be imported: reading it took more than 0 seconds. "
        "Save it again from Excel, or split it."
    )


def test_a_row_wider_than_excel_allows_is_refused():
    body = b"<row>" + b"<c/>" * 16_385 + b"</row>"
    message, seconds = refusal(with_sheet(body))
    assert "a row of it has more than 16,384 cells, more than Excel allows" in message


def test_a_doctype_an_entity_bomb_needs_is_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    bomb = with_part(
        workbook_bytes({"Plan": [HEADER]}),
        "xl/worksheets/sheet1.xml",
        laughs + sheet_xml(b"<row><c t='inlineStr'><is><t>&lol2;</t></is></c></row>")[38:],
    )
    message, seconds = refusal(bomb)
    assert message.endswith("it is not a valid Excel .xlsx file.")


def test_a_bloated_part_openpyxl_would_build_whole_is_refused():
    styles = b'<styleSheet xmlns="x">' + b"<a/>" * 600_000 + b"</styleSheet>"
    bomb = with_part(workbook_bytes({"Plan": [HEADER]}), "xl/styles.xml", styles)
    message, seconds = refusal(bomb)
    assert "its part xl/styles.xml is far larger than a spreadsheet needs" in message


def test_a_wide_sheet_is_cut_to_the_plan_s_columns_in_read_tables():
    wide = [[f"c{n}" for n in range(300)]]
    (table,) = read_tables(workbook_bytes({"Data": wide}), "plan.xlsx")
    assert (len(table.rows[0]), table.columns) == (60, 300)


# -- 3. Dates as Excel shows them ------------------------------------------------------------


@pytest.mark.parametrize(
    ("number_format", "shown"),
    [
        ("mmm-yy", "Mar-17"),
        ("mmmm yyyy", "March 2017"),
        ("mmm yyyy", "Mar 2017"),
        ("MMM-YY", "Mar-17"),
        ("[$-809]mmm-yy;@", "Mar-17"),
        ('mmmm" "yyyy', "March 2017"),
        ("mmm\\-yy", "Mar-17"),
        ("mm/yyyy", "Mar 2017"),  # a numeric month would read as a day and month
        ("dd/mm/yyyy", None),
        ("d-mmm-yy", None),
        ("[$-F800]dddd, mmmm dd, yyyy", None),
        ("General", None),
        ("yyyy", None),
        ("h:mm", None),
    ],
)
def test_month_year_formats_are_shown_as_excel_shows_them(number_format, shown):
    assert month_year_text(datetime.datetime(2017, 3, 1), number_format) == shown


def test_a_month_year_date_cell_reads_as_due_at_the_end_of_that_month():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Timescale", "Long", "Day", "Plain"])
    values = [datetime.datetime(2017, 3, 1)] * 3 + [datetime.datetime(2017, 3, 31)]
    sheet.append(values)
    for letter, number_format in zip(
        "ABCD", ["mmm-yy", "mmmm yyyy", "dd/mm/yyyy", "d-mmm-yy"], strict=True
    ):
        sheet[f"{letter}2"].number_format = number_format
    out = io.BytesIO()
    workbook.save(out)
    row = read_table(out.getvalue(), "plan.xlsx").rows[1]
    assert row == ["Mar-17", "March 2017", "01/03/2017", "31/03/2017"]
    assert [parse_timescale(text).due for text in row] == [
        datetime.date(2017, 3, 31),
        datetime.date(2017, 3, 31),
        datetime.date(2017, 3, 1),
        datetime.date(2017, 3, 31),
    ]
