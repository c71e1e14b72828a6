"""Email leads and chairs whose actions are not yet updated this cycle (run daily from cron)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from oversight.locks import single_run
from oversight.reminders import reminder_days, send_clock_reminders, send_reminders


class Command(BaseCommand):
    help = (
        "Send reminders to update actions before each BMG update deadline "
        "(settings.REMINDER_DAYS days before it). Safe to run daily: nothing is sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Act as if today were YYYY-MM-DD (for catching up).")
        parser.add_argument(
            "--dry-run", action="store_true", help="List who would be reminded; send nothing."
        )

    def handle(self, *args, **options):
        try:
            today = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as exc:
            raise CommandError("--date must be YYYY-MM-DD, e.g. 2026-05-20.") from exc
        today = today or timezone.localdate()
        with single_run("send_update_reminders") as acquired:
            if not acquired:
                self.stdout.write("Another server is sending reminders now; this run sent nothing.")
                return
            reminders = send_reminders(today, dry_run=options["dry_run"])
            clock_reminders = send_clock_reminders(today, dry_run=options["dry_run"])
        verb = "Would send" if options["dry_run"] else "Sent"
        for reminder in reminders:
            self.stdout.write(
                f"{verb} {reminder.stage}-day reminder to {reminder.user.email} "
                f"({len(reminder.actions)} actions) for {reminder.meeting}"
            )
        for reminder in clock_reminders:
            self.stdout.write(
                f"{verb} {reminder.stage}-working-day reminder to {reminder.user.email} "
                f"for case {reminder.clock.case.code}: {reminder.clock.name}"
            )
        days = ", ".join(str(d) for d in reminder_days())
        self.stdout.write(
            f"{verb} {len(reminders)} reminder(s) on {today:%Y-%m-%d} (stages: {days} days)."
        )
        self.stdout.write(f"{verb} {len(clock_reminders)} clock reminder(s).")
