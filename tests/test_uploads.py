"""Uploads: the plan import is the only view that takes a file (reviews/views.py import_upload;
no FileField on a model, no MEDIA_ROOT, no FileResponse). It must refuse files over the size
and row limits and of the wrong type, with a clear message and nothing stored, and a pending
upload must stay with its partnership's officers. The other files the app serves (pack PDF,
review action-plan PDF, CSV/XLSX export) are generated per request from scoped queries; the
last test checks they give another partnership nothing.

tests/reviews/test_upload_pdf_assurance.py already checks the preview/confirm round trip and
the basic size/type refusals; these tests go further rather than repeat them.
"""

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from oversight.models import Meeting, PendingImport
from plans.models import Action, Agency, Group, Plan
from reviews.models import CaseReview, Recommendation

SECRET = "Chronology protocol kept by the QA subgroup 7731"
HEADER = ["Outcome", "Recommendation", "Action", "By Whom", "Timescale", "Audit of implementation"]
ROWS = [
    [
        "Agencies share chronologies",
        "Write a shared protocol",
        SECRET,
        "QA subgroup",
        "By 31/12/27",
    ],
    ["", "", "Train the front door team", "Learning and Improvement", "March 2028", "Audit"],
]


def plan_csv(rows=ROWS):
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue().encode()


def plan_xlsx(rows=ROWS):
    workbook = Workbook()
    for row in [HEADER, *rows]:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, name, content, short_name="NCSCP", **fields):
    return client.post(
        reverse("oversight:import_upload", args=[short_name]),
        {"file": SimpleUploadedFile(name, content), "review_code": "UP01", "review_kind": "scr"}
        | fields,
    )


def stored():
    """Everything an upload could write, counted."""
    return (
        PendingImport.objects.count(),
        CaseReview.objects.count(),
        Recommendation.objects.count(),
        Action.objects.count(),
        Action.history.count(),
        Agency.objects.count(),
        Plan.objects.count(),
    )


def refused(response, message):
    html = response.content.decode()
    assert response.status_code in {200, 400}  # the upload page again, never a 500
    assert "Error: Import an action plan" in html
    assert message in html, html[html.find("govuk-error") :][:600]
    return html


# -- Size, rows and type -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_file_one_byte_over_the_limit_is_refused_and_one_at_it_accepted(
    client, officer, kind, settings
):
    content = plan_csv() if kind == "csv" else plan_xlsx()
    client.force_login(officer)
    before = stored()
    settings.PLAN_IMPORT_MAX_BYTES = len(content) - 1
    refused(upload(client, f"plan.{kind}", content), "The selected file must be smaller than")
    assert stored() == before

    settings.PLAN_IMPORT_MAX_BYTES = len(content)
    response = upload(client, f"plan.{kind}", content)
    assert response.status_code == 302
    assert PendingImport.objects.count() == 1
    assert CaseReview.objects.count() == 0  # staged only, until confirmed


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_file_over_the_row_limit_is_refused(client, officer, kind, settings):
    settings.PLAN_IMPORT_MAX_ROWS = 5
    rows = [
        [f"Outcome {n}", f"Recommendation {n}", f"Action {n}", "Lead", "2028"] for n in range(8)
    ]
    content = plan_csv(rows) if kind == "csv" else plan_xlsx(rows)
    client.force_login(officer)
    before = stored()
    refused(upload(client, f"plan.{kind}", content), "The file has more than 5 rows.")
    assert stored() == before


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
PDF = b"%PDF-1.7\n1 0 obj <</Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
WRONG_TYPE = "The selected file must be an Excel .xlsx file or a .csv file"
NOT_EXCEL = "it is not a valid Excel .xlsx file"


