"""All actions sorts by every shown column on the server, with links and aria-sort."""

from datetime import date

import pytest
from django.urls import reverse

from oversight.sorting import COLUMNS
from plans.models import Action
from tests.factories import make_update

URL = reverse("oversight:action_list")


@pytest.mark.django_db
@pytest.mark.parametrize("column", list(COLUMNS))
@pytest.mark.parametrize("sign", ["", "-"])
def test_every_column_sorts_both_ways(client, seed, chair, column, sign):
    client.force_login(chair)
    response = client.get(URL, {"sort": f"{sign}{column}"})
    assert response.status_code == 200
    html = response.content.decode()
    aria = "descending" if sign else "ascending"
    assert f'aria-sort="{aria}"' in html
    assert html.count('aria-sort="none"') == len(COLUMNS) - 1
    assert f"sort={'' if sign else '-'}{column}" in html  # the heading turns the order round


@pytest.mark.django_db
def test_rating_sorts_most_severe_first_and_due_sorts_by_date(client, seed, chair):
    client.force_login(chair)
    actions = list(Action.objects.visible_to(chair).order_by("pk")[:3])
    for action, rating in zip(actions, ["green", "red", "amber"], strict=True):
        make_update(action=action, rating=rating, comment="x", as_of=date.today(), author=chair)
    rows = client.get(URL, {"sort": "rating"}).context["page"].object_list
    assert [a.latest_rating for a in rows[:2]] == ["red", "amber"]
    dues = [a.effective_due for a in client.get(URL, {"sort": "-due"}).context["page"]]
    dated = [d for d in dues if d]
    assert dated == sorted(dated, reverse=True)


@pytest.mark.django_db
def test_an_unknown_sort_falls_back_to_document_order(client, seed, chair):
    client.force_login(chair)
    assert client.get(URL, {"sort": "password"}).status_code == 200
