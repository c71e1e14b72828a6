"""NCSCP's demo QA programme, impact log and Section 11 (quality/demo.py), from the 2016/17
annual report. Run after load_demo, which makes the officer named as recording them."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from quality.demo import load_quality


class Command(BaseCommand):
    help = "Create NCSCP's demo audit programme, impact log and Section 11 returns."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("load_demo_quality only runs with DEBUG on: some dates are made up.")
        made = load_quality()
        self.stdout.write(f"Demo audits created: {len(made)}")
