"""Pin the query count of the busy pages on hundreds of actions, so an N+1 fails the suite."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from plans.history import create_with_history
from plans.models import Action, Objective, Plan, RagUpdate, Rating

RATINGS = [Rating.RED, Rating.AMBER, Rating.GREEN, Rating.COMPLETE, Rating.NOT_STARTED]


@pytest.fixture
def many_actions(seed, officer, qa_group):
    """300 more NCSCP actions over 30 objectives, each with 3 updates and a lead group."""
    plan = Plan.objects.get(slug="ncscp-business-plan-2019-22")
    actions = []
    for n in range(30):
        objective = Objective.objects.create(
            ref=f"bulk-obj-{n}",
            kind="objective",
            partnership=plan.partnership,
            plan=plan,
            number=100 + n,
            text=f"Bulk objective {n}",
        )
        actions += [
            Action(
                ref=f"bulk-{n}-{k}",
                parent=objective,
                position=k,
                text=f"Bulk action {k}",
                lead_text="Children's QA subgroup",
                timescale="June 2020",
                due_date=date(2020, 6, 30),
            )
            for k in range(1, 11)
        ]
    actions = create_with_history(Action, actions, user=officer)
    for action in Action.objects.filter(ref__startswith="bulk-"):
        action.lead_groups.add(qa_group)
    updates = [
        RagUpdate(
            action=action,
            rating=RATINGS[(i + j) % 5],
            comment=f"Update {j}",
            as_of=date(2026, 1, 1) + timedelta(days=30 * j),
            author=officer,
        )
        for i, action in enumerate(Action.objects.filter(ref__startswith="bulk-"))
        for j in range(3)
    ]
    create_with_history(RagUpdate, updates, user=officer)
    assert Action.objects.count() > 400
    return Action.objects.filter(ref__startswith="bulk-")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "params", "limit"),
    [
        ("oversight:dashboard", {}, 18),  # + partnerships and BMG meetings (trend)
        # All actions: one more for the reader's chosen columns (oversight.ColumnChoice).
        ("oversight:action_list", {}, 16),
        ("oversight:action_list", {"rating": "red", "q": "Bulk"}, 16),
        ("oversight:my_actions", {"show": "all"}, 16),
    ],
)
def test_list_pages_use_a_fixed_number_of_queries(
    client, many_actions, chair, django_assert_max_num_queries, name, params, limit
):
    client.force_login(chair)
    with django_assert_max_num_queries(limit):
        response = client.get(reverse(name), params)
    assert response.status_code == 200


@pytest.mark.django_db
def test_action_page_queries_do_not_grow_with_updates(
    client, many_actions, chair, officer, django_assert_max_num_queries
):
    action = many_actions.first()
    create_with_history(
        RagUpdate,
        [
            RagUpdate(
                action=action,
                rating=Rating.AMBER,
                comment=f"More {i}",
                as_of=date(2026, 5, 1),
                author=officer,
            )
            for i in range(40)
        ],
        user=officer,
    )
    for i in range(20):
        action.text = f"Edited {i}"
        action.save()
    client.force_login(chair)
    # A fixed number: the history's lead links (groups, agencies, people) are read once per
    # kind of link however many records there are.
    with django_assert_max_num_queries(19):
        response = client.get(reverse("plans:action_detail", args=[action.pk]))
    assert response.status_code == 200
    # Created, linked to its group (shown since the page names link changes), edited 20 times.
    history = response.context["history"]
    assert len(history) == 22
    assert [c["field"] for c in history[-2]["changes"]] == ["lead groups"]


@pytest.mark.django_db
def test_plan_page_queries_do_not_grow_with_actions(
    client, many_actions, chair, django_assert_max_num_queries
):
    client.force_login(chair)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("plans:plan_detail", args=["ncscp-business-plan-2019-22"]))
    assert response.status_code == 200