def plain_zip():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param("tool.exe", EXE, WRONG_TYPE, id="exe"),
        pytest.param("plan.pdf", PDF, WRONG_TYPE, id="pdf"),
        pytest.param("plan.html", HTML, WRONG_TYPE, id="html"),
        pytest.param("plan.xls", plan_csv(), WRONG_TYPE, id="old-excel-name"),
        pytest.param("plan", plan_csv(), WRONG_TYPE, id="no-suffix"),
        pytest.param("plan.csv.exe", plan_csv(), WRONG_TYPE, id="double-suffix"),
        # Renamed: the name says Excel or CSV, the bytes say otherwise.
        pytest.param("plan.xlsx", EXE, NOT_EXCEL, id="exe-as-xlsx"),
        pytest.param("plan.xlsx", PDF, NOT_EXCEL, id="pdf-as-xlsx"),
        pytest.param("plan.xlsx", HTML, NOT_EXCEL, id="html-as-xlsx"),
        pytest.param("plan.xlsx", plain_zip(), NOT_EXCEL, id="zip-as-xlsx"),
        pytest.param("plan.xlsx", plan_csv(), NOT_EXCEL, id="csv-as-xlsx"),
        pytest.param("plan.csv", EXE, "it is not a text CSV file", id="exe-as-csv"),
        pytest.param("plan.csv", PDF, "No header row found", id="pdf-as-csv"),
        pytest.param("plan.csv", HTML, "No header row found", id="html-as-csv"),
        pytest.param("plan.csv", plan_xlsx(), "it is not a text CSV file", id="xlsx-as-csv"),
        pytest.param("plan.csv", b"", "The selected file is empty", id="empty"),
    ],
)
def test_wrong_or_disguised_files_are_refused_with_a_message(
    client, officer, name, content, message
):
    client.force_login(officer)
    before = stored()
    html = refused(upload(client, name, content), message)
    assert "<script>alert(document.cookie)" not in html  # a file's contents never run
    assert stored() == before


