"""The Excel download as a board officer opens it: a Summary sheet, a sheet per source with
readable headings, real dates, worded and coloured ratings, a filter on every column and the
heading row frozen. The CSV keeps its machine headings and bytes."""

import csv
import io
from collections import Counter
from datetime import date, datetime

import openpyxl
import pytest
from django.urls import reverse

from oversight.charts import COLOURS, contrast
from oversight.export import COLUMNS, XLSX_COLUMNS
from plans.models import Action, Rating, Role
from tests.conftest import make_user
from tests.factories import make_update

pytestmark = pytest.mark.django_db
QA_ACTION = "ncscp-bp-2019-22-2-1"


@pytest.fixture
def superuser(django_user_model, seed, ncscp, nscp):
    """A board officer of both partnerships: every source is in the download."""
    user = make_user(django_user_model, "t-both", ncscp, Role.Kind.BOARD_OFFICER)
    Role.objects.create(user=user, partnership=nscp, kind=Role.Kind.BOARD_OFFICER)
    return user


@pytest.fixture
def rated(seed, officer):
    """An Amber action and a Red one, with dates."""
    amber = Action.objects.get(ref=QA_ACTION)
    make_update(action=amber, rating=Rating.AMBER, comment="Late", as_of=date(2019, 10, 1),
                author=officer)  # fmt: skip
    red = Action.objects.filter(parent__kind="workstream").order_by("pk").first()
    make_update(action=red, rating=Rating.RED, comment="Stuck", as_of=date(2019, 11, 2),
                author=officer)  # fmt: skip
    return amber, red


def download(client, user, fmt="xlsx", **params):
    client.force_login(user)
    response = client.get(reverse("oversight:action_export", args=[fmt]), params)
    assert response.status_code == 200
    return response


def workbook(client, user, **params):
    return openpyxl.load_workbook(io.BytesIO(download(client, user, **params).content))


def find_row(sheet, ref):
    refs = [cell.value for cell in sheet["E"]]
    return refs.index(ref) + 1


def test_one_sheet_per_source_after_a_summary(client, superuser, rated):
    book = workbook(client, superuser)
    assert book.sheetnames == ["Summary", "Business plan", "Workstreams", "Case reviews"]
    sizes = {name: book[name].max_row - 1 for name in book.sheetnames[1:]}
    expected = Counter(Action.objects.live().values_list("parent__kind", flat=True))
    assert sizes == {
        "Business plan": expected["objective"],
        "Workstreams": expected["workstream"],
        "Case reviews": expected["recommendation"],
    }


def test_headings_are_words_and_the_heading_row_is_frozen_and_filtered(client, superuser, rated):
    book = workbook(client, superuser)
    for name in book.sheetnames[1:]:
        sheet = book[name]
        headings = [cell.value for cell in sheet[1]]
        assert len(headings) == len(XLSX_COLUMNS)
        assert {"Due date", "Rating", "Last update", "Action", "Lead"} <= set(headings)
        assert not any("_" in heading for heading in headings)
        assert all(cell.font.bold for cell in sheet[1])
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:L{sheet.max_row}"
        assert sheet.column_dimensions["F"].width == 60  # the action's text
        assert sheet.column_dimensions["I"].width >= 12  # a date fits
        assert sheet.oddHeader.center.text == "OFFICIAL-SENSITIVE"  # on every printed page
        assert sheet.print_title_rows == "$1:$1"
    reviews = [cell.value for cell in book["Case reviews"][1]]
    assert reviews[1:4] == ["Review", "Agency", "Recommendation"]


def test_dates_are_excel_dates_with_a_date_format(client, superuser, rated):
    sheet = workbook(client, superuser)["Business plan"]
    row = find_row(sheet, "2.1")
    due, updated = sheet.cell(row, 9), sheet.cell(row, 11)
    assert due.is_date and due.value == datetime(2020, 2, 29)
    assert updated.is_date and updated.value == datetime(2019, 10, 1)
    assert due.number_format == updated.number_format == "d mmm yyyy"


def test_ratings_are_worded_and_filled_with_readable_text(client, superuser, rated):
    book = workbook(client, superuser)
    cells = {}
    for name in book.sheetnames[1:]:
        for (cell,) in book[name].iter_rows(min_row=2, min_col=10, max_col=10):
            cells.setdefault(cell.value, cell)
    assert {"Amber", "Red", "Not yet rated"} <= set(cells)
    for word, rating in (("Amber", Rating.AMBER), ("Red", Rating.RED)):
        cell = cells[word]
        fill = "#" + cell.fill.fgColor.rgb[-6:].lower()
        ink = "#" + cell.font.color.rgb[-6:].lower()
        assert cell.fill.fill_type == "solid" and fill == COLOURS[rating]
        assert contrast(fill, ink) >= 4.5 and cell.font.bold
    assert cells["Not yet rated"].fill.fill_type is None


def test_the_summary_counts_each_source_and_says_when_and_how_filtered(client, superuser, rated):
    book = workbook(client, superuser)
    rows = list(book["Summary"].iter_rows(values_only=True))
    labels = {row[0]: row[1] for row in rows if row[0]}
    assert isinstance(labels["Generated"], datetime)
    assert labels["Protective marking"] == "OFFICIAL-SENSITIVE"
    assert labels["Filters applied"].startswith("None")
    heading = next(row for row in rows if row[0] == "Source")
    assert list(heading[1:]) == [word for _, word in Rating.columns()] + ["Total"]
    table = {row[0]: row[1:] for row in rows[rows.index(heading) + 1 :]}
    assert table["Business plan"][1] == 1 and table["Workstreams"][0] == 1  # Amber, Red
    assert table["All sources"][-1] == Action.objects.live().count()
    filtered = workbook(client, superuser, rating="red", q="")
    labels = {row[0]: row[1] for row in filtered["Summary"].iter_rows(values_only=True) if row[0]}
    assert labels["Filters applied"] == "Rating: Red"
    assert filtered.sheetnames == ["Summary", "Workstreams"]


def test_text_cells_stay_neutralised(client, officer, seed):
    make_update(action=Action.objects.get(ref=QA_ACTION), rating=Rating.RED,
                comment="=cmd|' /C calc'!A0", as_of=date(2019, 10, 1), author=officer)  # fmt: skip
    sheet = workbook(client, officer)["Business plan"]
    row = find_row(sheet, "2.1")
    assert sheet.cell(row, 12).value == "'=cmd|' /C calc'!A0"
    assert all(c.data_type != "f" for r in sheet.iter_rows() for c in r)


def test_the_csv_keeps_its_machine_headings_and_plain_values(client, officer, rated):
    body = download(client, officer, fmt="csv").content.decode()
    assert body.startswith(
        "source,partnership,container,section,parent,ref,action,lead,timescale,due_date,"
        "rating,last_update,comment\r\n"
    )
    rows = list(csv.DictReader(io.StringIO(body)))
    assert list(rows[0]) == COLUMNS
    row = next(r for r in rows if r["ref"] == "2.1")
    assert (row["due_date"], row["rating"], row["last_update"]) == (
        "2020-02-29",
        "Amber",
        "2019-10-01",
    )
    assert {r["rating"] for r in rows} >= {"", "Amber"}  # never rated: empty, as before
