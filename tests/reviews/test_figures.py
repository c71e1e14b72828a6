"""The yearly figures (reviews/figures.py) on a year built from the Nottingham City annual
report 2016/17 (seed 002): the SCR Standing Panel commissioned one serious case review,
considered two SCR referrals and did not progress them, signed off three completed action
plans (two SCRs and one learning review), oversaw the completion of one learning review,
published nothing (two publications planned for early April 2017) and oversaw three
assurance (ILOR) exercises."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from plans.models import Agency
from reviews.figures import as_dict, current_reporting_year, reporting_year, yearly_figures
from reviews.models import (
    AssuranceExercise,
    AssuranceRating,
    CaseReview,
    IntakeCase,
    LearningArea,
    SignOff,
)

LONDON = ZoneInfo("Europe/London")


def review(partnership, code, kind, **dates):
    return CaseReview.objects.create(partnership=partnership, code=code, kind=kind, **dates)


@pytest.fixture
def year_2016(ncscp, officer):
    """NCSCP's 2016/17 as the annual report tells it, with a little before and after."""
    scr = CaseReview.Kind.SCR
    # Intake: three serious incidents considered; two referrals not progressed.
    for code, learned, notified in (
        ("NC16-01", date(2016, 5, 9), date(2016, 5, 13)),  # 4 working days: on time
        ("NC16-02", date(2016, 12, 19), date(2016, 12, 30)),  # 7 working days: late
    ):
        IntakeCase.objects.create(
            partnership=ncscp,
            code=code,
            incident_on=learned - timedelta(days=1),
            learned_on=learned,
            notified_on=notified,
            decision=IntakeCase.Decision.NO_FURTHER_REVIEW,
            decision_reason="Criteria for a serious case review not met",
        )
    case = IntakeCase.objects.create(
        partnership=ncscp,
        code="NC16-03",
        incident_on=date(2016, 7, 30),
        learned_on=date(2016, 8, 1),
        notified_on=date(2016, 8, 3),
        decision=IntakeCase.Decision.RAPID_REVIEW,
        rapid_review_meeting_on=date(2016, 8, 17),
        rapid_review_submitted_on=date(2016, 8, 24),  # the 15th working day after 3 August
        lcspr_decision=IntakeCase.LcsprDecision.YES,
        lcspr_decided_on=date(2016, 9, 5),
        reviewer_commissioned_on=date(2016, 9, 12),
    )
    # The review register: one SCR commissioned in the year (the case above) ...
    case.review = review(ncscp, "NC16-03", scr, commissioned_on=date(2016, 9, 12))
    case.save()
    # ... one learning review completed, two planned for publication in early April 2017,
    # and three action plans signed off in the year.
    learning = review(ncscp, "LR1", CaseReview.Kind.LEARNING, completed_on=date(2016, 11, 30))
    older = [
        review(ncscp, code, scr, commissioned_on=date(2014, 6, 1), published_on=date(2017, 4, 5))
        for code in ("SCR-A", "SCR-B")
    ]
    for signed, when in zip(
        (*older, learning), (date(2016, 6, 20), date(2016, 10, 3), date(2017, 3, 6)), strict=True
    ):
        SignOff.objects.create(
            review=signed,
            signed_off_by=officer,
            signed_off_at=datetime.combine(when, datetime.min.time(), tzinfo=LONDON),
            capacity=SignOff.Capacity.BOARD_OFFICER,
            previous_status=CaseReview.Status.COMPLETED,
        )
    # One sign-off the year before does not count.
    SignOff.objects.create(
        review=review(ncscp, "SCR-OLD", scr),
        signed_off_by=officer,
        signed_off_at=datetime(2016, 3, 1, tzinfo=LONDON),
        capacity=SignOff.Capacity.BOARD_OFFICER,
        previous_status=CaseReview.Status.COMPLETED,
    )
    # Three ILOR exercises in the year, one agency rating one area each.
    agency = Agency.objects.create(name="Nottingham City Council")
    for month, grade in ((6, "gold"), (10, "silver"), (2, "silver")):
        held = date(2016 if month > 3 else 2017, month, 15)
        exercise = AssuranceExercise.objects.create(
            partnership=ncscp, title=f"ILOR {held:%B %Y}", held_on=held
        )
        area = LearningArea.objects.create(exercise=exercise, name="Medical neglect")
        AssuranceRating.objects.create(area=area, agency=agency, grade=grade)
    AssuranceExercise.objects.create(partnership=ncscp, title="Later", held_on=date(2017, 6, 1))
    return ncscp


