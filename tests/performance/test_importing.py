"""Importing values from a spreadsheet: both layouts, every problem with its place, a preview
before anything is stored, and all or nothing."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from performance import importing
from performance.models import MeasureValue
from plans.spreadsheets import ImportFailed

from .conftest import make_measure

TODAY = date(2026, 11, 25)
LONG = (
    "Measure,Period,Value,Commentary,Missing reason\n"
    "Re-referrals within 12 months,Q1 2016/17,22.4%,Above target,\n"
    "Re-referrals within 12 months,Q2 2016/17,,,System change\n"
    "Assessments within 45 days,Apr-Jun 2016,81.2,,\n"
)


@pytest.fixture
def measures(ncscp):
    return (
        make_measure(ncscp),
        make_measure(ncscp, name="Assessments within 45 days", higher_is_better=True,
                     target=85, amber_threshold=75),
    )  # fmt: skip


def xlsx(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_one_value_a_row_is_read_with_missing_values_and_commentary(measures, ncscp):
    entries = importing.read_values(LONG.encode(), "data.csv", ncscp, TODAY)
    got = [(e.measure.name, e.start, e.value, e.missing_reason, e.commentary) for e in entries]
    assert got == [
        ("Re-referrals within 12 months", date(2016, 4, 1), Decimal("22.40"), "", "Above target"),
        ("Re-referrals within 12 months", date(2016, 7, 1), None, "System change", ""),
        ("Assessments within 45 days", date(2016, 4, 1), Decimal("81.20"), "", ""),
    ]


def test_a_grid_of_periods_is_read_and_empty_cells_record_nothing(measures, ncscp):
    data = xlsx(
        [
            ["Performance data set 2016/17"],
            ["Measure", "Q1 2016/17", "Q2 2016/17", "Q3 2016/17"],
            ["re-referrals within 12 months", 21.5, "n/a", None],
            ["Assessments within 45 days", 80, 82.5, 84],
        ]
    )
    entries = importing.read_values(data, "grid.xlsx", ncscp, TODAY)
    assert [(e.measure.name[:3], e.start.month, e.value) for e in entries] == [
        ("Re-", 4, Decimal("21.50")),
        ("Re-", 7, None),
        ("Ass", 4, Decimal("80.00")),
        ("Ass", 7, Decimal("82.50")),
        ("Ass", 10, Decimal("84.00")),
    ]
    assert entries[1].missing_reason == "Marked missing (n/a)"
    assert entries[0].commentary is None  # a grid keeps the commentary already recorded


def test_every_problem_is_reported_with_file_row_and_column(measures, ncscp):
    content = (
        "Measure,Period,Value,Missing reason\n"
        "Re-referals within 12 months,Q1 2016/17,22,\n"
        "Assessments within 45 days,Spring,80,\n"
        "Assessments within 45 days,Q2 2016/17,lots,\n"
        "Assessments within 45 days,Q3 2016/17,,\n"
        "Assessments within 45 days,Q3 2030/31,80,\n"
        "Assessments within 45 days,Q4 2016/17,80,\n"
        "Assessments within 45 days,Jan-Mar 2017,81,\n"
    )
    with pytest.raises(ImportFailed) as failed:
        importing.read_values(content.encode(), "data.csv", ncscp, TODAY)
    said = [str(problem) for problem in failed.value.problems]
    assert said == [
        'data.csv, row 2, column A (Measure): No measure called "Re-referals within 12 '
        "months\" in NCSCP's data set: check the spelling, or add the measure first",
        'data.csv, row 3, column B (Period): "Spring" is not a quarter for Assessments within '
        '45 days: write it like "Q1 2016/17" or "Apr-Jun 2016"',
        'data.csv, row 4, column C (Value): "lots" is not a number: write it like 21.5, or '
        '"missing"',
        "data.csv, row 5, column C (Value): Enter the value of Assessments within 45 days, or "
        'say why it is missing (in a "Missing reason" column, or write "missing")',
        "data.csv, row 6, column B (Period): The period Q3 2030/31 has not started yet",
        "data.csv, row 8, column C (Value): Assessments within 45 days for Q4 2016/17 (Jan to "
        "Mar 2017) is given twice (rows 7 and 8)",
    ]


def test_a_file_without_a_measure_column_says_what_it_needs(measures, ncscp):
    with pytest.raises(ImportFailed, match='No "Measure" column in the first ten rows'):
        importing.read_values(b"Name of thing,Q1\nx,1\n", "data.csv", ncscp, TODAY)


def test_upload_previews_then_confirm_stores_every_value(client, measures, officer):
    re_referrals, assessments = measures
    re_referrals.record(date(2016, 4, 1), by=officer, value=Decimal(25))
    client.force_login(officer)
    url = reverse("performance:import_values", args=["NCSCP"])
    response = client.post(url, {"file": SimpleUploadedFile("data.csv", LONG.encode())})
    html = response.content.decode()
    assert "Check the values from data.csv" in html and "Import 3 values" in html
    assert "25%" in html and "Changed" in html and "New" in html
    assert MeasureValue.objects.count() == 1  # nothing stored before confirming
    token = response.context["token"]
    confirm = reverse("performance:import_confirm", args=["NCSCP"])
    assert client.post(confirm, {"token": token}).status_code == 302
    assert re_referrals.values.get(period_start=date(2016, 4, 1)).value == Decimal("22.4")
    missing = re_referrals.values.get(period_start=date(2016, 7, 1))
    assert missing.value is None and missing.missing_reason == "System change"
    assert assessments.values.get().history.get().history_user == officer


def test_a_file_with_problems_stores_nothing_and_lists_them(client, measures, officer):
    client.force_login(officer)
    bad = LONG + "Nobody's measure,Q1 2016/17,5,\n"
    response = client.post(
        reverse("performance:import_values", args=["NCSCP"]),
        {"file": SimpleUploadedFile("data.csv", bad.encode())},
    )
    html = response.content.decode()
    assert "data.csv cannot be imported: nothing has been changed" in html
    assert "data.csv, row 5, column A (Measure)" in html
    assert "No measure called &quot;Nobody&#x27;s measure&quot;" in html
    assert MeasureValue.objects.count() == 0


def test_a_changed_or_foreign_preview_is_refused(client, measures, officer, nscp):
    client.force_login(officer)
    entries = importing.read_values(LONG.encode(), "data.csv", measures[0].partnership, TODAY)
    confirm = reverse("performance:import_confirm", args=["NCSCP"])
    response = client.post(
        confirm, {"token": importing.sign(measures[0].partnership, entries) + "x"}
    )
    assert response.status_code == 302 and MeasureValue.objects.count() == 0
    with pytest.raises(ValueError, match="another partnership"):
        importing.unsign(importing.sign(nscp, entries), measures[0].partnership)


def test_applying_is_all_or_nothing(measures, ncscp, officer, monkeypatch):
    entries = importing.read_values(LONG.encode(), "data.csv", ncscp, TODAY)
    real = type(measures[0]).record
    calls = []

    def record(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("database went away")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(type(measures[0]), "record", record)
    with pytest.raises(RuntimeError):
        importing.apply(entries, by=officer)
    assert MeasureValue.objects.count() == 0 and MeasureValue.history.count() == 0
