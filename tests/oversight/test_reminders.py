"""Update reminders: who gets one, what it lists, and that nothing is ever sent twice."""

from contextlib import contextmanager
from datetime import date, datetime, timedelta
from io import StringIO
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command

from oversight.models import Meeting, ReminderLog
from oversight.reminders import overdue_stage_for, remind_now, send_reminders, stage_for
from plans.models import (
    Action,
    Agency,
    Group,
    Objective,
    Plan,
    Rating,
    Role,
)
from reviews.models import CaseReview, Recommendation
from tests.factories import make_update

LONDON = ZoneInfo("Europe/London")
DEADLINE = date(2030, 2, 14)


@contextmanager
def recorded_at(day):
    moment = datetime.combine(day, datetime.min.time(), tzinfo=LONDON) + timedelta(hours=12)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.mark.parametrize(
    "days_left, stage",
    [(16, None), (15, None), (14, 14), (9, 14), (4, 14), (3, 3), (1, 3), (0, 3), (-1, None)],
)
def test_the_stage_due_each_day(days_left, stage):
    meeting = Meeting(update_deadline=DEADLINE, date=DEADLINE + timedelta(days=14))
    assert stage_for(meeting, DEADLINE - timedelta(days=days_left), (14, 3)) == stage


class Setup:
    pass


@pytest.fixture
def cycle(ncscp, nscp, qa_group, chair, agency_lead, django_user_model):
    """A BMG with its previous meeting (deadline 1 Nov 2029) and next (14 Feb 2030)."""
    s = Setup()
    bmg = Group.objects.create(slug="t-bmg", name="Business Management Group", kind="bmg")
    bmg.partnerships.add(ncscp)
    Meeting.objects.create(group=bmg, date=date(2029, 11, 15), update_deadline=date(2029, 11, 1))
    s.meeting = Meeting.objects.create(group=bmg, date=date(2030, 2, 28), update_deadline=DEADLINE)
    s.chair = chair
    s.police = Agency.objects.create(name="Test Police", kind="police")
    s.police_lead = django_user_model.objects.create_user(
        "t-police", email="police@example.org", first_name="Pat", last_name="Police"
    )
    Role.objects.create(
        user=s.police_lead, partnership=ncscp, kind=Role.Kind.AGENCY_LEAD, agency=s.police
    )
    s.named = django_user_model.objects.create_user("t-named", email="named@example.org")
    s.no_email = django_user_model.objects.create_user("t-no-email", email="")
    healthcare = Agency.objects.get(name="Nottinghamshire HealthCare NHS Trust")

    plan = Plan.objects.create(partnership=ncscp, slug="t-plan", title="Plan")
    objective = Objective.objects.create(
        ref="t-o1", kind="objective", partnership=ncscp, plan=plan, number=1, text="Aim"
    )
    review = CaseReview.objects.create(partnership=ncscp, code="QN17", kind="scr")
    recommendation = Recommendation.objects.create(
        ref="t-r1", kind="recommendation", partnership=ncscp, review=review, number=1,
        agency=s.police, text="Police recommendation",
    )  # fmt: skip
    author = django_user_model.objects.create_user("t-author")

    def action(position, text, parent=objective, rating=None, updated=None):
        a = Action.objects.create(
            ref=f"t-{parent.pk}-{position}", parent=parent, position=position, text=text
        )
        if rating:
            with recorded_at(updated):
                make_update(action=a, rating=rating, as_of=updated, author=author)
        return a

    s.q1 = action(1, "QA action not updated", rating=Rating.GREEN, updated=date(2029, 10, 1))
    s.q2 = action(2, "QA action updated", rating=Rating.AMBER, updated=date(2029, 12, 1))
    s.q3 = action(
        3, "QA action complete long ago", rating=Rating.COMPLETE, updated=date(2029, 6, 1)
    )
    s.p1 = action(4, "Police action")
    s.r1 = action(1, "Action under the police recommendation", parent=recommendation)
    s.u1 = action(5, "Action naming a user")
    s.u2 = action(6, "Action naming a user with no email")
    s.h1 = action(7, "Action assigned to an NSCP agency lead's agency")
    for a in (s.q1, s.q2, s.q3):
        a.lead_groups.add(qa_group)
    s.p1.lead_agencies.add(s.police)
    s.u1.lead_users.add(s.named)
    s.u2.lead_users.add(s.no_email)
    s.h1.lead_agencies.add(healthcare)  # agency_lead leads it for NSCP, not NCSCP
    s.author = author
    return s


