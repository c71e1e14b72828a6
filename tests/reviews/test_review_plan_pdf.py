"""The review action plan PDF (issue 15, part 5), on the real AN09 plan: a summary after the
title page, each action's latest progress comment and the date of that update, ratings as words
on their colour, long rows split across pages under a repeated table heading, no agency heading
left at the foot of a page, and no page but the last short of full."""

import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from plans.models import Action, Rating
from plans.updates import record_update
from reviews.models import CaseReview, Recommendation

from ..oversight.pagefill import page_fills
from .conftest import make_review
from .test_import_an09 import import_an09

pytestmark = pytest.mark.django_db

MARGIN_TOP_MM, MARGIN_BOTTOM_MM = 18, 16  # templates/reviews/review_plan_pdf.html @page
HEADER_ROW = "Outcome Recommendation Action By Whom Timescale Audit of"


def flat(text):
    return " ".join(text.split())


def pdf_of(client, review):
    response = client.get(reverse("reviews:review_pdf", args=[review.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content


def texts(content):
    return [flat(page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages]


@pytest.fixture
def an09(structure, nscp_officer):
    import_an09()
    review = CaseReview.objects.get(code="AN09")
    actions = list(
        Action.objects.filter(parent__recommendation__review=review).order_by(
            "parent__position", "position"
        )
    )
    first, second, third = actions[0], actions[1], actions[2]
    record_update(
        first, rating=Rating.AMBER, by=nscp_officer, comment="Old news", as_of=date(2026, 1, 5)
    )
    record_update(
        first,
        rating=Rating.RED,
        by=nscp_officer,
        comment="Contract clause still not agreed with the housing provider",
        as_of=date(2026, 3, 4),
    )
    record_update(
        second, rating=Rating.COMPLETE, by=nscp_officer, comment="Signed off", as_of=date(2026, 3)
    )
    record_update(third, rating=Rating.GREEN, by=nscp_officer, as_of=date(2026, 2, 9))
    return review, actions


def date(year, month, day=2):
    return datetime.date(year, month, day)


def fills_colours(content):
    """The fill colours used on each page, as #rrggbb."""
    colours = []
    for page in PdfReader(io.BytesIO(content)).pages:
        data = page.get_contents().get_data().decode("latin-1")
        colours.append(
            {
                "#" + "".join(f"{round(float(v) * 255):02x}" for v in match)
                for match in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) rg", data)
            }
        )
    return colours


def test_summary_progress_comments_and_ratings_in_words_and_colour(client, an09, nscp_viewer):
    review, actions = an09
    client.force_login(nscp_viewer)
    content = pdf_of(client, review)
    pages = texts(content)

    # A summary follows the title page: the actions by rating, each recommendation's status.
    summary = pages[1]
    assert summary.startswith("Summary "), summary[:80]
    total, unrated = len(actions), len(actions) - 3
    assert f"{total} actions, by latest rating:" in summary
    counts = f"Red Amber Green Complete Not started Not yet rated All actions 1 0 1 1 0 {unrated}"
    assert f"{counts} {total}" in summary
    recommendations = Recommendation.objects.filter(review=review).count()
    # R1's two actions are rated, and R2's first: two recommendations under way.
    assert f"{recommendations} recommendations: Open {recommendations - 2}; In progress 2;" in (
        summary
    )
    body = " ".join(pages[1:])
    assert re.search(
        r"R1 All relevant contracts .{0,120}? In progress \(1 of 2 complete\) Red 4 Mar 2026", body
    )

    # Each action: its rating, the date of its latest update and that update's comment.
    latest = "Contract clause still not agreed with the housing provider"
    assert f"Red updated 4 Mar 2026 {latest}" in body
    assert "Complete updated 2 Mar 2026 Signed off" in body
    assert "Green updated 9 Feb 2026 No comment" in body
    assert "Old news" not in body  # only the latest update
    assert "Not yet rated" in body

    # Ratings are printed as words on their colour (never the colour alone).
    colours = Rating.colours()
    for rating in (Rating.RED, Rating.GREEN, Rating.COMPLETE):
        assert colours[rating] in fills_colours(content)[1], rating


def test_long_rows_split_under_a_repeated_heading_and_no_heading_is_stranded(
    client, an09, nscp_viewer
):
    review, _ = an09
    long_action = Action.objects.filter(parent__recommendation__review=review).last()
    long_action.measure = "Evidence of the audit of implementation, recorded in full. " * 90
    long_action.save()
    client.force_login(nscp_viewer)
    content = pdf_of(client, review)
    pages = texts(content)
    fills = page_fills(content, top_mm=MARGIN_TOP_MM, bottom_mm=MARGIN_BOTTOM_MM)
    detail = [i for i, text in enumerate(pages) if HEADER_ROW in text]
    assert detail and detail == list(range(detail[0], len(pages)))  # the heading on each page
    # The long row does not fit on one page: it is split, not pushed whole to the next.
    holding = [i for i, text in enumerate(pages) if "recorded in full" in text]
    assert len(holding) >= 2
    agencies = {
        name
        for name in Recommendation.objects.filter(review=review).values_list(
            "agency__name", flat=True
        )
        if name
    } | {"Overview report"}
    for page in fills[1:-1]:
        assert page.fill > 0.7, (page.number, page.fill)  # long rows split: pages fill up
        assert page.last_line not in agencies, page  # a heading never ends a page
        assert not page.last_line.startswith(HEADER_ROW[:20]), page


def test_the_pdf_reads_the_latest_updates_in_a_fixed_number_of_queries(
    client, an09, nscp_viewer, nscp_s
):
    review, _ = an09
    small = make_review(nscp_s, code="SM01", agencies=["Barnardo's"], actions_each=1)
    client.force_login(nscp_viewer)
    counts = []
    for each in (small, review):
        with CaptureQueriesContext(connection) as queries:
            pdf_of(client, each)
        counts.append(len(queries))
    assert counts[0] == counts[1]
