"""Review pages role by role: anonymous -> login, other partnership -> 404, read-only -> 403 on
writes, the right role -> done. Query counts pinned on a plan of hundreds of actions."""

import datetime

import pytest
from django.urls import reverse

from plans.models import Action, Partnership, RagUpdate, Rating
from reviews.models import CaseReview, Evidence, Recommendation, SignOff
from tests.factories import make_update

from .conftest import make_review


@pytest.fixture
def review(nscp_s):
    return make_review(nscp_s, agencies=("Barnardo's", "Derbyshire Police", None))


def complete(review, user):
    for action in Action.objects.filter(parent__recommendation__review=review):
        make_update(
            action=action,
            rating=Rating.COMPLETE,
            comment="Evidence seen",
            as_of=datetime.date(2026, 1, 5),
            author=user,
        )


def read_urls(review):
    recommendation = review.recommendations.first()
    return [
        reverse("reviews:review_detail", args=[review.pk]),
        reverse("reviews:recommendation_detail", args=[recommendation.pk]),
        reverse("reviews:review_pdf", args=[review.pk]),
    ]


# -- Reading --------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_log_in(client, review):
    for url in [reverse("reviews:review_list"), *read_urls(review)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_other_partnerships_users_get_404(client, ncscp_officer, review):
    client.force_login(ncscp_officer)
    for url in read_urls(review):
        assert client.get(url).status_code == 404
    response = client.get(reverse("reviews:review_list"))
    assert response.status_code == 200
    assert review.code not in response.content.decode()


def test_a_viewer_of_the_partnership_reads_every_page(client, nscp_viewer, review):
    client.force_login(nscp_viewer)
    list_page = client.get(reverse("reviews:review_list")).content.decode()
    assert "TR01" in list_page
    assert "Import an action plan" not in list_page
    detail = client.get(read_urls(review)[0]).content.decode()
    assert "Recommendation 1" in detail
    assert "Barnardo&#x27;s" in detail and "Overview report" in detail
    assert "Sign off the action plan" not in detail
    recommendation = client.get(read_urls(review)[1]).content.decode()
    assert "Action 1.1" in recommendation
    assert "Record evidence" not in recommendation
    assert "Close: intent met differently" not in recommendation


def test_viewers_cannot_write(client, nscp_viewer, review):
    client.force_login(nscp_viewer)
    recommendation = review.recommendations.first()
    action = recommendation.actions.first()
    posts = [
        (reverse("reviews:review_sign_off", args=[review.pk]), {}),
        (reverse("reviews:review_reopen", args=[review.pk]), {"reason": "x"}),
        (reverse("reviews:recommendation_close", args=[recommendation.pk]), {"reason": "x"}),
        (reverse("reviews:evidence_add", args=[action.pk]), {f"a{action.pk}-summary": "x"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    for url in [
        reverse("reviews:review_edit", args=[review.pk]),
        reverse("oversight:import_upload", args=["NSCP"]),
        reverse("reviews:assurance_create", args=["NSCP"]),
    ]:
        assert client.get(url).status_code == 403, url
    assert not Evidence.objects.exists()
    assert not SignOff.objects.exists()


# -- Evidence -------------------------------------------------------------------------------


def test_an_agency_lead_records_evidence_for_their_agencys_actions_only(client, nscp_lead, review):
    client.force_login(nscp_lead)
    own = Action.objects.get(ref="tr01-r1-1")  # Barnardo's
    other = Action.objects.get(ref="tr01-r2-1")  # Derbyshire Police
    response = client.post(
        reverse("reviews:evidence_add", args=[own.pk]),
        {
            f"a{own.pk}-summary": "Minutes of the Safeguarding Board, 4 January 2010",
            f"a{own.pk}-link": "",
        },
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.action, evidence.recorded_by) == (own, nscp_lead)
    assert evidence.seen_on == datetime.date.today()
    assert evidence.history.get().history_user == nscp_lead
    page = client.get(reverse("reviews:recommendation_detail", args=[own.parent_id])).content
    assert b"Minutes of the Safeguarding Board" in page
    assert (
        client.post(
            reverse("reviews:evidence_add", args=[other.pk]), {f"a{other.pk}-summary": "x"}
        ).status_code
        == 403
    )


def test_evidence_errors_in_the_gov_uk_style(client, nscp_officer, review):
    client.force_login(nscp_officer)
    action = Action.objects.get(ref="tr01-r1-1")
    response = client.post(
        reverse("reviews:evidence_add", args=[action.pk]),
        {f"a{action.pk}-summary": "  ", f"a{action.pk}-link": "not a url"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Error: TR01 R1" in html
    assert f'<a href="#id_a{action.pk}-summary">Enter the evidence</a>' in html
    assert "govuk-form-group--error" in html
    assert '<span class="govuk-visually-hidden">Error:</span> Enter a full web address' in html
    assert not Evidence.objects.exists()


# -- Status, closure and sign-off -------------------------------------------------------------


def test_recommendation_status_follows_its_actions(client, nscp_officer, review):
    client.force_login(nscp_officer)
    first, second = Action.objects.filter(parent__recommendation__number=1).order_by("position")
    url = reverse("reviews:recommendation_detail", args=[first.parent_id])
    assert 'govuk-tag--grey">Open<' in client.get(url).content.decode()
    make_update(
        action=first, rating=Rating.COMPLETE, as_of=datetime.date(2026, 1, 1), author=nscp_officer
    )
    assert 'govuk-tag--blue">In progress<' in client.get(url).content.decode()
    make_update(
        action=second, rating=Rating.COMPLETE, as_of=datetime.date(2026, 1, 1), author=nscp_officer
    )
    assert 'govuk-tag--green">Complete<' in client.get(url).content.decode()


def test_sign_off_waits_for_every_action(client, panel_chair, review):
    client.force_login(panel_chair)
    url = reverse("reviews:review_sign_off", args=[review.pk])
    response = client.post(url, {"note": ""})
    assert response.status_code == 400
    assert "cannot be signed off until every action is complete" in response.content.decode()
    assert not SignOff.objects.exists()


def test_the_panel_chair_signs_off_once_every_action_is_complete_or_closed(
    client, panel_chair, review
):
    complete(review, panel_chair)
    overview = review.recommendations.get(agency__isnull=True)
    RagUpdate.objects.filter(action__parent=overview).delete()
    client.force_login(panel_chair)
    response = client.post(
        reverse("reviews:recommendation_close", args=[overview.pk]), {"reason": ""}
    )
    assert response.status_code == 400
    assert "Enter how the intent was met differently" in response.content.decode()
    client.post(
        reverse("reviews:recommendation_close", args=[overview.pk]),
        {"reason": "Covered by the new multi-agency audit programme"},
    )
    overview.refresh_from_db()
    assert overview.closed_by == panel_chair and overview.closed_on == datetime.date.today()

    response = client.post(
        reverse("reviews:review_sign_off", args=[review.pk]), {"note": "Panel, 5 Jan 2026"}
    )
    assert response.status_code == 302
    sign_off = SignOff.objects.get()
    assert (sign_off.signed_off_by, sign_off.capacity, sign_off.previous_status) == (
        panel_chair,
        SignOff.Capacity.PANEL_CHAIR,
        CaseReview.Status.COMMISSIONED,
    )
    review.refresh_from_db()
    assert review.status == CaseReview.Status.SIGNED_OFF
    assert review.history.first().history_user == panel_chair
    page = client.get(reverse("reviews:review_detail", args=[review.pk])).content.decode()
    assert "Action plan signed off on" in page and "review panel chair" in page


def test_reopening_is_recorded_and_restores_the_status(client, nscp_officer, panel_chair, review):
    complete(review, panel_chair)
    client.force_login(nscp_officer)
    client.post(reverse("reviews:review_sign_off", args=[review.pk]), {"note": ""})
    assert (
        client.post(reverse("reviews:review_sign_off", args=[review.pk]), {"note": ""}).status_code
        == 400
    )  # already signed off
    response = client.post(reverse("reviews:review_reopen", args=[review.pk]), {"reason": ""})
    assert response.status_code == 400
    assert "Enter why" in response.content.decode()
    client.post(
        reverse("reviews:review_reopen", args=[review.pk]),
        {"reason": "Ofsted asked for further evidence"},
    )
    sign_off = SignOff.objects.get()
    assert (sign_off.reopened_by, sign_off.reopen_reason) == (
        nscp_officer,
        "Ofsted asked for further evidence",
    )
    assert sign_off.capacity == SignOff.Capacity.BOARD_OFFICER
    review.refresh_from_db()
    assert review.status == CaseReview.Status.COMMISSIONED
    assert [h.status for h in review.history.all()[:2]] == ["commissioned", "signed_off"]
    client.post(reverse("reviews:review_sign_off", args=[review.pk]), {"note": "Again"})
    assert SignOff.objects.count() == 2


def test_a_chair_of_another_group_cannot_sign_off(client, django_user_model, nscp_s, review):
    from plans.models import Group, Role
    from tests.conftest import make_user

    saig = Group.objects.get(slug="nscp-saig")
    chair = make_user(django_user_model, "t-saig", nscp_s, Role.Kind.CHAIR, group=saig)
    complete(review, chair)
    client.force_login(chair)
    assert client.post(reverse("reviews:review_sign_off", args=[review.pk])).status_code == 403


# -- Register, themes and edit --------------------------------------------------------------


def test_themes_lead_from_reviews_to_workstreams(client, nscp_viewer, review):
    from plans.models import Theme
    from workstreams.models import Workstream

    theme = Theme.objects.create(slug="medical-neglect", name="Medical neglect")
    review.themes.add(theme)
    workstream = Workstream.objects.create(
        ref="nscp-ws-9",
        kind="workstream",
        partnership=review.partnership,
        number=9,
        title="Neglect",
        objective_text="Recognise neglect",
    )
    workstream.themes.add(theme)
    Action.objects.create(ref="nscp-ws-9-1", parent=workstream, position=1, text="Neglect toolkit")
    client.force_login(nscp_viewer)
    listing = client.get(reverse("reviews:review_list"), {"theme": "medical-neglect"})
    assert "TR01" in listing.content.decode()
    assert "TR01" not in client.get(reverse("reviews:review_list"), {"theme": "x"}).content.decode()
    page = client.get(reverse("reviews:theme_detail", args=["medical-neglect"])).content.decode()
    assert "TR01" in page and "Workstream 9: Neglect" in page and "Neglect toolkit" in page


def test_an_officer_edits_the_register_entry(client, nscp_officer, review):
    client.force_login(nscp_officer)
    url = reverse("reviews:review_edit", args=[review.pk])
    response = client.post(
        url,
        {
            "kind": "lcspr",
            "title": "Child J",
            "status": "published",
            "published_on_0": "31",
            "published_on_1": "7",
            "published_on_2": "2010",
            "publication_url": "https://example.org/child-j.pdf",
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.title, review.status, review.published_on) == (
        "Child J",
        "published",
        datetime.date(2010, 7, 31),
    )
    response = client.post(url, {"kind": "lcspr", "status": "signed_off"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


# -- Query counts ---------------------------------------------------------------------------


def test_review_pages_use_a_fixed_number_of_queries(
    client, nscp_viewer, nscp_s, django_assert_max_num_queries
):
    names = ["Barnardo's", "Derbyshire Police", "CitiHealth NHS Nottingham", None] * 30
    big = make_review(nscp_s, code="BIG1", agencies=names, actions_each=3)  # 360 actions
    for action in Action.objects.filter(parent__recommendation__review=big)[::2]:
        make_update(
            action=action, rating=Rating.GREEN, as_of=datetime.date(2026, 1, 1), author=nscp_viewer
        )
    client.force_login(nscp_viewer)
    recommendation = big.recommendations.get(number=5)
    for url in [
        reverse("reviews:review_list"),
        reverse("reviews:review_detail", args=[big.pk]),
        reverse("reviews:recommendation_detail", args=[recommendation.pk]),
    ]:
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200
    assert Recommendation.objects.filter(review=big).count() == 120
    assert Partnership.objects.count() == 2


def test_a_title_that_repeats_the_code_is_shown_once_and_a_published_review_without_a_date_says_so(
    client, nscp_viewer, review
):
    review.title, review.status, review.published_on = "child j", "published", None
    review.code = "Child J"
    review.save()
    client.force_login(nscp_viewer)
    detail = client.get(reverse("reviews:review_detail", args=[review.pk])).content.decode()
    assert '<h1 class="govuk-heading-l">Child J</h1>' in detail
    assert "Date not recorded" in detail and "Not published" not in detail
    listing = client.get(reverse("reviews:review_list")).content.decode()
    assert "child j" not in listing
    assert "Date not recorded" in listing
    # A real title is kept beside the code.
    review.title = "Neglect in a large family"
    review.save()
    detail = client.get(reverse("reviews:review_detail", args=[review.pk])).content.decode()
    assert "Child J: Neglect in a large family" in detail


def test_a_number_field_is_as_wide_as_a_number(client, nscp_officer, review):
    """GOV.UK sizes inputs to what they hold: a recommendation's number is not a sentence."""
    client.force_login(nscp_officer)
    html = client.get(reverse("reviews:recommendation_add", args=[review.pk])).content.decode()
    number = html.split('name="number"', 1)[0].rsplit("<input", 1)[1]
    assert "govuk-input--width-3" in number
