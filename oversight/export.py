"""Rows of actions for spreadsheets, one shape for every source.

The CSV is a plain dump with machine headings (other tools read it; its bytes do not change).
The Excel workbook is what a board officer opens and uses as it is: a Summary sheet (counts by
rating per source, when it was made, the filters applied, the protective marking), then one
sheet per source of actions with readable headings, real dates, rating words in their colour,
a filter on every column and the heading row frozen.
"""

import csv
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from plans.models import Action, ActionParent, Rating

from .charts import COLOURS, ink_on

COLUMNS = [
    "source",
    "partnership",
    "container",
    "section",
    "parent",
    "ref",
    "action",
    "lead",
    "timescale",
    "due_date",
    "rating",
    "last_update",
    "comment",
]

# Characters a spreadsheet may read as the start of a formula (OWASP CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Make a cell inert in Excel/LibreOffice by quoting a leading formula character."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def action_row(action):
    """One export row; `action` must come from `Action.objects.for_list()`."""
    child = action.parent.child
    due = action.effective_due_date
    rating = action.latest_rating
    return {
        "source": child.source_kind,
        "partnership": action.parent.partnership.short_name,
        "container": child.container_label,
        "section": child.section_label,
        "parent": child.parent_text,
        "ref": action.display_ref,
        "action": action.text,
        "lead": action.lead_text,
        "timescale": action.timescale,
        "due_date": due.isoformat() if due else "",
        "rating": Action.rating_label(rating) if rating else "",
        "last_update": action.latest_as_of.isoformat() if action.latest_as_of else "",
        "comment": action.latest_comment or "",
    }


def write_csv(actions, stream):
    writer = csv.DictWriter(stream, fieldnames=COLUMNS)
    writer.writeheader()
    count = 0
    for action in actions.iterator(chunk_size=500):
        writer.writerow({key: neutralise(value) for key, value in action_row(action).items()})
        count += 1
    return count


# -- Excel ----------------------------------------------------------------------------------

XLSX_COLUMNS = [c for c in COLUMNS if c != "source"]  # each source has its own sheet
HEADINGS = {
    "partnership": "Partnership",
    "container": "Plan, workstream or review",
    "section": "Section",
    "parent": "Objective or recommendation",
    "ref": "Ref",
    "action": "Action",
    "lead": "Lead",
    "timescale": "Timescale as written",
    "due_date": "Due date",
    "rating": "Rating",
    "last_update": "Last update",
    "comment": "Latest progress comment",
}
WIDTHS = {
    "partnership": 12,
    "container": 26,
    "section": 30,
    "parent": 45,
    "ref": 8,
    "action": 60,
    "lead": 28,
    "timescale": 18,
    "due_date": 13,
    "rating": 14,
    "last_update": 13,
    "comment": 60,
}
DATE_FORMAT = "d mmm yyyy"
DATES = {"due_date", "last_update"}


@dataclass(frozen=True)
class Source:
    """One sheet: a source of actions, its sheet name and the headings that differ."""

    key: str
    title: str
    headings: dict


SOURCES = [
    Source(
        "plan",
        "Business plan",
        {"container": "Business plan", "section": "Objective", "parent": "What we want to achieve"},
    ),
    Source(
        "workstream",
        "Workstreams",
        {"container": "Workstream", "section": "Workstream", "parent": "Workstream objective"},
    ),
    Source(
        "review",
        "Case reviews",
        {"container": "Review", "section": "Agency", "parent": "Recommendation"},
    ),
]


def source_of(key):
    """The Source for a kind's `source_kind`; kinds added later get a sheet named after them."""
    for source in SOURCES:
        if source.key == key:
            return source
    title = "".join(ch for ch in key.replace("_", " ") if ch not in "[]:*?/\\")
    return Source(key, title[:31].capitalize() or "Other", {})


def _sources_present(actions):
    """The Sources of `actions` in sheet order (one small query)."""
    by_kind = {kind._meta.model_name: kind.source_kind for kind in ActionParent.kinds}
    kinds = actions.order_by().values_list("parent__kind", flat=True).distinct()
    keys = {by_kind.get(kind, kind) for kind in kinds}
    known = [source for source in SOURCES if source.key in keys]
    return known + [source_of(key) for key in sorted(keys - {s.key for s in SOURCES})]


def describe_filters(filterset):
    """The filters applied to a bound, valid FilterSet in words: ["Rating: Red", ...]."""
    if filterset is None or not filterset.is_bound or not filterset.is_valid():
        return []
    form = filterset.form
    described = []
    for name, value in form.cleaned_data.items():
        if value in (None, "", False, []):
            continue
        field = form.fields[name]
        if hasattr(value, "strftime"):
            shown = f"{value:%-d %B %Y}"
        elif value is True:
            shown = "Yes"
        else:
            shown = dict(getattr(field, "choices", ()) or ()).get(value, value)
        described.append(f"{field.label or name}: {shown}")
    return described


class _Styles:
    """The named styles of the workbook, made once (openpyxl is imported only for XLSX)."""

    def __init__(self):
        from openpyxl.styles import Alignment, Font, PatternFill  # noqa: PLC0415

        self.bold = Font(bold=True)
        self.title = Font(bold=True, size=14)
        self.heading_fill = PatternFill("solid", fgColor="DDE1E4")
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.top = Alignment(vertical="top")
        self.fills = {
            rating: PatternFill("solid", fgColor=COLOURS[rating].lstrip("#").upper())
            for rating in Rating.column_order()
            if rating
        }
        self.inks = {
            rating: Font(bold=True, color=ink_on(COLOURS[rating]).lstrip("#").upper())
            for rating in Rating.column_order()
            if rating
        }


