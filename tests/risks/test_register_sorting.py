"""The risk register sorts by every column on the server, keeping its filters; highest score
after controls first is the default."""

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from risks.views import SORTER

from .test_risks import make_risk

URL = reverse("risks:risk_register", args=["NCSCP"])


@pytest.fixture
def register(ncscp):
    today = timezone.localdate()
    make_risk(ncscp, "B2", before=(5, 5), after=(1, 2), next_review_on=today)
    make_risk(ncscp, "A1", before=(3, 3), after=(3, 3), next_review_on=today + timedelta(99))
    agency_owned = make_risk(ncscp, "C3", before=(4, 4), after=(4, 4))
    agency_owned.owner_text = "Agency leads"
    agency_owned.save()


def refs(response):
    return [risk.reference for risk in response.context["risks"]]


@pytest.mark.django_db
@pytest.mark.parametrize("column", list(SORTER.columns))
@pytest.mark.parametrize("sign", ["", "-"])
def test_every_register_column_sorts_both_ways(client, officer, register, column, sign):
    client.force_login(officer)
    response = client.get(URL, {"sort": f"{sign}{column}"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'aria-sort="{"descending" if sign else "ascending"}"' in html
    assert html.count('aria-sort="none"') == len(SORTER.columns) - 1
    assert sorted(refs(response)) == ["A1", "B2", "C3"]


@pytest.mark.django_db
def test_the_register_orders_by_the_chosen_column(client, officer, register):
    client.force_login(officer)
    assert refs(client.get(URL)) == ["C3", "A1", "B2"]  # after controls, highest first
    assert refs(client.get(URL, {"sort": "ref"})) == ["A1", "B2", "C3"]
    assert refs(client.get(URL, {"sort": "-before"})) == ["B2", "C3", "A1"]
    assert refs(client.get(URL, {"sort": "after"})) == ["B2", "A1", "C3"]
    assert refs(client.get(URL, {"sort": "review"})) == ["B2", "A1", "C3"]  # not set: last
    assert refs(client.get(URL, {"sort": "-owner"}))[-1] == "C3"  # "Agency leads" < "BMG"


@pytest.mark.django_db
def test_sorting_keeps_the_filters_and_filtering_keeps_the_sort(client, officer, register):
    client.force_login(officer)
    response = client.get(URL, {"sort": "ref", "due": "on"})
    assert refs(response) == ["B2", "C3"]  # due for review (or never set), by reference
    risk = next(h for h in response.context["headings"] if h["label"] == "Risk")
    assert QueryDict(risk["href"][1:]).dict() == {"sort": "risk", "due": "on"}
    assert '<input type="hidden" name="sort" value="ref">' in response.content.decode()
    # The default order needs no hidden field.
    assert 'name="sort"' not in client.get(URL).content.decode().split("</form>")[0]
