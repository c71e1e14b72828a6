"""The update form: the current rating chosen already, hints that say when a comment is needed,
what each rating means, and every problem found in one pass."""

import pytest
from django.urls import reverse

from plans.models import Partnership, RagUpdate, Rating
from tests.plans.test_views import QA_ACTION, post_update, update_url


@pytest.mark.django_db
def test_the_current_rating_is_chosen_and_keeping_green_needs_no_comment(client, seed, chair):
    client.force_login(chair)
    assert post_update(client, QA_ACTION, rating="green", comment="On track").status_code == 302
    html = client.get(update_url(QA_ACTION)).content.decode()
    assert 'type="radio" value="green" checked' in html
    assert "Now Green. Keep Green if nothing has changed." in html
    assert "Needed for Red, Amber and Complete, and when the rating changes." in html
    assert "Progress comment (optional)" not in html
    assert post_update(client, QA_ACTION, rating="green").status_code == 302


@pytest.mark.django_db
def test_keeping_amber_needs_a_short_comment(client, seed, chair):
    client.force_login(chair)
    assert post_update(client, QA_ACTION, rating="amber", comment="Slipping").status_code == 302
    refused = post_update(client, QA_ACTION, rating="amber")
    assert "Enter a progress comment to explain the Amber rating" in refused.content.decode()
    assert post_update(client, QA_ACTION, rating="amber", comment="No change").status_code == 302


@pytest.mark.django_db
def test_each_rating_says_what_it_means_beside_its_radio(client, seed, chair):
    client.force_login(chair)
    html = client.get(update_url(QA_ACTION)).content.decode()
    for meaning in Rating.meanings().values():
        assert meaning in html
    assert 'aria-describedby="id_rating-2-item-hint"' in html


@pytest.mark.django_db
def test_every_problem_is_found_in_one_pass(client, seed, chair):
    client.force_login(chair)
    response = post_update(
        client,
        QA_ACTION,
        rating="",
        revised_due_date_0="30",
        revised_due_date_1="6",
        revised_due_date_2="2027",
    )
    html = response.content.decode()
    assert 'href="#id_rating"' in html and "Select a RAG rating" in html
    assert 'href="#id_revision_reason"' in html
    assert "Enter the reason the due date has changed" in html
    assert not RagUpdate.objects.exists()


@pytest.mark.django_db
def test_an_officer_words_the_ratings_for_the_partnership(client, seed, officer, chair):
    client.force_login(officer)
    url = reverse("plans:rating_meanings", args=["NCSCP"])
    data = {r: text for r, text in Rating.meanings().items()} | {"red": "Escalate to BMG now."}
    refused = client.post(url, data | {"amber": " "})
    assert "Enter what Amber means" in refused.content.decode()
    assert client.post(url, data).status_code == 302
    ncscp = Partnership.objects.get(short_name="NCSCP")
    assert ncscp.rating_meanings == {"red": "Escalate to BMG now."}
    assert ncscp.history.latest().history_user == officer
    client.force_login(chair)
    html = client.get(update_url(QA_ACTION)).content.decode()
    assert "Escalate to BMG now." in html and Rating.meanings()[Rating.AMBER] in html
