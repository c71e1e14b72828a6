"""NCSCP's demo performance data set (performance/demo.py). Run after load_demo, which makes
the officer named as having entered the values."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from performance.demo import load_performance


class Command(BaseCommand):
    help = "Create NCSCP's demo performance data set: measures with eight quarters of values."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "load_demo_performance only runs with DEBUG on: the figures are invented."
            )
        made = load_performance()
        self.stdout.write(f"Demo measures created: {len(made)}")
