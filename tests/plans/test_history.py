"""Every change is recorded, with the user who made it."""

from datetime import date

import pytest
from django.urls import reverse

from plans.history import tracked_models
from plans.models import Action, Objective, Partnership, Plan, RagUpdate, Rating
from tests.factories import make_update


@pytest.mark.django_db
def test_a_change_through_a_request_records_the_acting_user(client, admin_user, ncscp):
    client.force_login(admin_user)
    url = reverse("admin:plans_partnership_change", args=[ncscp.pk])
    response = client.post(
        url, {"short_name": "NCSCP", "name": "Nottingham City SCP (renamed)", "area": "City"}
    )
    assert response.status_code == 302
    latest = ncscp.history.latest()
    assert latest.history_type == "~"
    assert latest.history_user == admin_user
    assert latest.name == "Nottingham City SCP (renamed)"
    assert latest.prev_record.name == "Nottingham City Safeguarding Children Partnership"


@pytest.mark.django_db
def test_every_save_and_delete_of_an_action_and_update_is_recorded(ncscp, admin_user):
    plan = Plan.objects.create(partnership=ncscp, slug="bp", title="Plan")
    objective = Objective.objects.create(
        ref="o1", kind="objective", partnership=ncscp, plan=plan, number=1, text="Aim"
    )
    action = Action(ref="a1", parent=objective, text="Do it")
    action._history_user = admin_user
    action.save()
    action.text = "Do it better"
    action._history_user = admin_user
    action.save()
    update = make_update(
        action=action, rating=Rating.AMBER, as_of=date(2020, 1, 1), author=admin_user
    )
    update.delete()

    kinds = list(action.history.order_by("history_id").values_list("history_type", "text"))
    assert kinds == [("+", "Do it"), ("~", "Do it better")]
    assert {h.history_user for h in action.history.all()} == {admin_user}
    assert [h.history_type for h in RagUpdate.history.order_by("history_id")] == ["+", "-"]


def test_every_model_users_change_keeps_history():
    labels = {model._meta.label for model in tracked_models()}
    assert {
        "plans.Partnership",
        "plans.Agency",
        "plans.Group",
        "plans.Role",
        "plans.Plan",
        "plans.Priority",
        "plans.FocusCohort",
        "plans.Objective",
        "plans.Action",
        "plans.Milestone",
        "plans.RagUpdate",
        "oversight.Meeting",
        "workstreams.Workstream",
        "reviews.CaseReview",
        "reviews.Recommendation",
        "reviews.Evidence",
        "reviews.SignOff",
        "reviews.AssuranceExercise",
        "reviews.LearningArea",
        "reviews.AssuranceRating",
        "plans.Theme",
    } <= labels


@pytest.mark.django_db
def test_admin_shows_history(client, admin_user, ncscp):
    client.force_login(admin_user)
    response = client.get(reverse("admin:plans_partnership_history", args=[ncscp.pk]))
    assert response.status_code == 200
    assert Partnership.objects.count() == 1
