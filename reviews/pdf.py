"""The review action plan as a PDF, in the layout of the published plans (seed 003, AN09).

Rendered by plans/pdf.py (WeasyPrint, fetching nothing but the app's static files) from a
print-only template whose <style> sets the page: landscape A4, the protective marking at the
top and bottom of every page (taken from the cover by `string-set`, so it is never written
into CSS by hand), and the table header repeated on each page.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone


def review_plan_html(review, context):
    return render_to_string(
        "reviews/review_plan_pdf.html",
        {
            **context,
            "review": review,
            "marking": settings.PROTECTIVE_MARKING,
            "generated": timezone.localtime(),
        },
    )


def review_plan_pdf(review, context):
    from plans.pdf import render_pdf  # WeasyPrint loads slowly: only when a PDF is asked for

    return render_pdf(review_plan_html(review, context)).content
