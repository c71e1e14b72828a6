"""Chairs' and leads' pages: access role by role, updates, validation, no lost updates."""

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from plans.models import Action, RagUpdate, Rating
from tests.factories import make_update

QA_ACTION = "ncscp-bp-2019-22-2-1"  # led by Children's QA subgroup
OTHER_NCSCP_ACTION = "ncscp-bp-2019-22-3-1"  # led by the strategic partnership members
HEALTHCARE_ACTION = "nscp-an09-r24-1"  # AN09, Nottinghamshire HealthCare NHS Trust section


def pk_of(ref):
    return Action.objects.get(ref=ref).pk


def update_url(ref):
    return reverse("plans:action_update", args=[pk_of(ref)])


def detail_url(ref):
    return reverse("plans:action_detail", args=[pk_of(ref)])


def seen_token(client, ref):
    response = client.get(update_url(ref))
    assert response.status_code == 200
    return response.context["form"]["seen"].value()


def post_update(client, ref, **data):
    seen = data.pop("seen", None) or seen_token(client, ref)
    return client.post(update_url(ref), {"seen": seen, **data})


@pytest.fixture
def healthcare_ref(seed):
    action = Action.objects.filter(
        parent__recommendation__agency__name="Nottinghamshire HealthCare NHS Trust"
    ).first()
    return action.ref