def sent_to():
    return {message.to[0]: message for message in mail.outbox}


@pytest.mark.django_db
def test_each_lead_and_chair_gets_one_email_listing_their_actions(cycle, settings):
    settings.SITE_URL = "https://tracker.example.org/"
    sent = send_reminders(DEADLINE - timedelta(days=14))
    assert len(sent) == 3
    emails = sent_to()
    assert set(emails) == {"t-chair@example.org", "police@example.org", "named@example.org"}

    chair = emails["t-chair@example.org"]
    assert chair.subject == "1 action to update by 14 February 2030 for Business Management Group"
    assert "QA action not updated" in chair.body
    assert f"https://tracker.example.org/actions/{cycle.q1.pk}/update/" in chair.body
    assert "QA action updated" not in chair.body  # updated this cycle
    assert "complete long ago" not in chair.body
    assert "since the last deadline, 1 November 2029" in chair.body
    assert "(in 14 days)" in chair.body

    police = emails["police@example.org"]
    assert police.subject.startswith("2 actions to update")
    assert "Police action" in police.body
    assert "Action under the police recommendation" in police.body

    log = ReminderLog.objects.get(user=cycle.police_lead)
    assert (log.meeting, log.days_before, log.email) == (cycle.meeting, 14, "police@example.org")
    assert set(log.actions.all()) == {cycle.p1, cycle.r1}


@pytest.mark.django_db
def test_running_twice_sends_nothing_twice(cycle):
    day = DEADLINE - timedelta(days=14)
    assert len(send_reminders(day)) == 3
    assert send_reminders(day) == []
    assert send_reminders(day + timedelta(days=1)) == []  # the 14-day stage is done
    assert len(mail.outbox) == 3
    assert ReminderLog.objects.count() == 3


@pytest.mark.django_db
def test_the_three_day_reminder_leaves_out_what_was_updated_meanwhile(cycle):
    send_reminders(DEADLINE - timedelta(days=14))
    with recorded_at(DEADLINE - timedelta(days=5)):
        make_update(action=cycle.q1, rating=Rating.GREEN, as_of=DEADLINE, author=cycle.author)
    mail.outbox.clear()
    sent = send_reminders(DEADLINE - timedelta(days=3))
    assert {r.stage for r in sent} == {3}
    assert set(sent_to()) == {"police@example.org", "named@example.org"}
    assert send_reminders(DEADLINE) == []
    # After the deadline the reminders say the updates are overdue (issue 12), once a stage.
    overdue = send_reminders(DEADLINE + timedelta(days=1))
    assert {(r.kind, r.stage) for r in overdue} == {("overdue", 1)}
    assert send_reminders(DEADLINE + timedelta(days=1)) == []


@pytest.mark.django_db
def test_a_failed_send_is_not_recorded_and_is_retried(cycle):
    day = DEADLINE - timedelta(days=14)
    with (
        mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("SMTP down")),
        pytest.raises(OSError),
    ):
        send_reminders(day)
    assert ReminderLog.objects.count() == 0
    assert len(send_reminders(day)) == 3


@pytest.mark.django_db
def test_reminder_days_come_from_settings(cycle, settings):
    settings.REMINDER_DAYS = (7,)
    assert send_reminders(DEADLINE - timedelta(days=14)) == []
    assert {r.stage for r in send_reminders(DEADLINE - timedelta(days=7))} == {7}


@pytest.mark.django_db
def test_the_command_reports_and_can_dry_run(cycle):
    out = StringIO()
    call_command("send_update_reminders", "--date", "2030-01-31", "--dry-run", stdout=out)
    assert "Would send 3 reminder(s) on 2030-01-31" in out.getvalue()
    assert mail.outbox == [] and ReminderLog.objects.count() == 0

    out = StringIO()
    call_command("send_update_reminders", "--date", "2030-01-31", stdout=out)
    assert "Sent 14-day reminder to police@example.org (2 actions)" in out.getvalue()
    assert "Sent 3 reminder(s)" in out.getvalue()
    out = StringIO()
    call_command("send_update_reminders", "--date", "2030-01-31", stdout=out)
    assert "Sent 0 reminder(s)" in out.getvalue()


