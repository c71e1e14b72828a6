"""Re-checks after completion: a completed review action is booked a dip test or a fresh ILOR
rating 6 or 12 months on, by the review panel's chair or an officer, and its finding recorded."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from plans.models import Rating
from reviews.clocks import add_months
from reviews.models import ReCheck
from tests.factories import make_update

from .conftest import make_review


@pytest.fixture
def completed(nscp_s, nscp_officer):
    review = make_review(nscp_s, actions_each=2)
    recommendation = review.recommendations.get()
    done, open_action = recommendation.actions.order_by("position")
    make_update(
        action=done,
        rating=Rating.COMPLETE,
        comment="Done",
        author=nscp_officer,
        as_of=timezone.localdate(),
    )
    return recommendation, done, open_action


def book(client, action, months=6, kind="dip_test"):
    return client.post(
        reverse("reviews:recheck_schedule", args=[action.pk]),
        {f"s{action.pk}-kind": kind, f"s{action.pk}-months": str(months)},
    )


def test_the_panel_chair_books_a_recheck_of_a_completed_action(client, panel_chair, completed):
    recommendation, done, _ = completed
    client.force_login(panel_chair)
    page = client.get(reverse("reviews:recommendation_detail", args=[recommendation.pk]))
    assert page.content.decode().count("Book a re-check") == 1  # only the completed action
    response = book(client, done, months=12, kind="ilor")
    assert response.status_code == 302
    recheck = ReCheck.objects.get()
    assert recheck.kind == "ilor" and recheck.due_on == add_months(timezone.localdate(), 12)
    assert recheck.history.get().history_user == panel_chair


def test_an_unfinished_action_cannot_be_rechecked(client, panel_chair, completed):
    _, _, open_action = completed
    client.force_login(panel_chair)
    response = book(client, open_action)
    assert response.status_code == 302 and not ReCheck.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "Only a completed action can be re-checked" in page


def test_readers_cannot_book(client, nscp_viewer, completed):
    client.force_login(nscp_viewer)
    assert book(client, completed[1]).status_code == 403
    assert not ReCheck.objects.exists()


def test_recording_a_recheck_needs_a_finding(client, panel_chair, nscp_officer, completed):
    recommendation, done, _ = completed
    recheck = ReCheck.objects.create(
        action=done, kind="ilor", due_on=date(2026, 1, 5), scheduled_by=nscp_officer
    )
    client.force_login(panel_chair)
    url = reverse("reviews:recheck_record", args=[recheck.pk])
    response = client.post(url, {f"r{recheck.pk}-grade": "silver"})
    html = response.content.decode()
    assert response.status_code == 400
    assert f'href="#id_r{recheck.pk}-finding"' in html
    assert '<span class="govuk-visually-hidden">Error:</span> Enter what the re-check found' in html
    response = client.post(
        url, {f"r{recheck.pk}-grade": "silver", f"r{recheck.pk}-finding": "Practice has held"}
    )
    assert response.status_code == 302
    recheck.refresh_from_db()
    assert recheck.done_on == timezone.localdate() and recheck.grade == "silver"
    assert recheck.history.first().history_user == panel_chair
    page = client.get(reverse("reviews:recommendation_detail", args=[recommendation.pk]))
    assert "rated Silver. Practice has held" in page.content.decode()


def test_due_rechecks(nscp_officer, completed):
    done = completed[1]
    due = ReCheck.objects.create(
        action=done, kind="dip_test", due_on=date(2026, 1, 5), scheduled_by=nscp_officer
    )
    ReCheck.objects.create(
        action=done, kind="ilor", due_on=date(2026, 7, 5), scheduled_by=nscp_officer
    )
    assert list(ReCheck.objects.due(date(2026, 2, 1))) == [due]
    assert list(ReCheck.objects.visible_to(nscp_officer).due(date(2026, 2, 1))) == [due]
