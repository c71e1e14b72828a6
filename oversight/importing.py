"""The one entry point for any plan file: which importer a file goes to, from its header row.

plans/importing.py reads files and imports business plans; reviews/importing.py imports
case-review action plans. The upload pages and the `import_action_plan` command come here.
"""

from dataclasses import dataclass

from plans.importing import (
    ImportFailed,
    PlanOptions,
    Problem,
    apply_business_plan,
    find_header,
    parse_business_plan,
    read_table,
)
from reviews.importing import agency_problems, apply_review_plan, parse_review_plan
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


def parse_file(data, filename, check_agencies=False):
    """Read and validate a plan file of either kind; plain data, or ImportFailed.

    With `check_agencies`, a review plan's agency sections are looked up too (a database
    read), so that unknown agencies are reported with the file's other problems at once.
    """
    table = read_table(data, filename)
    header = find_header(table)
    if header.kind.kind == "review":
        try:
            parsed = parse_review_plan(table, header)
        except ImportFailed as failed:
            if check_agencies:
                more = agency_problems(failed.partial, table.filename)
                problems = sorted(failed.problems + more, key=lambda p: (p.row or 0, p.letter))
                raise ImportFailed(problems) from None
            raise
        if check_agencies and (problems := agency_problems(parsed, table.filename)):
            raise ImportFailed(problems)
    else:
        parsed = parse_business_plan(table, header)
    parsed["filename"] = table.filename
    return parsed


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
