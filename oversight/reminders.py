"""Reminders to update actions for a BMG update deadline (`send_update_reminders`), and an
officer's "Remind now".

Run daily from cron. Each lead or chair with actions not yet updated this cycle gets one email
per reminder stage (by default 14 and 3 days before the deadline, settings.REMINDER_DAYS, and
1 and 7 days after it, settings.OVERDUE_REMINDER_DAYS, until the meeting) listing those
actions with links. A stage is due from its day until the next one (or the deadline, or the
meeting), so a day cron missed is caught up the next day; once the next stage is due, the
earlier one is skipped. "Remind now" (the meeting page's return rates) emails the same people
at once, but never anyone already reminded for that meeting that day.
Every email sent is recorded in ReminderLog, whose unique constraints mean a second run (the
same day, or a second host) sends nothing twice.

Clock reminders (`send_clock_reminders`, run by the same command): each board officer of a
partnership gets one email per intake case, clock and stage before a statutory deadline runs
out (by default 5 and 2 working days before, settings.CLOCK_REMINDER_DAYS), recorded in the
same ReminderLog (kind "clock") under its own unique constraint, so a second run sends
nothing twice either.

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
from reviews.clocks import clocks_for
from reviews.models import IntakeCase

from .cycle import actions_to_return, cycle_for_meeting
from .models import Meeting, ReminderLog


def reminder_days():
    """The configured stages, largest first (days before the deadline)."""
    return tuple(
        sorted({int(d) for d in getattr(settings, "REMINDER_DAYS", (14, 3))}, reverse=True)
    )


def overdue_days():
    return tuple(sorted({int(d) for d in getattr(settings, "OVERDUE_REMINDER_DAYS", ())}))


def overdue_stage_for(meeting, today, days=None):
    """The overdue stage due on `today`: the largest configured number of days after the
    deadline that has been reached, while the meeting is still to come; else None."""
    days = overdue_days() if days is None else days
    after = (today - meeting.update_deadline).days
    if after <= 0 or today > meeting.date:
        return None
    reached = [d for d in days if d <= after]
    return max(reached) if reached else None


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
    kind: str = ReminderLog.Kind.BEFORE


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


def stage_and_kind(meeting, today, days, after_days):
    stage = stage_for(meeting, today, days) if days else None
    if stage is not None:
        return stage, ReminderLog.Kind.BEFORE
    stage = overdue_stage_for(meeting, today, after_days)
    return (stage, ReminderLog.Kind.OVERDUE) if stage is not None else (None, None)


def not_returned(meeting, partnership):
    """The partnership's actions not updated in the cycle the meeting's deadline closes."""
    return list(
        actions_to_return(partnership, cycle_for_meeting(meeting))
        .filter(returned=False)
        .annotate(recommendation_agency=F("parent__recommendation__agency"))
    )


def due_reminders(today=None):
    """Every reminder that should go out on `today` and has not gone out yet."""
    today = today or timezone.localdate()
    days, after_days = reminder_days(), overdue_days()
    if not (days or after_days):
        return []
    meetings = (
        Meeting.objects.filter(
            group__kind=Group.Kind.BMG,
            date__gte=today,  # overdue reminders run until the meeting
            update_deadline__lte=today + timedelta(days=max(days, default=0)),
        )
        .select_related("group")
        .prefetch_related("group__partnerships")
        .order_by("update_deadline", "pk")
    )
    reminders = []
    for meeting in meetings:
        stage, kind = stage_and_kind(meeting, today, days, after_days)
        if stage is None:
            continue
        sent = set(
            ReminderLog.objects.filter(meeting=meeting, kind=kind, days_before=stage).values_list(
                "user_id", flat=True
            )
        )
        for partnership in meeting.group.partnerships.all():
            for user, theirs in recipients(not_returned(meeting, partnership), partnership).items():
                if user.pk not in sent:
                    reminders.append(Reminder(meeting, partnership, stage, user, theirs, kind))
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
    plural = "s" if count != 1 else ""
    subject = (
        f"{count} action{plural} to update by "
        f"{meeting.update_deadline:%-d %B %Y} for {meeting.group.name}"
        if context["days_left"] >= 0
        else f"Overdue: {count} action{plural} not updated for {meeting.group.name} "
        f"(deadline {meeting.update_deadline:%-d %B %Y})"
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
                kind=reminder.kind,
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


def remind_now(meeting, partnership, *, by, today=None):
    """Email everyone whose actions are not yet updated for `meeting`, now: one email each
    listing their actions, skipping anyone already reminded for this meeting today.
    Returns (reminders sent, people skipped)."""
    today = today or timezone.localdate()
    already = set(
        ReminderLog.objects.filter(meeting=meeting, sent_on=today).values_list("user_id", flat=True)
    )
    sent, skipped = [], []
    for user, theirs in recipients(not_returned(meeting, partnership), partnership).items():
        if user.pk in already:
            skipped.append(user)
            continue
        reminder = Reminder(meeting, partnership, 0, user, theirs, ReminderLog.Kind.MANUAL)
        with transaction.atomic():
            log, created = ReminderLog.objects.get_or_create(
                meeting=meeting,
                user=user,
                kind=ReminderLog.Kind.MANUAL,
                sent_on=today,
                defaults={"email": user.email, "days_before": 0, "sent_by": by},
            )
            if not created:  # another officer pressed the button at the same moment
                skipped.append(user)
                continue
            log.actions.set(theirs)
            email_for(reminder, today).send()
        sent.append(reminder)
    return sent, skipped


# -- Statutory clocks of intake cases -------------------------------------------------------


def clock_reminder_days():
    """The configured stages, in working days before a clock's deadline, largest first."""
    days = getattr(settings, "CLOCK_REMINDER_DAYS", (5, 2))
    return tuple(sorted({int(d) for d in days}, reverse=True))


