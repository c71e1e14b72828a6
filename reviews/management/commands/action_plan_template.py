"""python manage.py action_plan_template --kind review|plan --output FILE.xlsx

Writes an empty spreadsheet with the header row the importer expects, and a second sheet
explaining how to fill it in, so partnerships can start new plans in the importable shape.
"""

from django.core.management.base import BaseCommand, CommandError

from plans.importing import HEADER_KINDS

GUIDANCE = {
    "review": [
        "One row per action. Keep the header row as it is (any order; Progress is optional).",
        "A row with only its first cell filled starts an agency's section, e.g. "
        '"Broxtowe Borough Council"; "Overview Report" starts the overview report\'s.',
        "A row with a Recommendation starts a new recommendation; leave Outcome empty to keep "
        "the outcome above.",
        "Leave Outcome and Recommendation empty to add another action to the recommendation above.",
        "A bullet list in an Action cell (each line starting with a bullet) is one action per "
        "bullet.",
        'A line "Recommendation added following ..." in the Timescale cell records a '
        "recommendation added later (or use a Provenance column).",
        "Timescales are kept as written; a due date is read from them where the words allow, "
        'e.g. "August 2009", "By 31/12/09".',
        "Import: python manage.py import_action_plan FILE --review CODE --partnership NAME, or "
        "the upload page (board officers).",
    ],
    "plan": [
        "One row per action. Keep the header row as it is (any order; the last two are optional).",
        "A row with a No. starts an objective; leave No. empty to add another action to the "
        "objective above.",
        "RAG rating is one of Red, Amber, Green, Complete or Not started; a Comment on Progress "
        "needs a rating. Each rated row becomes a progress update by the importing user.",
        "Timescales are kept as written; milestones are read from them, e.g. "
        '"June 2019 Oct 2019 Feb 2020".',
        "Import: python manage.py import_action_plan FILE --plan NAME --partnership NAME --user "
        "USERNAME, or the upload page (board officers).",
    ],
}
WIDTHS = {"review": [40, 40, 45, 25, 18, 40, 30], "plan": [6, 40, 45, 25, 40, 22, 40, 12]}


class Command(BaseCommand):
    help = "Write an empty review action plan or business plan template (.xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=["review", "plan"], required=True)
        parser.add_argument("--output", required=True, help="The .xlsx file to write.")

    def handle(self, *args, **options):
        import openpyxl
        from openpyxl.styles import Alignment, Font, PatternFill

        kind, output = options["kind"], options["output"]
        if not output.lower().endswith(".xlsx"):
            raise CommandError("--output must name an .xlsx file")
        header = HEADER_KINDS[kind]
        headings = [
            heading for name, heading in header.columns if kind != "review" or name != "provenance"
        ]
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "Review action plan" if kind == "review" else "Business plan"
        sheet.append(headings)
        for index, cell in enumerate(sheet[1]):
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDDDDD")
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            letter = cell.column_letter
            sheet.column_dimensions[letter].width = WIDTHS[kind][index]
        sheet.freeze_panes = "A2"
        guide = workbook.create_sheet("How to fill it in")
        guide.column_dimensions["A"].width = 120
        for line in GUIDANCE[kind]:
            guide.append([line])
        try:
            workbook.save(output)
        except OSError as exc:
            raise CommandError(f"{output}: cannot be written ({exc.strerror})") from exc
        self.stdout.write(f"Wrote {output}: an empty {header.label} template.")