PAGES = ["oversight:dashboard", "oversight:action_list", "oversight:my_actions"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_anonymous_users_are_sent_to_sign_in(client, seed, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_anonymous_cannot_read_or_update_an_action(client, seed):
    for url in (detail_url(QA_ACTION), update_url(QA_ACTION)):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url
    assert client.post(update_url(QA_ACTION), {"rating": "red"}).status_code == 302
    assert not RagUpdate.objects.exists()


@pytest.mark.django_db
def test_viewer_reads_but_sees_no_update_button_and_cannot_post(client, seed, viewer):
    client.force_login(viewer)
    page = client.get(detail_url(QA_ACTION))
    assert page.status_code == 200
    assert "Update this action" not in page.content.decode()
    assert client.get(update_url(QA_ACTION)).status_code == 403
    forged = client.post(update_url(QA_ACTION), {"rating": "green", "comment": "x"})
    assert forged.status_code == 403
    assert not RagUpdate.objects.exists()


@pytest.mark.django_db
def test_chair_updates_their_groups_action_and_history_names_them(client, seed, chair):
    client.force_login(chair)
    assert "Update this action" in client.get(detail_url(QA_ACTION)).content.decode()
    response = post_update(client, QA_ACTION, rating="amber", comment="Report delayed a month")
    assert response.status_code == 302
    update = RagUpdate.objects.get()
    assert (update.rating, update.author, update.comment) == (
        Rating.AMBER,
        chair,
        "Report delayed a month",
    )
    assert update.history.get().history_user == chair
    page = client.get(detail_url(QA_ACTION)).content.decode()
    assert "Report delayed a month" in page and "Amber" in page


@pytest.mark.django_db
def test_chair_cannot_update_another_groups_action(client, seed, chair):
    client.force_login(chair)
    assert client.get(detail_url(OTHER_NCSCP_ACTION)).status_code == 200
    assert client.post(update_url(OTHER_NCSCP_ACTION), {"rating": "red"}).status_code == 403


@pytest.mark.django_db
def test_other_partnerships_actions_answer_404(client, seed, chair, healthcare_ref):
    client.force_login(chair)
    assert client.get(detail_url(healthcare_ref)).status_code == 404
    assert client.post(update_url(healthcare_ref), {"rating": "red"}).status_code == 404


@pytest.mark.django_db
def test_agency_lead_updates_their_agencys_review_actions_only(
    client, seed, agency_lead, healthcare_ref
):
    client.force_login(agency_lead)
    response = post_update(client, healthcare_ref, rating="green", comment="Audit done")
    assert response.status_code == 302
    broxtowe = Action.objects.filter(
        parent__recommendation__agency__name="Broxtowe Borough Council"
    ).first()
    assert client.get(detail_url(broxtowe.ref)).status_code == 200
    assert client.get(update_url(broxtowe.ref)).status_code == 403
    assert client.get(detail_url(QA_ACTION)).status_code == 404


@pytest.mark.django_db
def test_board_officer_updates_any_action_of_their_partnership(client, seed, officer, outsider):
    client.force_login(officer)
    assert post_update(client, OTHER_NCSCP_ACTION, rating="green").status_code == 302
    client.force_login(outsider)
    assert client.get(detail_url(OTHER_NCSCP_ACTION)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"rating": "purple"}, "rating", "Select a RAG rating from the list"),
        ({}, "rating", "Select a RAG rating"),
        ({"rating": "red", "comment": ""}, "comment", "explain the Red rating"),
        ({"rating": "complete", "comment": " "}, "comment", "explain the Complete rating"),
        ({"rating": "green", "comment": "x" * 5001}, "comment", "5,000 characters or fewer"),
        (
            {
                "rating": "green",
                "revised_due_date_0": "31",
                "revised_due_date_1": "2",
                "revised_due_date_2": "2027",
                "revision_reason": "Staffing",
            },
            "revised_due_date",
            "must be a real date",
        ),
        (
            {
                "rating": "green",
                "revised_due_date_0": "1",
                "revised_due_date_1": "3",
                "revised_due_date_2": "2027",
            },
            "revision_reason",
            "Enter the reason the due date has changed",
        ),
    ],
)
def test_bad_input_gets_govuk_field_errors(client, seed, chair, data, field, message):
    client.force_login(chair)
    response = post_update(client, QA_ACTION, **data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert f'href="#id_{field}"' in html
    assert message in html
    assert '<span class="govuk-visually-hidden">Error:</span>' in html
    assert response.context["page_title"].startswith("Error: ")
    assert not RagUpdate.objects.exists()


@pytest.mark.django_db
def test_a_new_rating_needs_a_comment_but_confirming_one_does_not(client, seed, chair):
    client.force_login(chair)
    assert post_update(client, QA_ACTION, rating="green", comment="On track").status_code == 302
    assert post_update(client, QA_ACTION, rating="green").status_code == 302
    changed = post_update(client, QA_ACTION, rating="not_started")
    assert "explain the new rating" in changed.content.decode()
    assert RagUpdate.objects.count() == 2


@pytest.mark.django_db
def test_html_in_comments_is_escaped_wherever_shown(client, seed, chair):
    client.force_login(chair)
    payload = '<script>alert("x")</script><b>bold</b>'
    post_update(client, QA_ACTION, rating="amber", comment=payload)
    for url in (
        detail_url(QA_ACTION),
        reverse("plans:plan_detail", args=["ncscp-business-plan-2019-22"]),
    ):
        html = client.get(url).content.decode()
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
        assert "<script>alert" not in html


@pytest.mark.django_db
def test_a_second_editor_cannot_overwrite_the_first(client, seed, chair, officer):
    client.force_login(chair)
    chairs_view = seen_token(client, QA_ACTION)
    client.force_login(officer)
    assert (
        post_update(client, QA_ACTION, rating="red", comment="Escalated by officer").status_code
        == 302
    )
    client.force_login(chair)
    stale = post_update(client, QA_ACTION, seen=chairs_view, rating="green", comment="All fine")
    assert stale.status_code == 200
    html = stale.content.decode()
    assert "Someone else updated this action" in html
    assert "Escalated by officer" in html
    assert list(RagUpdate.objects.values_list("comment", flat=True)) == ["Escalated by officer"]
    # Having seen it, the chair can still add theirs deliberately.
    fresh = stale.context["form"]["seen"].value()
    again = post_update(client, QA_ACTION, seen=fresh, rating="green", comment="All fine")
    assert again.status_code == 302
    assert RagUpdate.objects.count() == 2


@pytest.mark.django_db
def test_a_revised_due_date_keeps_the_original_and_the_reason(client, seed, chair):
    client.force_login(chair)
    response = post_update(
        client,
        QA_ACTION,
        rating="amber",
        comment="Slipped",
        revised_due_date_0="30",
        revised_due_date_1="6",
        revised_due_date_2="2027",
        revision_reason="Data team vacancy",
    )
    assert response.status_code == 302
    action = Action.objects.get(ref=QA_ACTION)
    assert action.due_date == date(2020, 2, 29)
    assert action.revised_due_date == date(2027, 6, 30)
    latest = action.history.latest()
    assert latest.history_user == chair
    assert latest.prev_record.revised_due_date is None
    page = client.get(detail_url(QA_ACTION)).content.decode()
    assert "Data team vacancy" in page and "Revised due date" in page


@pytest.mark.django_db
def test_my_actions_saves_several_updates_in_one_go(client, seed, chair):
    client.force_login(chair)
    page = client.get(reverse("oversight:my_actions"))
    rows = page.context["rows"]
    assert len(rows) == Action.objects.editable_by(chair).count() > 3
    (first, f1), (second, f2), (third, f3) = rows[:3]
    data = {"action": [first.pk, second.pk, third.pk]}
    for action, form in ((first, f1), (second, f2), (third, f3)):
        data[f"a{action.pk}-seen"] = form["seen"].value()
    data |= {
        f"a{first.pk}-rating": "green",
        f"a{first.pk}-comment": "Going well",
        f"a{second.pk}-rating": "red",
        f"a{second.pk}-comment": "Stuck",
    }
    response = client.post(reverse("oversight:my_actions"), data)
    assert response.status_code == 302
    assert set(RagUpdate.objects.values_list("action_id", "rating")) == {
        (first.pk, "green"),
        (second.pk, "red"),
    }


@pytest.mark.django_db
def test_my_actions_saves_the_valid_cards_and_reports_the_others(client, seed, chair):
    client.force_login(chair)
    rows = client.get(reverse("oversight:my_actions")).context["rows"]
    (first, f1), (second, f2) = rows[:2]
    data = {
        "action": [first.pk, second.pk],
        f"a{first.pk}-seen": f1["seen"].value(),
        f"a{second.pk}-seen": f2["seen"].value(),
        f"a{first.pk}-rating": "green",
        f"a{first.pk}-comment": "Fine",
        f"a{second.pk}-comment": "A comment with no rating",
    }
    response = client.post(reverse("oversight:my_actions"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Action {second.display_ref}: Select a RAG rating for this comment" in html
    assert f'href="#id_a{second.pk}-rating"' in html
    assert f"1 update saved: action {first.display_ref}" in html
    assert "A comment with no rating" in html  # still there to correct
    assert list(RagUpdate.objects.values_list("action_id", flat=True)) == [first.pk]


@pytest.mark.django_db
def test_my_actions_refuses_actions_that_are_not_yours(client, seed, chair):
    client.force_login(chair)
    other = Action.objects.get(ref=OTHER_NCSCP_ACTION)
    response = client.post(
        reverse("oversight:my_actions"),
        {"action": [other.pk], f"a{other.pk}-rating": "red", f"a{other.pk}-comment": "x"},
    )
    assert response.status_code == 403  # readable, so not hidden; but not theirs to update
    assert not RagUpdate.objects.exists()


@pytest.mark.django_db
def test_action_list_filters_and_only_shows_readable_actions(client, seed, chair):
    client.force_login(chair)
    everything = client.get(reverse("oversight:action_list"))
    assert everything.context["count"] == 29  # NCSCP's business plan only
    qa = client.get(reverse("oversight:action_list"), {"q": "Family Support Pathway"})
    assert 0 < qa.context["count"] < 29
    assert all(
        "family support pathway" in (a.text + a.measure + a.lead_text).lower()
        for a in qa.context["page"].object_list
    )
    not_rated = client.get(reverse("oversight:action_list"), {"rating": "none"})
    assert not_rated.context["count"] == 29
    post_update(client, QA_ACTION, rating="red", comment="Off track")
    reds = client.get(reverse("oversight:action_list"), {"rating": "red"})
    assert [a.ref for a in reds.context["page"].object_list] == [QA_ACTION]


@pytest.mark.django_db
def test_downloads_follow_the_filters_and_neutralise_formulas(client, seed, chair):
    client.force_login(chair)
    post_update(client, QA_ACTION, rating="red", comment="=cmd|' /C calc'!A0")
    csv_response = client.get(reverse("oversight:action_export", args=["csv"]), {"rating": "red"})
    body = csv_response.content.decode()
    assert body.count("\n") == 2 and "'=cmd" in body
    xlsx = client.get(reverse("oversight:action_export", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content))["Business plan"]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 30
    comments = [row[rows[0].index("Latest progress comment")] for row in rows[1:]]
    assert "'=cmd|' /C calc'!A0" in comments
    assert client.get(reverse("oversight:action_export", args=["pdf"])).status_code == 404


@pytest.mark.django_db
def test_workstreams_page_is_scoped_to_the_partnership(client, seed, chair, agency_lead):
    url = reverse("workstreams:workstream_list", args=["NSCP"])
    client.force_login(chair)
    assert client.get(url).status_code == 404
    client.force_login(agency_lead)
    html = client.get(url).content.decode()
    assert "Child Sexual Exploitation" in html and "QN17" in html


@pytest.mark.django_db
def test_cached_pages_change_as_soon_as_the_data_do(
    client, seed, chair, officer, django_assert_max_num_queries
):
    client.force_login(chair)
    url = reverse("oversight:action_list")
    first = client.get(url, {"rating": "red"})
    assert first.content.decode().count('class="govuk-tag app-rag app-rag--red"') == 0
    # Served from the cache: no list queries (one reads the reader's chosen columns).
    with django_assert_max_num_queries(10):
        again = client.get(url, {"rating": "red"})
    assert again.context["body"] == first.context["body"]
    client.force_login(officer)
    post_update(client, QA_ACTION, rating="red", comment="Escalated")
    client.force_login(chair)
    html = client.get(url, {"rating": "red"}).content.decode()
    assert "Escalated" in html  # the latest-comment column is new data too
    assert html.count('class="govuk-tag app-rag app-rag--red"') == 1
    dashboard = client.get(reverse("oversight:dashboard")).context["body"]
    assert "Red" in dashboard
    # Another reader's scope never shares a cached body.
    client.force_login(officer)
    assert client.get(url).context["body"] != client.get(url, {"q": "x"}).context["body"]


@pytest.mark.django_db
def test_plans_index_lists_only_readable_partnerships(client, seed, chair, agency_lead):
    client.force_login(chair)
    html = client.get(reverse("plans:plan_list")).content.decode()
    assert "NCSCP Business Plan 2019-22" in html
    assert "Practice improvement workstreams" not in html  # NSCP's, not the chair's
    client.force_login(agency_lead)
    html = client.get(reverse("plans:plan_list")).content.decode()
    assert "NCSCP Business Plan 2019-22" not in html
    assert reverse("workstreams:workstream_list", args=["NSCP"]) in html


@pytest.mark.django_db
def test_needs_your_update_counts_from_the_day_after_the_last_deadline(client, seed, chair):
    """An update dated on the deadline day went to that meeting; the new cycle needs another."""
    from oversight.models import Meeting
    from plans.models import Group

    bmg = Group.objects.get(slug="ncscp-bmg")
    Meeting.objects.create(group=bmg, date=date(2026, 10, 14), update_deadline=date(2026, 9, 30))
    mine = list(Action.objects.editable_by(chair).order_by("pk")[:2])
    day_after, on_deadline = mine
    for action, as_of in ((day_after, date(2026, 10, 1)), (on_deadline, date(2026, 9, 30))):
        make_update(action=action, rating=Rating.GREEN, as_of=as_of, author=chair, comment="x")
    client.force_login(chair)
    pending = {a.pk for a, _form in client.get(reverse("oversight:my_actions")).context["rows"]}
    assert on_deadline.pk in pending
    assert day_after.pk not in pending
    assert len(pending) == Action.objects.editable_by(chair).count() - 1
