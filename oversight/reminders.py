"""Reminders to update actions before a BMG update deadline (`send_update_reminders`).

Run daily from cron. Each lead or chair with actions not yet updated this cycle gets one email
per reminder stage (by default 14 and 3 days before the deadline, settings.REMINDER_DAYS)
listing those actions with links. A stage is due from its day until the deadline, so a day
cron missed is caught up the next day; once the next stage is due, the earlier one is skipped.
Every email sent is recorded in ReminderLog, whose unique constraint means a second run (the
same day, or a second host) sends nothing twice.

Recipients: the users an action names as leads, the chairs of the groups that lead it, and the
agency leads (in the action's partnership) of the agencies it is assigned to, including the
agency a review recommendation is addressed to.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from plans.models import Action, Group, Role

from .cycle import actions_to_return, cycle_for_meeting
from .models import Meeting, ReminderLog


def reminder_days():
    """The configured stages, largest first (days before the deadline)."""
    return tuple(
        sorted({int(d) for d in getattr(settings, "REMINDER_DAYS", (14, 3))}, reverse=True)
    )


def stage_for(meeting, today, days=None):
    """The reminder stage due on `today` for `meeting`, or None.

    The stage is the smallest configured number of days that is at least the days left, so
    with (14, 3): 14 to 4 days left -> 14, 3 to 0 days left -> 3, after the deadline -> None.
    """
    days = days or reminder_days()
    left = (meeting.update_deadline - today).days
    if left < 0:
        return None
    due = [d for d in days if left <= d]
    return min(due) if due else None


@dataclass
class Reminder:
    meeting: Meeting
    partnership: object
    stage: int
    user: object
    actions: list = field(default_factory=list)


def recipients(actions, partnership):
    """{user: [actions]} for the given actions, in a constant number of queries."""
    by_pk = {action.pk: action for action in actions}
    wanted = {}  # user pk -> set of action pks

    for action_pk, user_pk in Action.lead_users.through.objects.filter(
        action__in=by_pk
    ).values_list("action_id", "user_id"):
        wanted.setdefault(user_pk, set()).add(action_pk)

    group_actions = {}
    for action_pk, group_pk in Action.lead_groups.through.objects.filter(
        action__in=by_pk
    ).values_list("action_id", "group_id"):
        group_actions.setdefault(group_pk, set()).add(action_pk)
    for group_pk, user_pk in Role.objects.filter(
        kind=Role.Kind.CHAIR, group__in=list(group_actions)
    ).values_list("group_id", "user_id"):
        wanted.setdefault(user_pk, set()).update(group_actions[group_pk])

    agency_actions = {}
    for action_pk, agency_pk in Action.lead_agencies.through.objects.filter(
        action__in=by_pk
    ).values_list("action_id", "agency_id"):
        agency_actions.setdefault(agency_pk, set()).add(action_pk)
    for action in actions:
        if getattr(action, "recommendation_agency", None):
            agency_actions.setdefault(action.recommendation_agency, set()).add(action.pk)
    for agency_pk, user_pk in Role.objects.filter(
        kind=Role.Kind.AGENCY_LEAD, partnership=partnership, agency__in=list(agency_actions)
    ).values_list("agency_id", "user_id"):
        wanted.setdefault(user_pk, set()).update(agency_actions[agency_pk])

    users = get_user_model().objects.filter(pk__in=list(wanted), is_active=True).exclude(email="")
    order = {action.pk: index for index, action in enumerate(actions)}
    return {
        user: [by_pk[pk] for pk in sorted(wanted[user.pk], key=order.__getitem__)]
        for user in users.order_by("pk")
    }


def due_reminders(today=None):
    """Every reminder that should go out on `today` and has not gone out yet."""
    today = today or timezone.localdate()
    days = reminder_days()
    if not days:
        return []
    meetings = (
        Meeting.objects.filter(
            group__kind=Group.Kind.BMG,
            update_deadline__gte=today,
            update_deadline__lte=today + timedelta(days=max(days)),
        )
        .select_related("group")
        .prefetch_related("group__partnerships")
        .order_by("update_deadline", "pk")
    )
    reminders = []
    for meeting in meetings:
        stage = stage_for(meeting, today, days)
        if stage is None:
            continue
        sent = set(
            ReminderLog.objects.filter(meeting=meeting, days_before=stage).values_list(
                "user_id", flat=True
            )
        )
        cycle = cycle_for_meeting(meeting)
        for partnership in meeting.group.partnerships.all():
            actions = list(
                actions_to_return(partnership, cycle)
                .filter(returned=False)
                .annotate(recommendation_agency=F("parent__recommendation__agency"))
            )
            for user, theirs in recipients(actions, partnership).items():
                if user.pk not in sent:
                    reminders.append(Reminder(meeting, partnership, stage, user, theirs))
    return reminders


def site_url():
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def email_for(reminder, today):
    meeting = reminder.meeting
    count = len(reminder.actions)
    base = site_url()
    context = {
        "name": reminder.user.get_full_name() or reminder.user.get_username(),
        "meeting": meeting,
        "partnership": reminder.partnership,
        "days_left": (meeting.update_deadline - today).days,
        "previous": cycle_for_meeting(meeting).opened_by,
        "actions": [
            (action, base + reverse("plans:action_update", args=[action.pk]))
            for action in reminder.actions
        ],
        "my_actions_url": base + reverse("oversight:my_actions"),
    }
    subject = (
        f"{count} action{'s' if count != 1 else ''} to update by "
        f"{meeting.update_deadline:%-d %B %Y} for {meeting.group.name}"
    )
    subject = " ".join(subject.split())  # a line break in a group name would break the header
    body = render_to_string("oversight/meetings/reminder_email.txt", context)
    return EmailMessage(subject, body, to=[reminder.user.email])


def send_reminders(today=None, *, dry_run=False):
    """Send and record every due reminder; returns the reminders sent (or due, if dry_run)."""
    today = today or timezone.localdate()
    done = []
    for reminder in due_reminders(today):
        if dry_run:
            done.append(reminder)
            continue
        with transaction.atomic():
            log, created = ReminderLog.objects.get_or_create(
                meeting=reminder.meeting,
                user=reminder.user,
                days_before=reminder.stage,
                defaults={"email": reminder.user.email, "sent_on": today},
            )
            if not created:
                continue  # another run got there first
            log.actions.set(reminder.actions)
            # Inside the transaction: if sending fails, no log is kept and the next run retries.
            email_for(reminder, today).send()
        done.append(reminder)
    return done