def xlsx_with_sheet(sheet_xml, declared_size=None):
    """A real workbook whose first sheet is `sheet_xml`; `declared_size`, if given, is written
    into the archive's headers in place of the sheet's true uncompressed size."""
    source = zipfile.ZipFile(io.BytesIO(plan_xlsx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            archive.writestr(info.filename, sheet_xml if "sheet1" in info.filename else data)
    content = bytearray(out.getvalue())
    if declared_size is not None:
        info = zipfile.ZipFile(io.BytesIO(bytes(content))).getinfo("xl/worksheets/sheet1.xml")
        size = declared_size.to_bytes(4, "little")
        content[info.header_offset + 22 : info.header_offset + 26] = size  # local header
        entry = content.find(b"PK\x01\x02")  # central directory entries
        while entry != -1:
            length = int.from_bytes(content[entry + 28 : entry + 30], "little")
            if content[entry + 46 : entry + 46 + length] == info.filename.encode():
                content[entry + 24 : entry + 28] = size
                break
            entry = content.find(b"PK\x01\x02", entry + 4)
    return bytes(content)


SHEET = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>Outcome</t></is></c></row>'
)
PADDING = b" " * (4 * 1024 * 1024)  # 4 MB of blanks: a few kilobytes once compressed


@override_settings(PLAN_IMPORT_MAX_BYTES=100_000)
def test_an_xlsx_that_unzips_to_far_more_than_the_limit_is_refused(client, officer):
    bomb = xlsx_with_sheet(SHEET + PADDING + b"</sheetData></worksheet>")
    assert len(bomb) < 100_000  # small enough to pass the size check
    client.force_login(officer)
    before = stored()
    refused(upload(client, "plan.xlsx", bomb), "it unpacks to more than 2.38 MB")
    assert stored() == before


@override_settings(PLAN_IMPORT_MAX_BYTES=100_000)
def test_an_xlsx_that_lies_about_its_unzipped_size_is_refused(client, officer):
    bomb = xlsx_with_sheet(SHEET + PADDING + b"</sheetData></worksheet>", declared_size=4000)
    listed = zipfile.ZipFile(io.BytesIO(bomb)).getinfo("xl/worksheets/sheet1.xml").file_size
    assert listed == 4000  # the archive claims a small sheet
    client.force_login(officer)
    before = stored()
    refused(upload(client, "plan.xlsx", bomb), NOT_EXCEL)
    assert stored() == before


# -- A pending upload stays with its partnership's officers ---------------------------------


@pytest.fixture
def pending(client, officer):
    client.force_login(officer)
    response = upload(client, "plan.csv", plan_csv())
    assert response.status_code == 302
    client.logout()
    return PendingImport.objects.get()


@pytest.mark.parametrize("who", ["outsider", "viewer", "chair", "agency_lead"])
def test_others_cannot_preview_confirm_or_cancel_a_pending_upload(client, pending, who, request):
    """Another partnership's officer, and this partnership's readers who are not officers:
    404 (its existence is not revealed), its contents never shown, and it is left as it was."""
    client.force_login(request.getfixturevalue(who))
    urls = [
        ("get", reverse("oversight:import_preview", args=[pending.pk])),
        ("post", reverse("oversight:import_confirm", args=[pending.pk])),
        ("post", reverse("oversight:import_cancel", args=[pending.pk])),
    ]
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 404, (who, url)
        assert SECRET not in response.content.decode()
        assert "plan.csv" not in response.content.decode()
    assert PendingImport.objects.filter(pk=pending.pk).exists()
    assert not CaseReview.objects.exists()


def test_anonymous_users_are_sent_to_sign_in(client, pending):
    for url in (
        reverse("oversight:import_preview", args=[pending.pk]),
        reverse("oversight:import_upload", args=["NCSCP"]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(reverse("oversight:import_confirm", args=[pending.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert PendingImport.objects.filter(pk=pending.pk).exists()


def test_only_officers_may_upload_and_only_to_their_own_partnership(
    client, officer, viewer, outsider
):
    client.force_login(viewer)
    assert client.get(reverse("oversight:import_upload", args=["NCSCP"])).status_code == 403
    assert upload(client, "plan.csv", plan_csv()).status_code == 403
    client.force_login(outsider)  # NSCP's officer, at NCSCP's upload page
    assert client.get(reverse("oversight:import_upload", args=["NCSCP"])).status_code == 404
    assert upload(client, "plan.csv", plan_csv()).status_code == 404
    assert not PendingImport.objects.exists()


def test_after_all_that_the_owner_still_confirms_it(client, pending, officer, outsider):
    client.force_login(outsider)
    client.post(reverse("oversight:import_cancel", args=[pending.pk]))
    client.force_login(officer)
    response = client.post(reverse("oversight:import_confirm", args=[pending.pk]))
    assert response.status_code == 302
    review = CaseReview.objects.get(code="UP01")
    assert review.partnership.short_name == "NCSCP"
    assert Action.objects.filter(text=SECRET).count() == 1
    assert not PendingImport.objects.exists()


def test_a_cancelled_upload_is_gone(client, pending, officer):
    client.force_login(officer)
    response = client.post(reverse("oversight:import_cancel", args=[pending.pk]))
    assert response.status_code == 302
    assert not PendingImport.objects.exists()
    assert client.get(reverse("oversight:import_preview", args=[pending.pk])).status_code == 404


def test_an_expired_upload_cannot_be_confirmed_by_its_owner_either(client, pending, officer):
    PendingImport.objects.filter(pk=pending.pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    client.force_login(officer)
    assert client.post(reverse("oversight:import_confirm", args=[pending.pk])).status_code == 404
    assert not CaseReview.objects.exists()


# -- The files the app serves ---------------------------------------------------------------


def test_generated_files_give_another_partnership_nothing(client, pending, officer, outsider):
    """The review PDF, the pack PDF and the spreadsheet export are the app's other downloads;
    each is made from a scoped query (no stored file to reach by name)."""
    client.force_login(officer)
    client.post(reverse("oversight:import_confirm", args=[pending.pk]))
    review = CaseReview.objects.get(code="UP01")
    bmg = Group.objects.create(slug="t-ncscp-bmg", name="BMG", kind=Group.Kind.BMG)
    bmg.partnerships.add(review.partnership)
    today = timezone.localdate()
    meeting = Meeting.objects.create(group=bmg, date=today, update_deadline=today)
    assert client.get(reverse("reviews:review_pdf", args=[review.pk])).status_code == 200

    client.force_login(outsider)
    for name in ("reviews:review_pdf", "reviews:review_detail"):
        assert client.get(reverse(name, args=[review.pk])).status_code == 404
    for name in ("oversight:meeting_pack_pdf", "oversight:meeting_pack"):
        assert client.get(reverse(name, args=[meeting.pk])).status_code == 404
    exported = client.get(reverse("oversight:action_export", args=["csv"])).content.decode()
    assert "UP01" not in exported and SECRET not in exported
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("oversight:action_export", args=["xlsx"])).content)
    )
    cells = {
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    }
    assert cells and SECRET not in cells and "UP01" not in cells
