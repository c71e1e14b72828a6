import sys

from django.core.management.base import BaseCommand

from oversight.export import write_csv
from plans.models import Action


class Command(BaseCommand):
    help = "Write every action as CSV, one row per action (formula-injection safe)."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="File to write (default: standard output).")

    def handle(self, *args, output=None, **options):
        actions = Action.objects.for_list()
        if output:
            with open(output, "w", newline="", encoding="utf-8") as stream:
                count = write_csv(actions, stream)
            self.stderr.write(f"Wrote {count} actions to {output}")
        else:
            write_csv(actions, sys.stdout)
