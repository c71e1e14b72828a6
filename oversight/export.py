"""Rows of actions for spreadsheets (CSV now, XLSX later), one shape for every source."""

import csv

from plans.models import Action

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


def write_xlsx(actions, stream):
    """The same rows as write_csv, as an Excel workbook (streamed, constant memory)."""
    from openpyxl import Workbook  # noqa: PLC0415  (only the XLSX download needs it)

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Actions")
    sheet.append(COLUMNS)
    count = 0
    for action in actions.iterator(chunk_size=500):
        row = action_row(action)
        sheet.append([neutralise(row[column]) for column in COLUMNS])
        count += 1
    workbook.save(stream)
    return count
