"""Security and integrity, second round (issue 13): what a probe of a production-like copy
found, one section per finding, in the issue's order. Each test is written as the request the
probe made and failed on the code before its fix."""

import pytest
from django.urls import reverse

from plans.models import Action, RagUpdate
from reviews.models import CaseReview

from .reviews.conftest import make_review

QA_ACTION = "ncscp-bp-2019-22-2-1"  # NCSCP business plan, led by the Children's QA subgroup


# -- 3. Repeated ids save duplicates ------------------------------------------------------------


def test_my_actions_saves_one_update_for_an_action_id_sent_three_times(client, seed, chair):
    action = Action.objects.get(ref=QA_ACTION)
    client.force_login(chair)
    response = client.post(
        reverse("plans:my_actions"),
        {
            "action": [action.pk, action.pk, action.pk],
            f"a{action.pk}-rating": "green",
            f"a{action.pk}-comment": "On track",
        },
    )
    assert response.status_code == 302
    assert RagUpdate.objects.filter(action=action).count() == 1


# -- 4. A closure reason cannot be rewritten after sign-off --------------------------------------


@pytest.fixture
def signed_off_review(client, seed, officer, ncscp):
    """An NCSCP review whose one recommendation was closed, then the plan signed off."""
    review = make_review(ncscp, code="SO01", agencies=("Broxtowe Borough Council",))
    recommendation = review.recommendations.get()
    client.force_login(officer)
    close = reverse("reviews:recommendation_close", args=[recommendation.pk])
    assert client.post(close, {"reason": "Met by the county audit"}).status_code == 302
    sign_off = reverse("reviews:review_sign_off", args=[review.pk])
    assert client.post(sign_off, {"note": "Panel agreed"}).status_code == 302
    review.refresh_from_db()
    assert review.status == CaseReview.Status.SIGNED_OFF
    return recommendation


def test_closing_a_recommendation_of_a_signed_off_review_is_refused(client, signed_off_review):
    url = reverse("reviews:recommendation_close", args=[signed_off_review.pk])
    history = signed_off_review.history.count()
    response = client.post(url, {"reason": "Rewritten after sign-off"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Reopen the signed-off action plan before changing how this recommendation" in html
    signed_off_review.refresh_from_db()
    assert signed_off_review.closed_reason == "Met by the county audit"
    assert signed_off_review.history.count() == history