needs_postgres = pytest.mark.skipif(
    "postgresql" not in __import__("django.conf").conf.settings.DATABASES["default"]["ENGINE"],
    reason="advisory locks are PostgreSQL's; CI runs this on PostgreSQL",
)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_server_running_the_command_at_the_same_time_sends_nothing(cycle):
    """Another app server's cron run holds the lock: this one stops without sending."""
    import psycopg
    from django.db import connection

    from oversight.locks import lock_key

    params = connection.get_connection_params()
    other = psycopg.connect(
        **{k: v for k, v in params.items() if k in {"dbname", "host", "port", "user", "password"}}
    )
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [lock_key("send_update_reminders")])
        out = StringIO()
        call_command("send_update_reminders", "--date", "2030-01-31", stdout=out)
        assert "Another server is sending reminders now" in out.getvalue()
        assert mail.outbox == [] and ReminderLog.objects.count() == 0
        other.execute("SELECT pg_advisory_unlock(%s)", [lock_key("send_update_reminders")])
        call_command("send_update_reminders", "--date", "2030-01-31", stdout=StringIO())
        assert len(mail.outbox) == 3
    finally:
        other.close()


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_reminders_sent_from_several_processes_at_once_go_out_once(cycle):
    """Even without the lock (send_reminders called directly, in four threads with their own
    connections) the unique log row lets each reminder out once."""
    import threading

    from django.db import connection

    day = DEADLINE - timedelta(days=14)
    barrier = threading.Barrier(4)
    errors = []

    def run():
        try:
            barrier.wait()
            send_reminders(day)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ReminderLog.objects.count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(set(m.to[0] for m in mail.outbox))
    assert len(mail.outbox) == 3


@pytest.mark.parametrize(
    "days_after, stage",
    [(0, None), (1, 1), (2, 1), (6, 1), (7, 7), (14, 7), (15, None)],
)
def test_the_overdue_stage_due_each_day_until_the_meeting(days_after, stage):
    meeting = Meeting(update_deadline=DEADLINE, date=DEADLINE + timedelta(days=14))
    assert overdue_stage_for(meeting, DEADLINE + timedelta(days=days_after), (1, 7)) == stage


@pytest.mark.django_db
def test_overdue_reminders_go_on_the_chosen_days_once_and_say_overdue(cycle, settings):
    settings.OVERDUE_REMINDER_DAYS = (1, 7)
    send_reminders(DEADLINE + timedelta(days=1))
    message = sent_to()["police@example.org"]
    assert message.subject.startswith("Overdue: 2 actions not updated")
    assert "so these updates are overdue" in message.body
    mail.outbox.clear()
    assert send_reminders(DEADLINE + timedelta(days=3)) == []  # stage 1 is done
    assert {r.stage for r in send_reminders(DEADLINE + timedelta(days=8))} == {7}
    assert ReminderLog.objects.filter(kind="overdue").count() == 6
    settings.OVERDUE_REMINDER_DAYS = ()
    assert send_reminders(DEADLINE + timedelta(days=9)) == []


@pytest.mark.django_db
def test_remind_now_emails_each_person_once_a_day_and_logs_who_sent_it(cycle, officer, ncscp):
    today = DEADLINE - timedelta(days=20)
    sent, skipped = remind_now(cycle.meeting, ncscp, by=officer, today=today)
    assert {r.user.email for r in sent} == {
        "police@example.org",
        "named@example.org",
        "t-chair@example.org",
    }
    assert len(mail.outbox) == 3 and skipped == []
    log = ReminderLog.objects.get(user=cycle.police_lead)
    assert (log.kind, log.sent_by, log.sent_on) == ("manual", officer, today)
    assert {a.text for a in log.actions.all()} == {
        "Police action",
        "Action under the police recommendation",
    }
    again, skipped = remind_now(cycle.meeting, ncscp, by=officer, today=today)
    assert again == [] and len(skipped) == 3 and len(mail.outbox) == 3
    later, _ = remind_now(cycle.meeting, ncscp, by=officer, today=today + timedelta(days=1))
    assert len(later) == 3


@pytest.mark.django_db
def test_remind_now_skips_people_the_schedule_reached_today(cycle, officer, ncscp):
    send_reminders(DEADLINE - timedelta(days=14))
    sent, skipped = remind_now(
        cycle.meeting, ncscp, by=officer, today=DEADLINE - timedelta(days=14)
    )
    assert sent == [] and len(skipped) == 3
