from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from plans.history import record_missing_history

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"


def already_loaded(path):
    """Whether the first object of fixture `path` is in the database (natural keys resolve
    to the stored row's pk as the file is read)."""
    with open(path, encoding="utf-8") as stream:
        try:
            first = next(serializers.deserialize("json", stream, ignorenonexistent=True), None)
        except serializers.base.DeserializationError:
            return False  # it names rows not loaded yet (an earlier file's, in this same run)
    if first is None or first.object.pk is None:
        return False
    return type(first.object).objects.filter(pk=first.object.pk).exists()


class Command(BaseCommand):
    help = (
        "Load the seed plans (fixtures/*.json) and give each loaded row its first history "
        "record. Safe to run again: a file already loaded is left alone, so updates, revised "
        "dates and ratings recorded since are kept; --reload loads every file over what is "
        "stored (natural keys update rows in place)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reload", action="store_true", help="load files already loaded again")

    def handle(self, *args, **options):
        files = sorted(str(path) for path in FIXTURES_DIR.glob("*.json"))
        if not options["reload"]:
            kept = [path for path in files if already_loaded(path)]
            files = [path for path in files if path not in kept]
            if kept and options["verbosity"] >= 1:
                self.stdout.write(f"Already loaded, left as they are: {len(kept)} seed files")
        if not files:
            return
        with transaction.atomic():
            call_command("loaddata", *files, verbosity=options["verbosity"])
            created = record_missing_history("Loaded from the seed documents")
        if options["verbosity"] >= 1:
            for label, count in created.items():
                self.stdout.write(f"History started for {count} {label} rows")
