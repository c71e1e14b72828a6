"""NCSCP's demo risk register (risks/demo.py). Run after load_demo, which makes the officer
who is named as having reviewed the risks."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from risks.demo import load_risks


class Command(BaseCommand):
    help = "Create NCSCP's demo risk register, with two BMG cycles of reviews."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("load_demo_risks only runs with DEBUG on: the data are invented.")
        made = load_risks()
        self.stdout.write(f"Demo risks created: {len(made)}")
