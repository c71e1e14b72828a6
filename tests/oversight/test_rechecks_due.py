"""Due re-checks of completed review actions on the dashboard and in the BMG pack."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from oversight.models import Meeting
from oversight.pack import build_pack
from plans.models import Action, Group
from reviews.models import CaseReview, ReCheck, Recommendation


@pytest.fixture
def booked(ncscp, officer):
    today = timezone.localdate()
    review = CaseReview.objects.create(partnership=ncscp, code="RC01", kind="scr")
    recommendation = Recommendation.objects.create(
        ref="rc01-r1", kind="recommendation", partnership=ncscp, review=review, number=1,
        source="overview", text="Audit the pathway", position=1,
    )  # fmt: skip
    action = Action.objects.create(
        ref="rc01-r1-1", parent=recommendation, position=1, text="Revise the pathway"
    )
    due = ReCheck.objects.create(
        action=action, kind="dip_test", due_on=today - timedelta(days=1), scheduled_by=officer
    )
    ReCheck.objects.create(
        action=action, kind="ilor", due_on=today + timedelta(days=200), scheduled_by=officer
    )
    ReCheck.objects.create(
        action=action,
        kind="ilor",
        due_on=today - timedelta(days=3),
        done_on=today - timedelta(days=2),
        finding="Held",
        scheduled_by=officer,
    )
    return due


def test_the_dashboard_lists_due_rechecks(client, officer, booked):
    client.force_login(officer)
    html = client.get(reverse("oversight:dashboard")).content.decode()
    assert "Re-checks due" in html
    assert html.count("RC01 action") == 1 and "dip test due" in html


def test_the_pack_lists_rechecks_due_by_the_deadline(ncscp, booked):
    today = timezone.localdate()
    bmg = Group.objects.create(slug="rc-bmg", name="BMG", kind=Group.Kind.BMG)
    bmg.partnerships.add(ncscp)
    meeting = Meeting.objects.create(
        group=bmg, date=today + timedelta(days=14), update_deadline=today
    )
    pack = build_pack(meeting, partnership=ncscp)
    assert [(r["kind"], r["ref"]) for r in pack.rechecks] == [("Dip test", "rc01-r1-1")]


def test_the_dashboard_queries_do_not_grow_with_rechecks(
    client, officer, booked, django_assert_max_num_queries
):
    for _ in range(30):
        ReCheck.objects.create(
            action=booked.action, kind="dip_test", due_on=booked.due_on, scheduled_by=officer
        )
    client.force_login(officer)
    with django_assert_max_num_queries(16):
        html = client.get(reverse("oversight:dashboard")).content.decode()
    assert html.count("RC01 action") == 31
