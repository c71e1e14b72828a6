"""The upload page (preview, then confirm), the action plan PDF and assurance exercises."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from oversight.models import PendingImport
from plans.models import Action, Agency, Theme
from reviews.assurance import pack_section
from reviews.models import (
    AssuranceExercise,
    AssuranceRating,
    CaseReview,
    LearningArea,
    Recommendation,
)

from .conftest import make_review

AN09_CSV = Path(__file__).parent / "data" / "an09.csv"


def upload(client, short_name="NSCP", name="an09.csv", content=None, **fields):
    data = {
        "file": SimpleUploadedFile(name, content if content is not None else AN09_CSV.read_bytes()),
        "review_code": "AN09",
        "review_title": "Serious Case Review AN09",
        "review_kind": "scr",
        **fields,
    }
    return client.post(reverse("oversight:import_upload", args=[short_name]), data)


# -- Upload ---------------------------------------------------------------------------------


def test_upload_preview_then_confirm(client, nscp_officer, structure):
    client.force_login(nscp_officer)
    response = upload(client)
    assert response.status_code == 302
    pending = PendingImport.objects.get()
    assert response["Location"] == reverse("oversight:import_preview", args=[pending.pk])
    assert not Recommendation.objects.exists()  # nothing saved before confirming

    preview = client.get(response["Location"]).content.decode()
    assert "Check the import of an09.csv" in preview
    assert "58 created" in preview and "84 created" in preview
    assert "All relevant contracts include a clause" in preview

    # The upload lives in the database, so any app process can confirm it.
    other = client.__class__()
    other.force_login(nscp_officer)
    response = other.post(reverse("oversight:import_confirm", args=[pending.pk]))
    review = CaseReview.objects.get(code="AN09")
    assert response["Location"] == reverse("reviews:review_detail", args=[review.pk])
    assert Recommendation.objects.filter(review=review).count() == 58
    assert not PendingImport.objects.exists()
    action = Action.objects.get(ref="nscp-an09-r01-1")
    assert action.history.get().history_user == nscp_officer

    upload(client)
    again = client.get(reverse("oversight:import_preview", args=[PendingImport.objects.get().pk]))
    assert "importing it changes nothing" in again.content.decode()


def test_upload_shows_every_problem_by_row_and_column(client, nscp_officer, structure):
    client.force_login(nscp_officer)
    bad = (
        b"Outcome,Recommendation,Action,By Whom,Timescale,Audit of implementation\r\n"
        b"Nowhere Trust\r\n,,A,,,\r\nO,R,A,,,\r\n,,,Lead only,,\r\nAn outcome,,Act,,,\r\n"
    )
    response = upload(client, content=bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert "The file cannot be imported: 2 problems" in html
    assert '<td class="govuk-table__cell">3</td>' in html
    assert "This row has no recommendation and there is none above it" in html
    assert '<td class="govuk-table__cell">6</td>' in html
    assert "This row has an outcome but no recommendation." in html
    assert not PendingImport.objects.exists()
    assert not CaseReview.objects.exists()


@override_settings(PLAN_IMPORT_MAX_BYTES=1000)
def test_upload_limits_size_and_type(client, nscp_officer, structure):
    client.force_login(nscp_officer)
    response = upload(client, name="plan.pdf", content=b"%PDF-1.4")
    assert (
        "The selected file must be an Excel .xlsx file or a .csv file" in response.content.decode()
    )
    response = upload(client)
    assert "The selected file must be smaller than" in response.content.decode()
    assert not PendingImport.objects.exists()


def test_pending_uploads_are_only_for_their_partnerships_officers(
    client, nscp_officer, ncscp_officer, nscp_viewer, structure
):
    client.force_login(nscp_officer)
    upload(client)
    pending = PendingImport.objects.get()
    for user in (ncscp_officer, nscp_viewer):
        client.force_login(user)
        assert client.get(reverse("oversight:import_preview", args=[pending.pk])).status_code == 404
        assert (
            client.post(reverse("oversight:import_confirm", args=[pending.pk])).status_code == 404
        )
    assert client.get(reverse("oversight:import_upload", args=["NSCP"])).status_code == 403
    assert not CaseReview.objects.exists()


def test_an_old_pending_upload_expires(client, nscp_officer, structure):
    client.force_login(nscp_officer)
    upload(client)
    old = PendingImport.objects.get()
    old.created_at = timezone.now() - datetime.timedelta(days=2)
    old.save()
    assert client.get(reverse("oversight:import_preview", args=[old.pk])).status_code == 404
    assert client.post(reverse("oversight:import_confirm", args=[old.pk])).status_code == 404
    upload(client)  # the next upload clears expired ones away
    assert PendingImport.objects.exclude(pk=old.pk).count() == 1
    assert not PendingImport.objects.filter(pk=old.pk).exists()
    assert not CaseReview.objects.exists()


# -- PDF ------------------------------------------------------------------------------------


@override_settings(PROTECTIVE_MARKING="OFFICIAL-SENSITIVE: TEST")
def test_the_action_plan_pdf_is_grouped_by_agency_with_the_marking_on_every_page(
    client, nscp_viewer, nscp_s
):
    names = ["Barnardo's", "Derbyshire Police", None] * 8
    review = make_review(nscp_s, code="PDF1", agencies=names, actions_each=3)
    client.force_login(nscp_viewer)
    response = client.get(reverse("reviews:review_pdf", args=[review.pk]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) > 2
    texts = [page.extract_text() for page in reader.pages]
    for text in texts:
        assert text.count("OFFICIAL-SENSITIVE: TEST") >= 2  # top and bottom
    body = " ".join(" ".join(text.split()) for text in texts)  # headings wrap in their cells
    for heading in [
        "Outcome",
        "Recommendation",
        "By Whom",
        "Timescale",
        "Audit of implementation",
        "Status",
    ]:
        assert heading in body
    assert (
        body.index("Barnardo's") < body.index("Derbyshire Police") < body.index("Overview report")
    )
    assert "Not yet rated" in body


# -- Assurance ------------------------------------------------------------------------------


@pytest.fixture
def exercise(nscp_s, nscp_officer):
    review = make_review(nscp_s, code="ILOR1")
    theme, _ = Theme.objects.get_or_create(slug="information-sharing", name="Information sharing")
    review.themes.add(theme)
    return review


def test_an_officer_creates_an_exercise_and_rates_the_grid(
    client, nscp_officer, nscp_viewer, exercise
):
    barnardos = Agency.objects.get(name="Barnardo's")
    police = Agency.objects.get(name="Derbyshire Police")
    client.force_login(nscp_officer)
    url = reverse("reviews:assurance_create", args=["NSCP"])
    response = client.post(url, {"title": "ILOR 2026", "reviews": [exercise.pk], "agencies": []})
    assert "Select at least one agency" in response.content.decode()
    response = client.post(
        url,
        {
            "title": "ILOR 2026",
            "held_on_0": "10",
            "held_on_1": "3",
            "held_on_2": "2026",
            "reviews": [exercise.pk],
            "agencies": [barnardos.pk, police.pk],
            "extra_areas": "Voice of the child\nInformation sharing",
        },
    )
    ilor = AssuranceExercise.objects.get()
    assert response["Location"] == reverse("reviews:assurance_detail", args=[ilor.pk])
    assert list(ilor.areas.values_list("name", "theme__slug")) == [
        ("Information sharing", "information-sharing"),
        ("Voice of the child", None),
    ]
    area = ilor.areas.get(name="Information sharing")
    rate = reverse("reviews:assurance_rate", args=[ilor.pk, area.pk, barnardos.pk])
    response = client.post(rate, {"grade": "gold", "narrative": ""})
    assert "Enter a narrative explaining the rating" in response.content.decode()
    client.post(rate, {"grade": "gold", "narrative": "Audit showed chronologies shared"})
    rating = AssuranceRating.objects.get()
    assert (rating.grade, rating.rated_by) == ("gold", nscp_officer)

    client.force_login(nscp_viewer)
    page = client.get(reverse("reviews:assurance_detail", args=[ilor.pk])).content.decode()
    assert ">Gold</strong>" in page and "Audit showed chronologies shared" in page
    assert "Not yet rated" in page
    assert client.post(rate, {"grade": "bronze"}).status_code == 403


def test_pack_section_reproduces_ratings_as_they_stood(nscp_s, exercise):
    barnardos = Agency.objects.get(name="Barnardo's")
    ilor = AssuranceExercise.objects.create(
        partnership=nscp_s, title="ILOR 2026", held_on=datetime.date(2026, 3, 10)
    )
    ilor.agencies.add(barnardos)
    ilor.reviews.add(exercise)
    area = LearningArea.objects.create(exercise=ilor, name="Information sharing", position=1)
    rating = AssuranceRating.objects.create(
        area=area, agency=barnardos, grade="bronze", narrative="Early days"
    )
    before = timezone.now()
    rating.grade, rating.narrative = "gold", "Embedded"
    rating.save()

    now = pack_section(nscp_s, timezone.now())
    (section,) = now["exercises"]
    assert section["title"] == "ILOR 2026"
    assert section["reviews"] == ["ILOR1"]
    assert section["agencies"] == ["Barnardo's"]
    assert section["areas"] == [
        {
            "name": "Information sharing",
            "ratings": [
                {"agency": "Barnardo's", "grade": "gold", "label": "Gold", "narrative": "Embedded"}
            ],
        }
    ]
    assert section["counts"][0] == {"grade": "gold", "label": "Gold", "count": 1}
    then = pack_section(nscp_s, before)
    assert then["exercises"][0]["areas"][0]["ratings"][0]["label"] == "Bronze"
    assert pack_section(nscp_s, datetime.date(2026, 3, 9))["exercises"] == []  # not yet held
