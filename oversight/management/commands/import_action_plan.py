"""python manage.py import_action_plan FILE [--review CODE] [--dry-run] ...

Imports a review action plan or a business plan from XLSX or CSV; the kind of file is
recognised from its header row. Every problem is printed with its row and column and the
command exits non-zero; nothing is written unless the whole file is valid.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from oversight.importing import ImportOptions, apply_parsed, parse_file
from plans.importing import ImportFailed, Problem
from plans.models import Partnership
from reviews.models import CaseReview


class Command(BaseCommand):
    help = "Import a review action plan or a business plan spreadsheet (.xlsx or .csv)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--review", default="", help="The review's code, e.g. AN09.")
        parser.add_argument("--title", default="", help="A new review's title.")
        parser.add_argument(
            "--review-kind",
            default=CaseReview.Kind.SCR,
            choices=CaseReview.Kind.values,
            help="A new review's kind (default scr).",
        )
        parser.add_argument("--plan", default="", help="The business plan's title or slug.")
        parser.add_argument("--partnership", default="", help="Short name, e.g. NSCP.")
        parser.add_argument(
            "--user", default="", help="Username the changes (and RAG updates) are recorded as."
        )
        parser.add_argument("--create-agencies", action="store_true")
        parser.add_argument("--dry-run", action="store_true", help="Check and report only.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read ({exc.strerror}).") from exc
        try:
            parsed = parse_file(data, path.name, check_agencies=not options["create_agencies"])
            import_options = ImportOptions(
                partnership=self.partnership(options, parsed),
                user=self.user(options["user"]),
                review_code=options["review"],
                review_title=options["title"],
                review_kind=options["review_kind"],
                plan_name=options["plan"],
                create_agencies=options["create_agencies"],
                dry_run=options["dry_run"],
            )
            summary = apply_parsed(parsed, import_options)
        except ImportFailed as failed:
            for problem in failed.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{path.name}: {len(failed.problems)} problem(s); nothing was imported."
            ) from None
        kind = "review action plan" if summary.kind == "review" else "business plan"
        self.stdout.write(f"{path.name}: {kind} for {summary.target}")
        for line in summary.lines():
            self.stdout.write(f"  {line}")
        for line in summary.kept:
            self.stdout.write(f"  {line}")
        if summary.dry_run:
            self.stdout.write("Dry run: nothing was saved.")
        elif not summary.changed_anything:
            self.stdout.write("Nothing changed.")

    def partnership(self, options, parsed):
        short_name = options["partnership"]
        file = parsed.get("filename", "")
        if short_name:
            partnership = Partnership.objects.filter(short_name__iexact=short_name).first()
            if partnership is None:
                raise ImportFailed([Problem(f'No partnership "{short_name}".', file=file)])
            return partnership
        if parsed["kind"] == "review" and options["review"]:
            matches = list(
                Partnership.objects.filter(reviews__code__iexact=options["review"]).distinct()
            )
            if len(matches) == 1:
                return matches[0]
        raise ImportFailed(
            [Problem("Name the partnership with --partnership (e.g. NSCP).", file=file)]
        )

    def user(self, username):
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise ImportFailed([Problem(f'No user "{username}".')]) from None