def clock_stage(clock, today, days):
    """The stage due on `today` for a running clock (as stage_for, in working days), or None."""
    left = clock.days_left(today)
    if not clock.is_open or left < 0 or (left == 0 and today > clock.due):
        return None
    due = [d for d in days if left <= d]
    return min(due) if due else None


@dataclass
class ClockReminder:
    clock: object
    stage: int
    user: object


def officers_by_partnership(partnership_ids):
    officers = {}
    roles = Role.objects.filter(
        kind=Role.Kind.BOARD_OFFICER,
        partnership__in=partnership_ids,
        user__is_active=True,
    ).exclude(user__email="")
    for role in roles.select_related("user").order_by("user_id"):
        officers.setdefault(role.partnership_id, []).append(role.user)
    return officers


def due_clock_reminders(today=None):
    """Every clock reminder that should go out on `today` and has not gone out yet."""
    today = today or timezone.localdate()
    days = clock_reminder_days()
    if not days:
        return []
    running = [
        (clock, stage)
        for case in IntakeCase.objects.select_related("partnership").order_by("pk")
        for clock in clocks_for(case)
        if (stage := clock_stage(clock, today, days)) is not None
    ]
    officers = officers_by_partnership({clock.case.partnership_id for clock, _ in running})
    sent = set(
        ReminderLog.objects.filter(
            kind=ReminderLog.Kind.CLOCK, case__in=[clock.case for clock, _ in running]
        ).values_list("case_id", "clock", "user_id", "days_before")
    )
    return [
        ClockReminder(clock, stage, user)
        for clock, stage in sorted(running, key=lambda pair: (pair[0].due, pair[0].case.pk))
        for user in officers.get(clock.case.partnership_id, [])
        if (clock.case.pk, clock.key, user.pk, stage) not in sent
    ]


def clock_email_for(reminder, today):
    clock, case = reminder.clock, reminder.clock.case
    left = clock.days_left(today)
    context = {
        "name": reminder.user.get_full_name() or reminder.user.get_username(),
        "clock": clock,
        "case": case,
        "days_left": left,
        "url": site_url() + reverse("reviews:case_detail", args=[case.pk]),
    }
    plural = "s" if left != 1 else ""
    subject = " ".join(
        f"Case {case.code}: {clock.name[0].lower()}{clock.name[1:]} by "
        f"{clock.due:%-d %B %Y} ({left} working day{plural} left)".split()
    )
    body = render_to_string("oversight/clock_reminder_email.txt", context)
    return EmailMessage(subject, body, to=[reminder.user.email])


def send_clock_reminders(today=None, *, dry_run=False):
    """Send and record every due clock reminder; returns those sent (or due, if dry_run)."""
    today = today or timezone.localdate()
    done = []
    for reminder in due_clock_reminders(today):
        if not dry_run:
            with transaction.atomic():
                _log, created = ReminderLog.objects.get_or_create(
                    case=reminder.clock.case,
                    clock=reminder.clock.key,
                    user=reminder.user,
                    kind=ReminderLog.Kind.CLOCK,
                    days_before=reminder.stage,
                    defaults={"email": reminder.user.email, "sent_on": today},
                )
                if not created:
                    continue  # another run got there first
                clock_email_for(reminder, today).send()
        done.append(reminder)
    return done
