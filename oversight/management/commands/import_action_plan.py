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
from plans.layout import FIELDS, normalise_heading
from plans.models import Partnership, Rating
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
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADING=FIELD",
            help="Take the column headed HEADING as FIELD (repeatable), e.g. "
            '--map "Person responsible=lead". Fields: ' + ", ".join(FIELDS) + ".",
        )
        parser.add_argument(
            "--status",
            action="append",
            default=[],
            metavar="WORDS=RATING",
            help='What an unclear status means (repeatable), e.g. --status "On track=green"; '
            "RATING is one of " + ", ".join(Rating.values) + ", or empty for no rating.",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read ({exc.strerror}).") from exc
        try:
            mapping, answers = self.choices(options)
            kind = "review" if options["review"] and not options["plan"] else None
            kind = "plan" if options["plan"] and not options["review"] else kind
            parsed = parse_file(data, path.name, True, mapping=mapping, answers=answers, kind=kind)
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
        self.report(path.name, parsed, summary)

    def report(self, name, parsed, summary):
        kind = "review action plan" if summary.kind == "review" else "business plan"
        self.stdout.write(f"{name}: {kind} for {summary.target}")
        for warning in parsed["warnings"]:
            where = f"row {warning['row']}: " if warning["row"] else ""
            self.stdout.write(f"  Warning, {where}{warning['message']}")
        for words, rows in parsed["questions"].items():
            self.stdout.write(
                f'  Not rated: "{words}" (rows {", ".join(map(str, rows))}) could mean more than '
                f'one rating; say which with --status "{words}=RATING".'
            )
        for line in summary.lines():
            self.stdout.write(f"  {line}")
        for line in summary.kept:
            self.stdout.write(f"  {line}")
        if summary.dry_run:
            self.stdout.write("Dry run: nothing was saved.")
        elif not summary.changed_anything:
            self.stdout.write("Nothing changed.")

    @staticmethod
    def choices(options):
        """--map and --status as the preview's column mapping and status answers."""
        mapping, answers, problems = {}, {}, []
        for text in options["map"]:
            heading, _, field = text.rpartition("=")
            if not heading or field.strip() not in FIELDS:
                problems.append(Problem(f'--map "{text}": say HEADING=FIELD with a field of ours.'))
            mapping[normalise_heading(heading)] = field.strip()
        for text in options["status"]:
            words, _, rating = text.rpartition("=")
            if not words or (rating.strip() and rating.strip() not in Rating.values):
                problems.append(Problem(f'--status "{text}": say WORDS=RATING.'))
            answers[words.strip()] = rating.strip()
        if problems:
            raise ImportFailed(problems)
        return mapping, answers

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
