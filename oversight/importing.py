"""The one entry point for any plan file: which importer a file goes to, from its header row.

plans/importing.py reads files and imports business plans; reviews/importing.py imports
case-review action plans. The upload pages and the `import_action_plan` command come here.
"""

from dataclasses import dataclass

from plans.importing import (
    ImportFailed,
    PlanOptions,
    Problem,
    Table,
    apply_business_plan,
    best_table,
    parse_business_plan,
    parse_table,
    read_tables,
)
from reviews.importing import agency_warnings, apply_review_plan, parse_review_plan
from reviews.models import CaseReview


@dataclass
class ImportOptions:
    """Everything an import needs besides the file (the command's and the upload form's)."""

    partnership: object = None
    user: object = None
    review_code: str = ""
    review_title: str = ""
    review_kind: str = CaseReview.Kind.SCR
    plan_name: str = ""
    create_agencies: bool = False
    dry_run: bool = False


def parse_file(data, filename, check_agencies=False, *, mapping=None, answers=None, kind=None):
    """Read a plan file of either kind into plain data, or ImportFailed.

    The plan is found on whichever sheet holds it. `mapping` ({column index: field}) and
    `answers` ({status words: rating}) are what the person chose in the preview; `kind`
    ("review" or "plan") is what they import into, else what the columns suggest. With
    `check_agencies`, section headings are compared with the known agencies (a database
    read) and warned about.
    """
    table = best_table(read_tables(data, filename), mapping)
    return parse_rows(table, check_agencies, mapping=mapping, answers=answers, kind=kind)


def parse_rows(table, check_agencies=False, *, mapping=None, answers=None, kind=None):
    generic = parse_table(table, mapping=mapping, answers=answers)
    kind = kind or generic["kind"]
    if kind == "review":
        parsed = parse_review_plan(generic)
        if check_agencies:
            parsed["warnings"] = parsed["warnings"] + agency_warnings(parsed)
    else:
        parsed = parse_business_plan(generic)
    # The rows as read, so the preview can read them again with another column mapping.
    parsed["table"] = {"filename": table.filename, "sheet": table.sheet, "rows": table.rows}
    return parsed


def reparse(parsed, *, mapping=None, answers=None, kind=None):
    """A parsed file read again from its own rows, with the person's choices."""
    stored = parsed["table"]
    table = Table(filename=stored["filename"], rows=stored["rows"], sheet=stored.get("sheet", ""))
    mapping = {int(index): field for index, field in (mapping or {}).items()}
    return parse_rows(table, True, mapping=mapping, answers=answers, kind=kind or parsed["kind"])


def apply_parsed(parsed, options):
    """Write a parsed file (from parse_file, or a pending upload) in one transaction."""
    file = parsed.get("filename", "")
    if options.partnership is None:
        raise ImportFailed([Problem("Name the partnership the plan belongs to.", file=file)])
    if parsed["kind"] == "review":
        return apply_review_plan(parsed, options, file)
    return apply_business_plan(
        parsed,
        PlanOptions(
            partnership=options.partnership,
            plan_name=options.plan_name,
            user=options.user,
            dry_run=options.dry_run,
        ),
        file,
    )


def import_file(data, filename, options):
    return apply_parsed(parse_file(data, filename), options)
