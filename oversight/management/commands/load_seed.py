from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from plans.history import record_missing_history

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"


class Command(BaseCommand):
    help = (
        "Load the seed plans (fixtures/*.json) and give each loaded row its first history "
        "record. Safe to run again: natural keys update rows in place."
    )

    def handle(self, *args, **options):
        files = sorted(str(path) for path in FIXTURES_DIR.glob("*.json"))
        with transaction.atomic():
            call_command("loaddata", *files, verbosity=options["verbosity"])
            created = record_missing_history("Loaded from the seed documents")
        if options["verbosity"] >= 1:
            for label, count in created.items():
                self.stdout.write(f"History started for {count} {label} rows")