def test_the_reporting_year_runs_april_to_march():
    assert reporting_year(2016) == (date(2016, 4, 1), date(2017, 3, 31))
    assert current_reporting_year(date(2017, 3, 31)) == 2016
    assert current_reporting_year(date(2017, 4, 1)) == 2017


def test_the_figures_of_2016_17_match_the_annual_report(year_2016, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        figures = as_dict(yearly_figures(year_2016, 2016))
    intake = "Notifications and rapid reviews"
    assert figures[(intake, "Serious incidents the partnership learned of")] == 3
    assert figures[(intake, "Considered and not progressed (no further review)")] == 2
    assert figures[(intake, "Rapid review")] == 1
    assert figures[(intake, "Notifications to the Child Safeguarding Practice Review Panel")] == 3
    assert figures[(intake, "Notified within 5 working days")] == 2
    assert figures[(intake, "Rapid reviews sent to the Panel")] == 1
    assert figures[(intake, "Rapid reviews sent within 15 working days")] == 1
    assert figures[(intake, "LCSPRs decided on")] == 1
    assert figures[(intake, "LCSPRs published")] == 0
    reviews = "Case reviews"
    assert figures[(reviews, "Reviews commissioned")] == 1
    assert figures[(reviews, "Serious case reviews commissioned")] == 1
    assert figures[(reviews, "Reviews completed")] == 1
    assert figures[(reviews, "Learning reviews completed")] == 1
    assert figures[(reviews, "Reviews published")] == 0
    assert figures[(reviews, "Action plans signed off")] == 3
    assurance = "Assurance (ILOR)"
    assert figures[(assurance, "Assurance exercises held")] == 3
    assert figures[(assurance, "Ratings: Gold")] == 1
    assert figures[(assurance, "Ratings: Silver")] == 2
    assert figures[(assurance, "Ratings: Bronze")] == 0


def test_the_two_publications_fall_in_2017_18(year_2016):
    figures = as_dict(yearly_figures(year_2016, 2017))
    assert figures[("Case reviews", "Reviews published")] == 2
    assert figures[("Case reviews", "Serious case reviews published")] == 2
    assert figures[("Case reviews", "Action plans signed off")] == 0


def test_the_figures_as_xlsx(client, viewer, year_2016):
    client.force_login(viewer)
    response = client.get(reverse("reviews:figures_xlsx", args=["NCSCP", 2016]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('ncscp-case-review-figures-2016-17.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {(row[0], row[1]): row[2] for row in sheet.iter_rows(min_row=5, values_only=True)}
    assert rows[("Case reviews", "Action plans signed off")] == 3
    assert rows[("Assurance (ILOR)", "Assurance exercises held")] == 3
    assert sheet.title == "Figures 2016-17"


def test_the_figures_as_a_pdf_section(client, viewer, year_2016):
    client.force_login(viewer)
    response = client.get(reverse("reviews:figures_pdf", args=["NCSCP", 2016]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(
        " ".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(response.content)).pages
    )
    assert "Case reviews: the year 2016/17" in text
    assert "Considered and not progressed (no further review) 2" in text
    assert "Action plans signed off 3" in text


def test_a_hostile_partnership_name_stays_text(client, viewer, year_2016):
    year_2016.name = '=HYPERLINK("http://evil.example","x")'
    year_2016.save()
    client.force_login(viewer)
    response = client.get(reverse("reviews:figures_xlsx", args=["NCSCP", 2016]))
    cell = load_workbook(io.BytesIO(response.content)).active["A1"]
    assert cell.data_type == "s" and cell.value == year_2016.name


def test_another_partnerships_figures_are_not_found(client, outsider, year_2016):
    client.force_login(outsider)
    assert client.get(reverse("reviews:figures_xlsx", args=["NCSCP", 2016])).status_code == 404
    assert client.get(reverse("reviews:figures_pdf", args=["NCSCP", 2016])).status_code == 404
