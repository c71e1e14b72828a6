from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from plans.history import record_missing_history

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"


def already_loaded(path):
    """Whether every row of fixture `path` is in the database (natural keys resolve to the
    stored row's pk as the file is read). Stops at the first row missing, so on an empty
    database it reads one row."""
    with open(path, encoding="utf-8") as stream:
        try:
            for found in serializers.deserialize("json", stream, ignorenonexistent=True):
                row = found.object
                if row.pk is None or not type(row).objects.filter(pk=row.pk).exists():
                    return False
        except (serializers.base.DeserializationError, ObjectDoesNotExist):
            return False  # it names rows not loaded yet (an earlier file's, in this same run)
    return True


class Command(BaseCommand):
    help = (
        "Load the seed plans (fixtures/*.json) and give each loaded row its first history "
        "record. Safe to run again: a file whose every row is stored is left alone, so "
        "updates, revised dates and ratings recorded since are kept; --reload loads every "
        "file over what is stored (natural keys update rows in place)."
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
