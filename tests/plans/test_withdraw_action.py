"""Withdrawing one action with a reason: out of lists, counts, reminders and later packs,
still on its own page and its recommendation's; recorded with the person."""

import pytest
from django.urls import reverse

from oversight.cycle import Cycle, actions_to_return
from plans.models import Action, ActionParent, Objective, Plan
from reviews.models import CaseReview, Recommendation


@pytest.fixture
def actions(ncscp):
    plan = Plan.objects.create(partnership=ncscp, slug="t-wd", title="Plan")
    objective = Objective.objects.create(
        ref="t-wd-o1", kind="objective", partnership=ncscp, plan=plan, number=1, text="Aim"
    )
    keep = Action.objects.create(ref="t-wd-1", parent=objective, position=1, text="Keep me")
    drop = Action.objects.create(ref="t-wd-2", parent=objective, position=2, text="Drop me")
    return keep, drop


def test_an_officer_withdraws_an_action_with_a_reason(client, officer, actions, ncscp):
    keep, drop = actions
    client.force_login(officer)
    url = reverse("plans:action_withdraw", args=[drop.pk])
    response = client.post(url, {"reason": "  "})
    assert "Enter why the action is withdrawn" in response.content.decode()
    drop.refresh_from_db()
    assert drop.withdrawn_on is None

    response = client.post(url, {"reason": "Superseded by action 1"})
    assert response.status_code == 302
    drop.refresh_from_db()
    assert (drop.withdrawn_reason, drop.is_withdrawn) == ("Superseded by action 1", True)
    last = drop.history.latest("history_id")
    assert last.history_user == officer and last.withdrawn_reason == "Superseded by action 1"

    assert list(Action.objects.visible_to(officer).filter(parent=keep.parent)) == [keep]
    assert not Action.objects.editable_by(officer).filter(pk=drop.pk).exists()
    page = client.get(reverse("plans:action_detail", args=[drop.pk])).content.decode()
    assert "Withdrawn on" in page and "Superseded by action 1" in page
    plan = client.get(reverse("plans:plan_detail", args=["t-wd"])).content.decode()
    assert "Keep me" in plan and "Drop me" not in plan
    assert client.get(reverse("plans:action_update", args=[drop.pk])).status_code == 403


def test_a_withdrawn_action_is_not_chased_and_its_recommendation_lists_it_apart(
    client, officer, ncscp, actions
):
    keep, drop = actions
    drop.withdraw("Not needed", by=officer)
    chased = set(actions_to_return(ncscp, Cycle(None, None)).values_list("pk", flat=True))
    assert keep.pk in chased and drop.pk not in chased

    review = CaseReview.objects.create(partnership=ncscp, code="WD1", kind="scr")
    recommendation = Recommendation.objects.create(
        ref="t-wd-r1", kind=ActionParent.Kind.RECOMMENDATION, partnership=ncscp, review=review,
        number=1, text="Recommendation", source=Recommendation.Source.OVERVIEW,
    )  # fmt: skip
    gone = Action.objects.create(ref="t-wd-r1-1", parent=recommendation, text="Old action")
    gone.withdraw("Merged into another", by=officer)
    client.force_login(officer)
    page = client.get(reverse("reviews:recommendation_detail", args=[recommendation.pk]))
    html = page.content.decode()
    assert "Withdrawn actions" in html and "Merged into another" in html


def test_the_action_page_shows_changes_to_its_linked_groups_by_name(
    client, officer, actions, qa_group
):
    keep, _drop = actions
    keep._history_user = officer
    keep.lead_groups.add(qa_group)
    client.force_login(officer)
    html = client.get(reverse("plans:action_detail", args=[keep.pk])).content.decode()
    assert "lead groups" in html.lower()
    assert qa_group.name.replace("'", "&#x27;") in html