def _cell(sheet, value, *, font=None, fill=None, alignment=None, number_format=None):
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415

    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    if number_format is not None:
        cell.number_format = number_format
    return cell


def _rating_cell(sheet, styles, rating):
    """The rating's word, in its colour with readable text ("Not yet rated" unfilled)."""
    return _cell(
        sheet,
        Rating.label_of(rating),
        font=styles.inks.get(rating, styles.bold),
        fill=styles.fills.get(rating),
        alignment=styles.top,
    )


def _data_sheet(workbook, styles, source):
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    sheet = workbook.create_sheet(source.title)
    sheet.freeze_panes = "A2"
    _print_setup(sheet)
    for index, column in enumerate(XLSX_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS[column]
    headings = HEADINGS | source.headings
    sheet.append(
        [
            _cell(
                sheet,
                headings[c],
                font=styles.bold,
                fill=styles.heading_fill,
                alignment=styles.wrap,
            )
            for c in XLSX_COLUMNS
        ]
    )
    return sheet


def _print_setup(sheet):
    """Printed: landscape, as wide as the page, headings on every page and the protective
    marking at the top and bottom of each page (as the pack has it)."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.oddHeader.center.text = settings.PROTECTIVE_MARKING
    sheet.oddFooter.center.text = settings.PROTECTIVE_MARKING


def _xlsx_row(sheet, styles, action):
    """One action's cells: text neutralised, dates as dates, the rating in words and colour."""
    row = action_row(action)
    values = {
        "due_date": action.effective_due_date,
        "last_update": action.latest_as_of,
    }
    cells = []
    for column in XLSX_COLUMNS:
        if column == "rating":
            cells.append(_rating_cell(sheet, styles, action.latest_rating))
        elif column in DATES:
            cells.append(
                _cell(sheet, values[column], number_format=DATE_FORMAT, alignment=styles.top)
            )
        else:
            cells.append(_cell(sheet, neutralise(row[column]), alignment=styles.wrap))
    return cells


def write_xlsx(actions, stream, *, filters=(), generated_at=None):
    """The actions as an Excel workbook: a Summary sheet, then a sheet per source (streamed:
    rows are written as they are read, in constant memory)."""
    from openpyxl import Workbook  # noqa: PLC0415  (only the XLSX download needs it)

    styles = _Styles()
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet("Summary")
    sources = _sources_present(actions)
    sheets = {source.key: _data_sheet(workbook, styles, source) for source in sources}
    rows = {source.key: 1 for source in sources}
    counts = {source.key: Counter() for source in sources}
    for action in actions.iterator(chunk_size=500):
        key = action.parent.child.source_kind
        sheets[key].append(_xlsx_row(sheets[key], styles, action))
        rows[key] += 1
        counts[key][action.latest_rating] += 1
    for key, sheet in sheets.items():
        sheet.auto_filter.ref = f"A1:{_last_column()}{rows[key]}"
    _write_summary(summary, styles, sources, counts, filters, generated_at or timezone.now())
    workbook.save(stream)
    return sum(rows.values()) - len(rows)


def _last_column():
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    return get_column_letter(len(XLSX_COLUMNS))


def _write_summary(sheet, styles, sources, counts, filters, generated_at):
    """What the workbook holds: counts by rating per source, when, with which filters."""
    ratings = Rating.column_order()
    _print_setup(sheet)
    sheet.column_dimensions["A"].width = 22
    for letter in "BCDEFGH":
        sheet.column_dimensions[letter].width = 14
    sheet.append([_cell(sheet, "Actions by rating", font=styles.title)])
    sheet.append(
        [_cell(sheet, "Protective marking", font=styles.bold), settings.PROTECTIVE_MARKING]
    )
    sheet.append(
        [
            _cell(sheet, "Generated", font=styles.bold),
            _cell(
                sheet,
                timezone.localtime(generated_at).replace(tzinfo=None, second=0, microsecond=0),
                number_format="d mmm yyyy hh:mm",
            ),
        ]
    )
    sheet.append(
        [
            _cell(sheet, "Filters applied", font=styles.bold),
            neutralise("; ".join(filters)) if filters else "None: every action you can read",
        ]
    )
    sheet.append([])
    sheet.append(
        [_cell(sheet, "Source", font=styles.bold, fill=styles.heading_fill)]
        + [
            _cell(
                sheet,
                Rating.label_of(rating),
                font=styles.inks.get(rating, styles.bold),
                fill=styles.fills.get(rating, styles.heading_fill),
            )
            for rating in ratings
        ]
        + [_cell(sheet, "Total", font=styles.bold, fill=styles.heading_fill)]
    )
    totals = Counter()
    for source in sources:
        found = counts[source.key]
        totals.update(found)
        sheet.append(
            [source.title, *(found.get(rating, 0) for rating in ratings), sum(found.values())]
        )
    sheet.append(
        [_cell(sheet, "All sources", font=styles.bold)]
        + [_cell(sheet, totals.get(rating, 0), font=styles.bold) for rating in ratings]
        + [_cell(sheet, sum(totals.values()), font=styles.bold)]
    )
