"""Setting up and maintaining a business plan in the app, by board officers only."""

import pytest
from django.urls import reverse

from plans.models import Action, Milestone, Objective, Plan, Priority

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(ncscp):
    return Plan.objects.create(partnership=ncscp, title="NCSCP Business Plan 2026-29")


def test_an_officer_creates_a_plan_with_a_priority_an_objective_and_an_action(
    client, officer, ncscp, qa_group
):
    client.force_login(officer)
    response = client.post(
        reverse("plans:plan_create", args=["NCSCP"]),
        {"title": "Plan 2026-29", "starts_on_0": "1", "starts_on_1": "4", "starts_on_2": "2026"},
    )
    plan = Plan.objects.get(title="Plan 2026-29")
    assert response.url == reverse("plans:plan_detail", args=[plan.slug])
    assert plan.slug == "plan-2026-29" and plan.partnership == ncscp
    client.post(reverse("plans:priority_add", args=[plan.slug]), {"number": 1, "title": "Neglect"})
    priority = Priority.objects.get(plan=plan)
    client.post(
        reverse("plans:objective_add", args=[plan.slug]),
        {"number": 1, "text": "Children are safer", "priority": priority.pk},
    )
    objective = Objective.objects.get(plan=plan)
    assert objective.priority == priority and objective.partnership == ncscp
    assert objective.ref and objective.position == 1
    response = client.post(
        reverse("plans:action_add", args=[objective.pk]),
        {
            "text": "Audit neglect cases",
            "lead_text": "Children's QA subgroup",
            "lead_groups": [qa_group.pk],
            "measure": "Report to BMG",
            "timescale": "June 2026 Oct 2026 Feb 2027",
        },
    )
    action = Action.objects.get(parent=objective)
    assert response.url == reverse("plans:action_detail", args=[action.pk])
    assert action.position == 1 and action.display_ref == "1.1"
    assert str(action.due_date) == "2027-02-28"
    assert [str(m.due) for m in Milestone.objects.filter(action=action)] == [
        "2026-06-30",
        "2026-10-31",
        "2027-02-28",
    ]
    assert list(action.lead_groups.all()) == [qa_group]
    # Every step is in history with the officer.
    for model, obj in ((Plan, plan), (Priority, priority), (Action, action)):
        assert model.history.filter(id=obj.pk).first().history_user == officer
    page = client.get(reverse("plans:plan_detail", args=[plan.slug])).content.decode()
    assert "Changes to this plan" in page and "Added action 1.1" in page
    assert "Olu" not in page and "t-officer" in page


def test_editing_the_timescale_moves_the_due_date_and_the_milestones(client, officer, plan):
    objective = Objective.objects.create(plan=plan, number=1, text="Objective")
    action = Action.objects.create(parent=objective, text="Do it", timescale="June 2026")
    client.force_login(officer)
    response = client.post(
        reverse("plans:action_edit", args=[action.pk]),
        {"text": "Do it well", "lead_text": "Head of Housing", "timescale": "By 31/12/2026"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert str(action.due_date) == "2026-12-31" and action.lead_text == "Head of Housing"
    assert [str(m.due) for m in action.milestones.all()] == ["2026-12-31"]
    record = action.history.first()
    assert record.history_user == officer and record.text == "Do it well"


def test_bad_input_gets_gov_uk_errors(client, officer, plan):
    client.force_login(officer)
    Priority.objects.create(plan=plan, number=1, title="Taken")
    response = client.post(reverse("plans:priority_add", args=[plan.slug]), {"number": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        '<a href="#id_number">This plan already has priority 1: choose another number</a>' in html
    )
    assert '<a href="#id_title">Enter the priority</a>' in html
    assert "govuk-form-group--error" in html
    assert '<span class="govuk-visually-hidden">Error:</span>' in html
    assert "<title>Error: Add a priority" in html
    response = client.post(reverse("plans:plan_create", args=["NCSCP"]), {"title": ""})
    assert '<a href="#id_title">Enter the plan&#x27;s title</a>' in response.content.decode()


def test_actions_reorder_and_move_to_another_objective(client, officer, plan):
    first = Objective.objects.create(plan=plan, number=1, text="One")
    second = Objective.objects.create(plan=plan, number=2, text="Two")
    a, b = (
        Action.objects.create(parent=first, text=t, position=n) for n, t in ((1, "A"), (2, "B"))
    )
    client.force_login(officer)
    url = reverse("plans:action_reorder", args=[b.pk])
    assert client.post(url, {"direction": "up"}).url == reverse(
        "plans:objective_edit", args=[first.pk]
    )
    assert list(first.actions.order_by("position").values_list("text", flat=True)) == ["B", "A"]
    b.refresh_from_db()
    assert [r.position for r in b.history.all()[:2]] == [1, 2]  # no record of the free slot
    assert b.history.first().history_user == officer
    client.post(reverse("plans:action_move", args=[a.pk]), {"objective": second.pk})
    a.refresh_from_db()
    assert a.parent_id == second.pk and a.position == 1 and a.display_ref == "2.1"
    assert a.history.first().history_user == officer


def test_an_objective_of_another_partnership_is_not_a_move_target(client, officer, plan, nscp):
    objective = Objective.objects.create(plan=plan, number=1, text="One")
    action = Action.objects.create(parent=objective, text="A")
    other = Objective.objects.create(
        plan=Plan.objects.create(partnership=nscp, title="NSCP plan"), number=1, text="x"
    )
    client.force_login(officer)
    response = client.post(reverse("plans:action_move", args=[action.pk]), {"objective": other.pk})
    assert "Select the objective to move it to from the list" in response.content.decode()
    action.refresh_from_db()
    assert action.parent_id == objective.pk


@pytest.mark.parametrize(
    ("who", "code"), [("viewer", 403), ("chair", 403), ("outsider", 404), ("officer", 200)]
)
def test_only_the_partnerships_officers_manage_its_plans(client, request, plan, who, code):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("plans:plan_edit", args=[plan.slug])).status_code == code
    before = Plan.history.count()
    client.post(reverse("plans:plan_edit", args=[plan.slug]), {"title": "Hijacked"})
    if code != 200:
        assert Plan.history.count() == before
        assert Plan.objects.get().title != "Hijacked"
