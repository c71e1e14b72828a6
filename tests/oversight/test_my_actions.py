"""My actions: cards grouped by plan, workstream and review, filters, and saving card by card."""

from datetime import date

import pytest
from django.urls import reverse

from plans.models import Action, RagUpdate
from tests.factories import make_update

URL = reverse("oversight:my_actions")


def cards(client, **params):
    response = client.get(URL, {"show": "all", **params})
    assert response.status_code == 200
    return response


def form_data(rows, typed=None):
    """The whole page's form as a browser sends it: every card, with `typed` {pk: (r, c)}."""
    data = {"action": [a.pk for a, _f in rows]}
    for action, form in rows:
        data[f"a{action.pk}-seen"] = form["seen"].value()
        rating, comment = (typed or {}).get(action.pk, ("", ""))
        data[f"a{action.pk}-rating"] = rating
        data[f"a{action.pk}-comment"] = comment
    return data


@pytest.mark.django_db
def test_cards_are_grouped_by_plan_with_counts_and_show_the_last_comment(client, seed, chair):
    client.force_login(chair)
    first = Action.objects.editable_by(chair).for_list().first()
    make_update(
        action=first,
        rating="amber",
        comment="Audit slipped to June",
        as_of=date.today(),
        author=chair,
    )
    response = cards(client)
    groups = response.context["groups"]
    assert sum(len(group["rows"]) for group in groups) == Action.objects.editable_by(chair).count()
    html = response.content.decode()
    for group in groups:
        assert group["title"].startswith(("Plan: ", "Workstream: ", "Review: "))
        count = len(group["rows"])
        assert f"{count} action{'s' if count != 1 else ''}" in html
    assert "Audit slipped to June" in html
    assert "Last comment" in html


@pytest.mark.django_db
def test_filters_by_rating_overdue_and_group_and_say_what_is_applied(client, seed, chair):
    client.force_login(chair)
    actions = list(Action.objects.editable_by(chair).for_list())
    make_update(action=actions[0], rating="red", comment="Stuck", as_of=date.today(), author=chair)
    reds = cards(client, rating="red")
    assert [a.pk for a, _f in reds.context["rows"]] == [actions[0].pk]
    html = reds.content.decode()
    assert "Current rating: <strong>Red</strong>" in html
    assert 'href="/my-actions/?show=all">Remove' in html
    never = cards(client, rating="none").context["rows"]
    assert actions[0].pk not in {a.pk for a, _f in never} and never
    overdue = cards(client, show="overdue").context["rows"]
    today = date.today()
    assert all(a.effective_due and a.effective_due < today for a, _f in overdue)
    group = actions[0].lead_groups.first()
    led = cards(client, group=group.pk).context["rows"]
    assert {a.pk for a, _f in led} == set(
        Action.objects.editable_by(chair).filter(lead_groups=group).values_list("pk", flat=True)
    )
    assert cards(client, rating="purple").context["errors"] == []
    assert "Select current rating from the list" in cards(client, rating="purple").content.decode()


@pytest.mark.django_db
def test_one_cards_save_keeps_what_is_typed_in_the_others(client, seed, chair):
    client.force_login(chair)
    rows = cards(client).context["rows"]
    (first, _), (second, _) = rows[:2]
    data = form_data(rows, {first.pk: ("green", "On track"), second.pk: ("red", "Half typed")})
    response = client.post(f"{URL}?show=all", data | {"save": first.pk})
    assert response.status_code == 200
    assert list(RagUpdate.objects.values_list("action_id", "rating")) == [(first.pk, "green")]
    html = response.content.decode()
    assert "Half typed" in html  # the other card, as typed
    assert "Your update for this action is saved." in html
    assert f'formaction="#action-{first.pk}"' in html
    # The other card still carries what its editor saw, so it saves as it would have.
    again = client.post(f"{URL}?show=all", form_data(response.context["rows"]) | {"save": "all"})
    assert again.status_code == 302


@pytest.mark.django_db
def test_one_cards_save_with_nothing_else_typed_returns_to_that_card(client, seed, chair):
    client.force_login(chair)
    rows = cards(client).context["rows"]
    target = rows[1][0]
    data = form_data(rows, {target.pk: ("green", "Fine")})
    response = client.post(URL, data | {"save": target.pk})
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?kept={target.pk}#action-{target.pk}"
    # Updated, so it no longer needs an update, but the reader stays at it.
    page = client.get(response["Location"])
    assert target.pk in {a.pk for a, _f in page.context["rows"]}
    assert "1 update saved" in page.content.decode()


@pytest.mark.django_db
def test_one_cards_save_reports_its_errors_and_a_conflict(client, seed, chair, officer):
    client.force_login(chair)
    rows = cards(client).context["rows"]
    target = rows[0][0]
    response = client.post(URL, form_data(rows, {target.pk: ("red", "")}) | {"save": target.pk})
    assert response.status_code == 200
    assert "Enter a progress comment to explain the Red rating" in response.content.decode()
    make_update(
        action=target, rating="green", comment="By someone else", author=officer, as_of=date.today()
    )
    data = form_data(rows, {target.pk: ("amber", "Mine")}) | {"save": target.pk}
    html = client.post(URL, data).content.decode()
    assert "Someone else updated this action since you opened the page" in html
    assert not RagUpdate.objects.filter(comment="Mine").exists()


@pytest.mark.django_db
def test_a_save_button_for_an_action_not_on_the_page_is_refused(client, seed, chair):
    client.force_login(chair)
    rows = cards(client).context["rows"]
    response = client.post(URL, form_data(rows[:1]) | {"save": rows[1][0].pk})
    assert response.status_code == 404
