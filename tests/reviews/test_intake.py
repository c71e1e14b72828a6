"""The intake register and its clocks page: who records cases, impossible date orders, the
clocks ordered by the next deadline, and a case becoming a review."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.clocks import add_working_days
from reviews.models import CaseReview, IntakeCase


def dated(name, day):
    return {f"{name}_{i}": part for i, part in enumerate((day.day, day.month, day.year))}


def case_data(code="CS25-01", **dates):
    data = {"code": code}
    dates = {"incident_on": date(2025, 1, 2), "learned_on": date(2025, 1, 3), **dates}
    for name, day in dates.items():
        data.update(dated(name, day))
    return data


def make_case(partnership, code="CS25-01", **fields):
    values = {"incident_on": date(2025, 1, 2), "learned_on": date(2025, 1, 3), **fields}
    return IntakeCase.objects.create(partnership=partnership, code=code, **values)


def test_the_panel_chair_records_a_case_with_history(client, panel_chair, nscp_s):
    client.force_login(panel_chair)
    url = reverse("reviews:case_create", args=["NSCP"])
    response = client.post(url, case_data(notified_on=date(2025, 1, 8)))
    case = IntakeCase.objects.get(code="CS25-01")
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:case_detail", args=[case.pk])
    assert case.partnership == nscp_s and case.notified_on == date(2025, 1, 8)
    assert case.history.get().history_user == panel_chair


def test_readers_see_cases_but_cannot_record_them(client, nscp_viewer, nscp_s):
    case = make_case(nscp_s)
    client.force_login(nscp_viewer)
    assert client.get(reverse("reviews:case_create", args=["NSCP"])).status_code == 403
    assert client.get(reverse("reviews:case_edit", args=[case.pk])).status_code == 403
    html = client.get(reverse("reviews:case_detail", args=[case.pk])).content.decode()
    assert "CS25-01" in html and "Edit the case" not in html


def test_other_partnerships_cases_are_not_found(client, ncscp_officer, nscp_s):
    case = make_case(nscp_s)
    client.force_login(ncscp_officer)
    assert client.get(reverse("reviews:case_detail", args=[case.pk])).status_code == 404
    assert "CS25-01" not in client.get(reverse("reviews:clock_list")).content.decode()


@pytest.mark.parametrize(
    ("dates", "field", "message"),
    [
        (
            {"notified_on": date(2025, 1, 2)},
            "notified_on",
            "Date the Panel was notified must be the same as or after the date the partnership "
            "learned of it",
        ),
        (
            {"learned_on": date(2024, 12, 30)},
            "learned_on",
            "Date the partnership learned of it must be the same as or after the date of the "
            "incident",
        ),
        (
            {
                "notified_on": date(2025, 1, 6),
                "rapid_review_meeting_on": date(2025, 1, 20),
                "rapid_review_submitted_on": date(2025, 1, 17),
            },
            "rapid_review_submitted_on",
            "Date the rapid review was sent to the Panel must be the same as or after the date "
            "of the rapid review meeting",
        ),
        (
            {"final_on": date(2025, 9, 1), "published_on": date(2025, 10, 1)},
            "notice_sent_on",
            "Enter when the Panel and Department were told before publication",
        ),
    ],
)
def test_impossible_date_orders_are_refused_in_the_govuk_voice(
    client, nscp_officer, dates, field, message
):
    client.force_login(nscp_officer)
    response = client.post(reverse("reviews:case_create", args=["NSCP"]), case_data(**dates))
    html = response.content.decode()
    assert response.status_code == 200 and not IntakeCase.objects.exists()
    assert "<title>Error: New case" in html
    assert f'href="#id_{field}"' in html
    assert "govuk-form-group--error" in html
    assert f'<span class="govuk-visually-hidden">Error:</span> {message}' in html


def test_no_further_review_needs_a_reason_and_codes_are_unique(client, nscp_officer, nscp_s):
    make_case(nscp_s, code="CS25-09")
    client.force_login(nscp_officer)
    data = case_data(code="CS25-09")
    data["decision"] = "no_further_review"
    html = client.post(reverse("reviews:case_create", args=["NSCP"]), data).content.decode()
    assert "Enter why there is no further review" in html
    assert "There is already a case CS25-09: use another code" in html


def test_the_clocks_page_lists_running_clocks_next_deadline_first(
    client, nscp_viewer, nscp_s, django_assert_max_num_queries
):
    today = timezone.localdate()
    for number in range(12):
        make_case(
            nscp_s,
            code=f"CS-{number:02d}",
            incident_on=today - timedelta(days=30 + number),
            learned_on=today - timedelta(days=number),
        )
    late = make_case(
        nscp_s,
        code="CS-LATE",
        incident_on=today - timedelta(days=60),
        learned_on=today - timedelta(days=50),
        notified_on=today - timedelta(days=45),
    )
    done = make_case(
        nscp_s,
        code="CS-DONE",
        incident_on=today - timedelta(days=9),
        learned_on=today - timedelta(days=8),
        notified_on=today - timedelta(days=7),
        decision=IntakeCase.Decision.NO_FURTHER_REVIEW,
        decision_reason="Threshold not met",
    )
    client.force_login(nscp_viewer)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("reviews:clock_list")).content.decode()
    assert "CS-DONE" not in html  # every clock met
    due = {f"CS-{n:02d}": add_working_days(today - timedelta(days=n), 5) for n in range(12)}
    codes = sorted(due, key=lambda code: (due[code], code))
    positions = [html.index(f">{code}<") for code in ["CS-LATE", *codes]]
    assert positions == sorted(positions)
    assert "Missed" in html and "govuk-tag--red" in html
    assert "working days late" in html
    assert done.pk and late.pk


def test_the_case_page_shows_days_left_in_words(client, nscp_viewer, nscp_s):
    today = timezone.localdate()
    case = make_case(
        nscp_s,
        incident_on=today - timedelta(days=2),
        learned_on=today,
        notified_on=today,
    )
    client.force_login(nscp_viewer)
    html = client.get(reverse("reviews:case_detail", args=[case.pk])).content.decode()
    assert add_working_days(today, 15).strftime("%-d %b %Y") in html
    assert "15 working days left" in html and "On track" in html
    assert "Met " in html  # the notification, made the same day


def test_a_case_becomes_a_review(client, panel_chair, nscp_s):
    case = make_case(
        nscp_s,
        code="CS25-07",
        notified_on=date(2025, 1, 6),
        lcspr_decision="yes",
        lcspr_decided_on=date(2025, 2, 3),
        reviewer_commissioned_on=date(2025, 3, 3),
    )
    client.force_login(panel_chair)
    response = client.post(reverse("reviews:case_become_review", args=[case.pk]))
    review = CaseReview.objects.get(partnership=nscp_s, code="CS25-07")
    assert response["Location"] == reverse("reviews:review_detail", args=[review.pk])
    assert review.kind == CaseReview.Kind.LCSPR and review.commissioned_on == date(2025, 3, 3)
    case.refresh_from_db()
    assert case.review == review
    assert case.history.first().history_user == panel_chair
    # A second press links nothing new and says why.
    response = client.post(reverse("reviews:case_become_review", args=[case.pk]), follow=True)
    assert "already linked to a review" in response.content.decode()
    assert CaseReview.objects.filter(code="CS25-07").count() == 1


def test_an_imported_action_plan_lands_in_the_review_the_case_became(panel_chair, nscp_s):
    """Point 3: recommendations and actions follow as today, here by the importer."""
    from oversight.importing import ImportOptions, apply_parsed, parse_file

    case = make_case(nscp_s, code="CS25-08", notified_on=date(2025, 1, 6))
    review = case.become_review(by=panel_chair)
    content = (
        b"Outcome,Recommendation,Action,By Whom,Timescale,Audit of implementation\r\n"
        b"Barnardo's\r\n"
        b"Staff know what to do.,Training is provided.,Keep a training record.,"
        b"Managers,August 2026,Workshop\r\n"
    )
    options = ImportOptions(
        partnership=nscp_s,
        user=panel_chair,
        review_code="CS25-08",
        review_title="",
        review_kind="lcspr",
        plan_name="",
        create_agencies=False,
    )
    apply_parsed(parse_file(content, "plan.csv", check_agencies=True), options)
    assert CaseReview.objects.filter(code="CS25-08").count() == 1
    assert [r.text for r in review.recommendations.all()] == ["Training is provided."]
    assert review.intake_case == case


def test_the_register_and_a_case_use_a_fixed_number_of_queries(
    client, nscp_officer, nscp_s, django_assert_max_num_queries
):
    for number in range(30):
        case = make_case(nscp_s, code=f"CQ-{number:02d}", notified_on=date(2025, 1, 6))
        case.review = CaseReview.objects.create(
            partnership=nscp_s, code=f"CQ-{number:02d}", kind=CaseReview.Kind.LCSPR
        )
        case.save()
    client.force_login(nscp_officer)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("reviews:case_list")).content.decode()
    assert html.count('href="/reviews/intake/') >= 30
    with django_assert_max_num_queries(12):
        assert client.get(reverse("reviews:case_detail", args=[case.pk])).status_code == 200


def test_a_review_is_linked_to_one_case_at_most(client, nscp_officer, nscp_s):
    review = CaseReview.objects.create(partnership=nscp_s, code="LR9", kind="lcspr")
    make_case(nscp_s, code="CS-A", review=review)
    other = make_case(nscp_s, code="CS-B")
    client.force_login(nscp_officer)
    data = case_data(code="CS-B")
    data["review"] = str(review.pk)
    response = client.post(reverse("reviews:case_edit", args=[other.pk]), data)
    assert response.status_code == 200
    assert "Review LR9 is already linked to another case" in response.content.decode()
    other.refresh_from_db()
    assert other.review is None
