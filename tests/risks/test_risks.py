"""The risk register: scoring, movement, the register's order and filters, the forms, access
and history."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from plans.models import Action
from risks.demo import load_risks
from risks.models import Risk, RiskAppetite, RiskReview, movement

TODAY = timezone.localdate


def make_risk(partnership, ref, before=(4, 4), after=(3, 3), **extra):
    return Risk.objects.create(
        partnership=partnership,
        reference=ref,
        title=f"Risk {ref}",
        description="Something that could go wrong",
        owner_text="BMG",
        inherent_likelihood=before[0],
        inherent_impact=before[1],
        residual_likelihood=after[0],
        residual_impact=after[1],
        **extra,
    )


def form_data(**extra):
    data = {
        "reference": "R9",
        "title": "Reviews late",
        "description": "Reviews miss their timescales",
        "owner_text": "SIRG",
        "inherent_likelihood": "4",
        "inherent_impact": "5",
        "residual_likelihood": "3",
        "residual_impact": "4",
        "next_review_on_0": "",
        "next_review_on_1": "",
        "next_review_on_2": "",
    }
    return data | extra


# -- Scoring and movement --------------------------------------------------------------------


def test_scores_are_likelihood_times_impact(ncscp):
    risk = make_risk(ncscp, "R1", before=(5, 4), after=(2, 3))
    assert (risk.inherent_score, risk.residual_score) == (20, 6)
    annotated = Risk.objects.with_scores().get(pk=risk.pk)
    assert (annotated.inherent, annotated.residual) == (20, 6)


def test_above_appetite_is_strictly_above_the_partnerships_score(ncscp):
    risk = make_risk(ncscp, "R1", after=(3, 4))
    assert RiskAppetite.score_for(ncscp) == 12  # the default until officers set one
    assert not risk.is_above(12)
    RiskAppetite.set_for(ncscp, 11, by=None)
    assert risk.is_above(RiskAppetite.score_for(ncscp))


@pytest.mark.parametrize(
    ("before", "after", "words"),
    [
        (12, 16, "up from 12 to 16"),
        (16, 12, "down from 16 to 12"),
        (9, 9, "unchanged at 9"),
        (None, 8, "first scored at 8"),
    ],
)
def test_movement_is_in_words(before, after, words):
    assert movement(before, after) == words


def test_a_review_keeps_the_score_before_and_moves_the_risk(ncscp, officer):
    risk = make_risk(ncscp, "R1", after=(3, 4))
    review = risk.record_review(
        by=officer,
        on=TODAY(),
        likelihood=4,
        impact=4,
        commentary="Attendance fell",
        next_review_on=TODAY() + timedelta(days=120),
    )
    risk.refresh_from_db()
    assert (review.previous_score, review.score, review.movement) == (12, 16, "up from 12 to 16")
    assert risk.residual_score == 16
    assert risk.next_review_on == TODAY() + timedelta(days=120)
    assert review.history.get().history_user == officer
    assert risk.history.first().history_user == officer


# -- The register ---------------------------------------------------------------------------


def test_the_register_sorts_by_residual_score_and_filters(client, seed, officer, ncscp):
    from plans.models import Group

    qa = Group.objects.get(slug="ncscp-childrens-qa")
    make_risk(ncscp, "LOW", after=(1, 2), next_review_on=TODAY() + timedelta(days=200))
    make_risk(ncscp, "HIGH", after=(4, 4), owner_group=qa, next_review_on=TODAY())
    make_risk(ncscp, "MID", after=(3, 3), next_review_on=TODAY() + timedelta(days=200))
    make_risk(ncscp, "GONE", after=(5, 5)).archive(by=officer)
    client.force_login(officer)
    url = reverse("risks:risk_register", args=["NCSCP"])

    def refs(query=""):
        response = client.get(url + query)
        assert response.status_code == 200
        return [r.reference for r in response.context["risks"]]

    assert refs() == ["HIGH", "MID", "LOW"]
    assert refs("?above=on") == ["HIGH"]
    assert refs("?due=on") == ["HIGH"]
    assert refs(f"?owner=g{qa.pk}") == ["HIGH"]
    assert refs("?archived=on") == ["GONE"]
    html = client.get(url).content.decode()
    assert "Above appetite" in html and "Within appetite" in html  # words, not colour alone


def test_the_nav_leads_every_role_to_their_register(client, viewer, outsider, ncscp, nscp):
    client.force_login(viewer)
    assert 'href="/risks/"' in client.get(reverse("oversight:dashboard")).content.decode()
    assert client.get(reverse("risks:risk_home"))["Location"] == "/risks/NCSCP/"
    client.force_login(outsider)
    assert client.get(reverse("risks:risk_home"))["Location"] == "/risks/NSCP/"


def test_the_risk_page_shows_reviews_and_movement(client, viewer, officer, ncscp):
    risk = make_risk(ncscp, "R1", after=(3, 4))
    risk.record_review(by=officer, on=TODAY(), likelihood=4, impact=4, commentary="Fell")
    client.force_login(viewer)
    html = client.get(reverse("risks:risk_detail", args=[risk.pk])).content.decode()
    assert "Up from 12 to 16" in html and "up from 12 to 16" in html
    assert "Above appetite" in html
    assert "Review this risk" not in html  # viewers read only


def test_the_risk_page_says_who_changed_what(client, officer, ncscp):
    risk = make_risk(ncscp, "R1")
    officer.first_name, officer.last_name = "Olu", "Officer"
    officer.save()
    client.force_login(officer)
    client.post(reverse("risks:risk_edit", args=[risk.pk]), form_data(reference="R1"))
    html = client.get(reverse("risks:risk_detail", args=[risk.pk])).content.decode()
    history = html[html.index("Change history") :]
    assert "Olu Officer" in history
    assert "Changed risk r1: title" in history


# -- Forms ----------------------------------------------------------------------------------


def test_an_officer_adds_a_risk_with_linked_actions(client, seed, officer, ncscp):
    action = Action.objects.filter(parent__partnership=ncscp).first()
    client.force_login(officer)
    response = client.post(
        reverse("risks:risk_create", args=["NCSCP"]), form_data(actions=[action.pk])
    )
    risk = Risk.objects.get(reference="R9")
    assert response["Location"] == reverse("risks:risk_detail", args=[risk.pk])
    assert list(risk.actions.all()) == [action]
    assert (risk.owner_group, risk.owner_agency, risk.owner_user) == (None, None, None)
    assert {h.history_user for h in risk.history.all()} == {officer}


def test_the_owner_links_start_empty(client, seed, officer):
    client.force_login(officer)
    html = client.get(reverse("risks:risk_create", args=["NCSCP"])).content.decode()
    assert html.count('<option value="" selected>Not linked</option>') == 3


def test_the_risk_form_says_what_is_wrong(client, officer, ncscp):
    make_risk(ncscp, "R9")
    client.force_login(officer)
    data = form_data(title="", inherent_likelihood="", residual_impact="5")
    response = client.post(reverse("risks:risk_create", args=["NCSCP"]), data)
    html = response.content.decode()
    assert response.status_code == 200
    for field, message in [
        ("reference", "Risk R9 already exists: choose another reference"),
        ("title", "Enter the risk&#x27;s title"),
        ("inherent_likelihood", "Select the likelihood before controls"),
    ]:
        assert f'href="#id_{field}"' in html
        assert message in html
    assert "govuk-form-group--error" in html
    assert '<span class="govuk-visually-hidden">Error:</span>' in html
    assert response.context["page_title"].startswith("Error: ")


def test_a_residual_score_above_the_inherent_one_is_refused(client, officer, ncscp):
    client.force_login(officer)
    data = form_data(residual_likelihood="5", residual_impact="5")
    response = client.post(reverse("risks:risk_create", args=["NCSCP"]), data)
    assert "cannot be higher than the score before controls" in response.content.decode()
    assert not Risk.objects.exists()


def test_an_officer_reviews_a_risk(client, officer, ncscp):
    risk = make_risk(ncscp, "R1", after=(3, 4))
    client.force_login(officer)
    day = TODAY()
    response = client.post(
        reverse("risks:risk_review", args=[risk.pk]),
        {
            "reviewed_on_0": day.day,
            "reviewed_on_1": day.month,
            "reviewed_on_2": day.year,
            "likelihood": "2",
            "impact": "4",
            "commentary": "Controls held",
        },
    )
    assert response.status_code == 302
    review = RiskReview.objects.get()
    assert (review.movement, review.reviewed_by) == ("down from 12 to 8", officer)


def test_the_review_form_needs_a_date_and_commentary(client, officer, ncscp):
    risk = make_risk(ncscp, "R1")
    client.force_login(officer)
    response = client.post(reverse("risks:risk_review", args=[risk.pk]), {"likelihood": "2"})
    html = response.content.decode()
    assert "Enter the date of the review" in html and "Enter the commentary" in html
    assert "Select the impact now" in html
    assert not RiskReview.objects.exists()


def test_officers_set_the_appetite_with_history(client, officer, ncscp):
    client.force_login(officer)
    url = reverse("risks:appetite_edit", args=["NCSCP"])
    assert "must be between 1 and 25" in client.post(url, {"score": "30"}).content.decode()
    assert client.post(url, {"score": "9"}).status_code == 302
    appetite = RiskAppetite.objects.get(partnership=ncscp)
    assert appetite.score == 9
    assert appetite.history.get().history_user == officer


def test_archive_instead_of_delete_and_restore(client, officer, ncscp):
    risk = make_risk(ncscp, "R1")
    client.force_login(officer)
    client.post(reverse("risks:risk_archive", args=[risk.pk]))
    risk.refresh_from_db()
    assert risk.archived_at is not None
    assert risk.history.first().history_user == officer
    client.post(reverse("risks:risk_restore", args=[risk.pk]))
    risk.refresh_from_db()
    assert risk.archived_at is None


# -- Access ---------------------------------------------------------------------------------


def test_others_read_and_other_partnerships_get_404(client, viewer, chair, outsider, ncscp):
    risk = make_risk(ncscp, "R1")
    for user in (viewer, chair):
        client.force_login(user)
        assert client.get(reverse("risks:risk_detail", args=[risk.pk])).status_code == 200
        assert client.get(reverse("risks:risk_edit", args=[risk.pk])).status_code == 403
        assert client.post(reverse("risks:risk_archive", args=[risk.pk])).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("risks:risk_detail", args=[risk.pk])).status_code == 404
    assert client.get(reverse("risks:risk_register", args=["NCSCP"])).status_code == 404
    risk.refresh_from_db()
    assert risk.archived_at is None


def test_the_register_does_not_query_per_row(client, officer, ncscp, django_assert_max_num_queries):
    for n in range(30):
        make_risk(ncscp, f"R{n}", after=(1 + n % 4, 2))
    client.force_login(officer)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("risks:risk_register", args=["NCSCP"])).status_code == 200


# -- Demo -----------------------------------------------------------------------------------


def test_the_demo_register_has_eight_reviewed_risks(seed, settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    call_command("load_demo_risks", verbosity=0)
    risks = Risk.objects.filter(partnership__short_name="NCSCP")
    assert risks.count() == 8
    assert all(risk.reviews.exists() for risk in risks)
    assert RiskReview.objects.filter(previous_likelihood__isnull=False).count() >= 8
    assert load_risks() == []  # a second run adds nothing


def test_the_risk_page_does_not_query_per_review(
    client, seed, officer, ncscp, django_assert_max_num_queries
):
    risk = make_risk(ncscp, "R1")
    risk.actions.set(Action.objects.filter(parent__partnership=ncscp)[:10])
    for n in range(15):
        risk.record_review(by=officer, on=TODAY(), likelihood=1 + n % 4, impact=3, commentary="x")
    client.force_login(officer)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("risks:risk_detail", args=[risk.pk]))
    assert response.status_code == 200
