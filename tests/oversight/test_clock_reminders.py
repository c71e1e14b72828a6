"""Reminders to board officers before an intake case's statutory clock runs out, through the
same ReminderLog and command as the update reminders: once per case, clock, officer and stage."""

from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from oversight.models import ReminderLog
from oversight.reminders import send_clock_reminders
from plans.models import Role
from reviews.models import IntakeCase
from tests.conftest import make_user


@pytest.fixture
def notified(ncscp):
    """Notified Wednesday 18 December 2024: the rapid review is due Monday 13 January 2025."""
    return IntakeCase.objects.create(
        partnership=ncscp,
        code="CS24-11",
        incident_on=date(2024, 12, 15),
        learned_on=date(2024, 12, 16),
        notified_on=date(2024, 12, 18),
    )


@pytest.fixture
def people(django_user_model, ncscp, nscp, officer):
    make_user(django_user_model, "t-viewer", ncscp, Role.Kind.VIEWER)
    make_user(django_user_model, "t-other-officer", nscp, Role.Kind.BOARD_OFFICER)
    return officer


def test_an_officer_is_reminded_once_per_stage_in_working_days(notified, people):
    officer = people
    assert send_clock_reminders(date(2025, 1, 3)) == []  # 6 working days left: not yet
    sent = send_clock_reminders(date(2025, 1, 6))  # 5 working days left
    assert [(r.user, r.stage, r.clock.key) for r in sent] == [(officer, 5, "rapid_review")]
    assert [m.to for m in mail.outbox] == [[officer.email]]
    subject = mail.outbox[0].subject
    assert subject == (
        "Case CS24-11: send the rapid review to the Panel by 13 January 2025 (5 working days left)"
    )
    assert "/reviews/intake/" in mail.outbox[0].body
    # The same day again, and the next day (still the 5-day stage): nothing new.
    assert send_clock_reminders(date(2025, 1, 6)) == []
    assert send_clock_reminders(date(2025, 1, 7)) == []
    assert [r.stage for r in send_clock_reminders(date(2025, 1, 9))] == [2]  # 2 left
    assert send_clock_reminders(date(2025, 1, 14)) == []  # missed: no "before" reminder
    logs = ReminderLog.objects.filter(kind=ReminderLog.Kind.CLOCK).order_by("days_before")
    assert [(log.case, log.clock, log.days_before) for log in logs] == [
        (notified, "rapid_review", 2),
        (notified, "rapid_review", 5),
    ]
    assert len(mail.outbox) == 2
    assert str(logs[0]).endswith("(2 working days before: Send the rapid review to the Panel)")


def test_a_met_clock_sends_nothing(notified, people):
    notified.rapid_review_meeting_on = date(2025, 1, 2)
    notified.rapid_review_submitted_on = date(2025, 1, 3)
    notified.save()
    assert send_clock_reminders(date(2025, 1, 6)) == []
    assert mail.outbox == []


def test_a_dry_run_records_nothing(notified, people):
    assert len(send_clock_reminders(date(2025, 1, 9), dry_run=True)) == 1
    assert mail.outbox == [] and not ReminderLog.objects.exists()


def test_the_daily_command_sends_clock_reminders_too(notified, people, settings):
    settings.CLOCK_REMINDER_DAYS = (3,)
    out = StringIO()
    call_command("send_update_reminders", "--date", "2025-01-08", stdout=out)
    assert "3-working-day reminder to t-officer@example.org for case CS24-11" in out.getvalue()
    assert "Sent 1 clock reminder(s)." in out.getvalue()
    call_command("send_update_reminders", "--date", "2025-01-08", stdout=StringIO())
    assert len(mail.outbox) == 1
