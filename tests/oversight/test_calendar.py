"""The meeting calendar in the app: meetings added by hand or from a pattern, and chasing
from the meeting's return rates ("Remind now"), for board officers."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from oversight.cycle import dates_from_pattern, nth_weekday
from oversight.models import Meeting, ReminderLog
from plans.models import Action, Group, Objective, Plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def bmg(ncscp):
    group = Group.objects.create(slug="t-bmg", name="Business Management Group", kind="bmg")
    group.partnerships.add(ncscp)
    return group


def test_the_third_wednesday_and_the_last_friday():
    assert nth_weekday(2026, 6, 3, 2) == date(2026, 6, 17)
    assert nth_weekday(2026, 10, 3, 2) == date(2026, 10, 21)
    assert nth_weekday(2026, 7, -1, 4) == date(2026, 7, 31)


def test_the_next_cycles_from_a_pattern():
    dates = dates_from_pattern([2, 6, 10], 3, 2, date(2026, 6, 17), 3)
    assert dates == [date(2026, 10, 21), date(2027, 2, 17), date(2027, 6, 16)]


def test_an_officer_adds_the_next_bmg_cycles_from_a_pattern(client, officer, bmg):
    Meeting.objects.create(group=bmg, date=date(2030, 6, 19), update_deadline=date(2030, 6, 5))
    client.force_login(officer)
    response = client.post(
        reverse("oversight:meeting_plan", args=["NCSCP"]),
        {
            "group": bmg.pk,
            "months": [2, 6, 10],
            "week": 3,
            "weekday": 2,
            "notice_days": 14,
            "count": 3,
            "title_prefix": "BMG",
        },
    )
    assert response.status_code == 302
    added = list(bmg.meetings.filter(date__gt=date(2030, 6, 19)).order_by("date"))
    assert [(m.date, m.update_deadline, m.title) for m in added] == [
        (date(2030, 10, 16), date(2030, 10, 2), "BMG October 2030"),
        (date(2031, 2, 19), date(2031, 2, 5), "BMG February 2031"),
        (date(2031, 6, 18), date(2031, 6, 4), "BMG June 2031"),
    ]
    assert all(m.history.get().history_user == officer for m in added)


def test_a_meeting_added_by_hand_gets_a_deadline_and_errors_are_gov_uk(client, officer, bmg):
    client.force_login(officer)
    url = reverse("oversight:meeting_create", args=["NCSCP"])
    day = {"group": bmg.pk, "date_0": "17", "date_1": "6", "date_2": "2026"}
    response = client.post(url, day)
    meeting = Meeting.objects.get(group=bmg)
    assert response.url == reverse("oversight:meeting_detail", args=[meeting.pk])
    assert meeting.update_deadline == date(2026, 6, 3)
    html = client.post(url, day).content.decode()
    assert '<a href="#id_date">Business Management Group already meets on that day</a>' in html
    late = day | {"update_deadline_0": "18", "update_deadline_1": "6", "update_deadline_2": "2026"}
    html = client.post(url, late | {"date_0": "16"}).content.decode()
    assert "Update deadline must be on or before the meeting" in html
    html = client.post(url, {"group": ""}).content.decode()
    assert '<a href="#id_group">Select group</a>' in html
    assert '<a href="#id_date">Enter the date of the meeting</a>' in html


def test_remind_now_from_the_meeting_page_is_logged_and_shown(
    client, officer, chair, qa_group, bmg, ncscp
):
    today = timezone.localdate()
    meeting = Meeting.objects.create(
        group=bmg, date=today + timedelta(days=30), update_deadline=today + timedelta(days=16)
    )
    plan = Plan.objects.create(partnership=ncscp, title="Plan")
    objective = Objective.objects.create(plan=plan, number=1, text="Aim")
    action = Action.objects.create(parent=objective, text="Audit neglect cases")
    action.lead_groups.add(qa_group)
    client.force_login(officer)
    page = client.get(reverse("oversight:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Remind now" in page and "No reminders sent for this meeting yet" in page
    url = reverse("oversight:meeting_remind", args=[meeting.pk])
    response = client.post(url, follow=True)
    assert "1 reminder sent" in response.content.decode()
    (email,) = mail.outbox
    assert email.to == ["t-chair@example.org"] and "Audit neglect cases" in email.body
    response = client.post(url, follow=True)
    assert "1 already reminded today, so not sent again" in response.content.decode()
    assert len(mail.outbox) == 1
    log = ReminderLog.objects.get()
    assert (log.user, log.sent_by, log.kind) == (chair, officer, "manual")
    page = client.get(reverse("oversight:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Reminders sent for this meeting" in page and "Sent now by t-officer" in page


def test_only_officers_remind(client, chair, bmg):
    today = timezone.localdate()
    meeting = Meeting.objects.create(
        group=bmg, date=today + timedelta(days=30), update_deadline=today + timedelta(days=16)
    )
    client.force_login(chair)
    assert client.post(reverse("oversight:meeting_remind", args=[meeting.pk])).status_code == 403
    assert not ReminderLog.objects.exists() and not mail.outbox
