"""The review action plan as a PDF, in the layout of the published plans (seed 003, AN09).

Rendered by plans/pdf.py (WeasyPrint, fetching nothing but the app's static files) from a
print-only template whose <style> sets the page: landscape A4, the protective marking at the
top and bottom of every page (taken from the cover by `string-set`, so it is never written
into CSS by hand), the agency at the top of each page of its table, and the table header
repeated on each page. Long rows split across pages; a heading never ends a page.

After the title page, a summary: the actions by rating and each recommendation's status. Each
action's row carries its latest progress comment and the date of that update (annotated on the
actions by ActionQuerySet.with_latest_update, one query for the whole plan).
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from plans import rag

# A row with a cell this long (in characters, about six lines) may split across pages; a
# shorter one moves to the next page whole, so a row is never cut after a line or two.
LONG_CELL = 160


@dataclass
class SummaryRow:
    recommendation: object
    worst: str | None
    last_update: object  # the latest update date among its actions, or None

    @property
    def worst_label(self):
        return rag.label(self.worst)


def plan_summary(recommendations):
    """(tally of the actions by rating, [SummaryRow] for each recommendation in order).

    Needs `plan_actions` on each recommendation (the view sets it)."""
    tally = rag.Tally(title="All actions")
    rows = []
    for recommendation in recommendations:
        actions = getattr(recommendation, "plan_actions", [])
        for index, action in enumerate(actions):
            tally.add(action.latest_rating)
            cells = [action.text, action.measure, action.latest_comment or ""]
            if index == 0:  # the recommendation and outcome are printed on its first row
                cells += [recommendation.text, recommendation.outcome]
            action.long_row = max(len(cell) for cell in cells) > LONG_CELL
        dates = [a.latest_as_of for a in actions if a.latest_as_of]
        worst = rag.worst([a.latest_rating for a in actions]) if actions else None
        rows.append(SummaryRow(recommendation, worst, max(dates, default=None)))
    return tally, rows


def review_plan_html(review, context):
    tally, rows = plan_summary(context.get("recommendations", []))
    return render_to_string(
        "reviews/review_plan_pdf.html",
        {
            **context,
            "review": review,
            "ratings": tally,
            "summary_rows": rows,
            "marking": settings.PROTECTIVE_MARKING,
            "generated": timezone.localtime(),
        },
    )


def review_plan_pdf(review, context):
    from plans.pdf import render_pdf  # WeasyPrint loads slowly: only when a PDF is asked for

    return render_pdf(review_plan_html(review, context)).content
