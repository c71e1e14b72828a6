"""The yearly figures the partnership's annual report needs about case reviews, for a reporting
year (1 April to 31 March, as the annual reports run), as an XLSX sheet or a PDF section.

Intake cases give the notifications, decisions, rapid reviews and LCSPRs with their
timeliness; the review register gives reviews commissioned, completed and published by kind
(it also holds reviews older than the intake register); sign-offs, recommendations and
assurance (ILOR) exercises give what was achieved. A constant number of queries.
"""

import io
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from . import status as rec_status
from .assurance import counts as grade_counts
from .clocks import clocks_for
from .models import AssuranceRating, CaseReview, IntakeCase, Recommendation, SignOff


def reporting_year(year):
    """The reporting year that starts in April of `year`: (first day, last day)."""
    return date(year, 4, 1), date(year + 1, 3, 31)


def year_label(year):
    return f"{year}/{(year + 1) % 100:02d}"


def current_reporting_year(today=None):
    today = today or timezone.localdate()
    return today.year if today.month >= 4 else today.year - 1


@dataclass
class Section:
    title: str
    rows: list = field(default_factory=list)

    def add(self, label, value):
        self.rows.append((label, value))


def _in(day, start, end):
    return day is not None and start <= day <= end


def _clock(case, key):
    return next((clock for clock in clocks_for(case) if clock.key == key), None)


def _on_time(cases, key, met_field, start, end):
    """(met in the year, of which on time) for one clock."""
    met = [case for case in cases if _in(getattr(case, met_field), start, end)]
    on_time = 0
    for case in met:
        clock = _clock(case, key)
        on_time += clock is not None and clock.met_on <= clock.due
    return len(met), on_time


def intake_section(partnership, start, end):
    cases = list(IntakeCase.objects.filter(partnership=partnership))
    section = Section("Notifications and rapid reviews")
    learned = [case for case in cases if _in(case.learned_on, start, end)]
    section.add("Serious incidents the partnership learned of", len(learned))
    notified, notified_on_time = _on_time(cases, "notification", "notified_on", start, end)
    section.add("Notifications to the Child Safeguarding Practice Review Panel", notified)
    section.add("Notified within 5 working days", notified_on_time)
    for decision in IntakeCase.Decision:
        label = decision.label
        if decision == IntakeCase.Decision.NO_FURTHER_REVIEW:
            label = "Considered and not progressed (no further review)"
        section.add(label, sum(1 for case in learned if case.decision == decision))
    submitted, submitted_on_time = _on_time(
        cases, "rapid_review", "rapid_review_submitted_on", start, end
    )
    section.add("Rapid reviews sent to the Panel", submitted)
    section.add("Rapid reviews sent within 15 working days", submitted_on_time)
    decided = [
        case
        for case in cases
        if case.lcspr_decision == IntakeCase.LcsprDecision.YES
        and _in(case.lcspr_decided_on, start, end)
    ]
    section.add("LCSPRs decided on", len(decided))
    published, published_on_time = _on_time(cases, "publication", "published_on", start, end)
    section.add("LCSPRs published", published)
    section.add("LCSPRs published within 6 months of the decision", published_on_time)
    return section


def reviews_section(partnership, start, end):
    reviews = list(CaseReview.objects.filter(partnership=partnership, archived_at=None))
    section = Section("Case reviews")
    for verb, date_field in (
        ("commissioned", "commissioned_on"),
        ("completed", "completed_on"),
        ("published", "published_on"),
    ):
        these = [review for review in reviews if _in(getattr(review, date_field), start, end)]
        section.add(f"Reviews {verb}", len(these))
        for kind in CaseReview.Kind:
            count = sum(1 for review in these if review.kind == kind)
            if count:
                section.add(f"{kind.label}s {verb}", count)
    sign_offs = SignOff.objects.filter(
        review__partnership=partnership,
        reopened_at__isnull=True,
        signed_off_at__date__range=(start, end),
    )
    section.add("Action plans signed off", sign_offs.count())
    return section


def recommendations_section(partnership, start, end):
    recommendations = rec_status.annotate(
        Recommendation.objects.filter(
            review__partnership=partnership, review__archived_at=None, withdrawn_on=None
        ),
    )
    section = Section("Recommendations")
    section.add("Recommendations of live reviews", len(recommendations))
    section.add(
        "Complete, or closed with the intent met differently (now)",
        sum(1 for r in recommendations if r.status in rec_status.DONE),
    )
    section.add(
        "Closed with the intent met differently in the year",
        sum(1 for r in recommendations if _in(r.closed_on, start, end)),
    )
    return section


def assurance_section(partnership, start, end):
    ratings = list(
        AssuranceRating.objects.filter(
            area__exercise__partnership=partnership, area__exercise__held_on__range=(start, end)
        ).only("grade", "area__exercise_id")
    )
    exercises = partnership.assurance_exercises.filter(held_on__range=(start, end)).count()
    section = Section("Assurance (ILOR)")
    section.add("Assurance exercises held", exercises)
    for _grade, label, count in grade_counts(ratings):
        section.add(f"Ratings: {label}", count)
    return section


def yearly_figures(partnership, year):
    """[Section] for the reporting year starting April `year`."""
    start, end = reporting_year(year)
    return [
        intake_section(partnership, start, end),
        reviews_section(partnership, start, end),
        recommendations_section(partnership, start, end),
        assurance_section(partnership, start, end),
    ]


def as_dict(sections):
    """{(section title, label): value}, for tests and anyone reading one figure."""
    return {(s.title, label): value for s in sections for label, value in s.rows}


def figures_xlsx(partnership, year):
    """The figures as a one-sheet workbook (bytes): section, figure, number."""
    from openpyxl import Workbook  # noqa: PLC0415  (only the download needs it)

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Figures {year}-{(year + 1) % 100:02d}"
    start, end = reporting_year(year)
    title = sheet.cell(row=1, column=1, value=partnership.name)
    title.data_type = "s"  # a name typed as "=..." stays text, never a formula
    sheet.cell(
        row=2,
        column=1,
        value=f"Reporting year {year_label(year)}: {start:%-d %B %Y} to {end:%-d %B %Y}",
    )
    sheet.append([])
    sheet.append(["Section", "Figure", "Number"])
    for section in yearly_figures(partnership, year):
        for label, value in section.rows:
            sheet.append([section.title, label, value])
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 60
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def figures_html(partnership, year):
    return render_to_string(
        "reviews/figures_pdf.html",
        {
            "partnership": partnership,
            "year": year_label(year),
            "start_end": reporting_year(year),
            "sections": yearly_figures(partnership, year),
            "marking": settings.PROTECTIVE_MARKING,
            "generated": timezone.localtime(),
        },
    )


def figures_pdf(partnership, year):
    from plans.pdf import render_pdf  # noqa: PLC0415  (WeasyPrint loads slowly)

    return render_pdf(figures_html(partnership, year)).content
