"""A plan's table and the workstreams' tables sort by every shown column on the server;
their own order stays the default (the plan grouped objective by objective)."""

from datetime import date

import pytest
from django.http import QueryDict
from django.urls import reverse

from plans.models import Action, Rating
from plans.sorting import PLAN
from tests.factories import make_update
from workstreams.views import SORTER as WORKSTREAMS

PLAN_URL = reverse("plans:plan_detail", args=["ncscp-business-plan-2019-22"])
WORKSTREAM_URL = reverse("workstreams:workstream_list", args=["NSCP"])


def rated(actions, user):
    for action, rating in zip(actions, ["green", "red", "complete", "amber"], strict=False):
        make_update(action=action, rating=rating, comment="x", as_of=date(2025, 2, 1), author=user)


@pytest.mark.django_db
@pytest.mark.parametrize("column", list(PLAN.columns))
@pytest.mark.parametrize("sign", ["", "-"])
def test_every_plan_column_sorts_both_ways(client, seed, chair, column, sign):
    client.force_login(chair)
    response = client.get(PLAN_URL, {"sort": f"{sign}{column}"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'aria-sort="{"descending" if sign else "ascending"}"' in html
    assert html.count('aria-sort="none"') == len(PLAN.columns) - 1
    current = next(h for h in response.context["headings"] if h["aria"] != "none")
    assert QueryDict(current["href"][1:])["sort"] == ("" if sign else "-") + column
    grouped = column == "no" and not sign
    assert (response.context["sorted_actions"] is None) == grouped
    if not grouped:
        shown = response.context["sorted_actions"]
        assert len(shown) == sum(len(actions) for _o, actions in response.context["objectives"])
        assert 'scope="rowgroup"' not in html


@pytest.mark.django_db
def test_the_plan_sorts_by_rating_most_severe_first(client, seed, chair):
    actions = list(Action.objects.filter(parent__objective__plan__slug__startswith="ncscp"))
    rated(actions[:4], chair)
    client.force_login(chair)
    shown = client.get(PLAN_URL, {"sort": "rating"}).context["sorted_actions"]
    order = [Rating.severity().index(a.latest_rating) for a in shown]
    assert order == sorted(order)
    assert [a.latest_rating for a in shown[:2]] == [Rating.RED, Rating.AMBER]
    assert shown[-1].latest_rating == Rating.COMPLETE
    by_text = client.get(PLAN_URL, {"sort": "-action"}).context["sorted_actions"]
    assert [a.text for a in by_text] == sorted((a.text for a in by_text), reverse=True)


@pytest.mark.django_db
def test_the_plan_is_grouped_by_objective_by_default_and_wide(client, seed, chair):
    client.force_login(chair)
    response = client.get(PLAN_URL)
    html = response.content.decode()
    assert 'scope="rowgroup"' in html
    assert "The plan, objective by objective" in html
    assert "app-width-container--wide" in html
    assert client.get(PLAN_URL, {"sort": "no'><script>"}).context["sorted_actions"] is None


@pytest.mark.django_db
def test_the_plan_page_queries_do_not_grow_when_sorted(
    client, seed, chair, django_assert_max_num_queries
):
    client.force_login(chair)
    with django_assert_max_num_queries(12):
        assert client.get(PLAN_URL, {"sort": "-when"}).status_code == 200


@pytest.mark.django_db
def test_workstream_tables_sort_within_each_workstream(client, seed, agency_lead):
    client.force_login(agency_lead)
    own = client.get(WORKSTREAM_URL)
    assert own.status_code == 200
    rows = own.context["rows"]
    assert rows and any(len(actions) > 2 for _ws, actions in rows)
    for _ws, actions in rows:
        assert [a.position for a in actions] == sorted(a.position for a in actions)
    html = own.content.decode()
    assert html.count('aria-sort="ascending"') == len(rows)  # one heading per table
    assert f'href="?sort=-no#ws-{rows[0][0].number}"' in html
    for column in WORKSTREAMS.columns:
        for sign in ("", "-"):
            response = client.get(WORKSTREAM_URL, {"sort": f"{sign}{column}"})
            html = response.content.decode()
            aria = "descending" if sign else "ascending"
            assert html.count(f'aria-sort="{aria}"') == len(rows)
    by_lead = client.get(WORKSTREAM_URL, {"sort": "-lead"}).context["rows"]
    for (ws, actions), (same_ws, _before) in zip(by_lead, rows, strict=True):
        assert ws == same_ws  # the workstreams keep their order; only their actions move
        leads = [a.lead_text for a in actions]
        assert leads == sorted(leads, reverse=True)
