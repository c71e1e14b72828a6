"""Meetings and the BMG cycle: which meeting comes before which, and who has returned updates.

A partnership's cycle runs from one BMG update deadline to the next. A deadline day counts in
full, in the time zone of settings.TIME_ZONE: an update recorded at 23:30 on the deadline day is
in time.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from plans.models import Action, Group, RagUpdate, Rating, Role

from .models import Meeting


def cutoff(day):
    """The first instant after `day` in the partnership's time zone (settings.TIME_ZONE,
    Europe/London by default): "as at the end of the deadline day" means everything recorded
    strictly before this instant."""
    return datetime.combine(
        day + timedelta(days=1), time.min, tzinfo=timezone.get_default_timezone()
    )


def bmg_group(partnership):
    """The partnership's Business Management Group, or None where it has none."""
    return (
        Group.objects.filter(kind=Group.Kind.BMG, partnerships=partnership).order_by("pk").first()
    )


def bmg_meetings(partnership):
    return Meeting.objects.filter(
        group__kind=Group.Kind.BMG, group__partnerships=partnership
    ).select_related("group")


def previous_meeting(meeting):
    """The same group's meeting before this one: its deadline opened this meeting's cycle."""
    return (
        Meeting.objects.filter(group=meeting.group, date__lt=meeting.date).order_by("-date").first()
    )


def latest_bmg_meeting(partnership, today=None):
    """The most recent BMG meeting on or before `today`, else the first one to come."""
    today = today or timezone.localdate()
    meetings = bmg_meetings(partnership)
    return (
        meetings.filter(date__lte=today).order_by("-date").first()
        or meetings.order_by("date").first()
    )


@dataclass(frozen=True)
class Cycle:
    """The time between two BMG update deadlines (either end may be unknown)."""

    opened_by: Meeting | None  # the BMG meeting whose deadline opened the cycle
    closed_by: Meeting | None  # the BMG meeting whose deadline closes it

    @property
    def starts(self):
        return cutoff(self.opened_by.update_deadline) if self.opened_by else None

    @property
    def ends(self):
        return cutoff(self.closed_by.update_deadline) if self.closed_by else None

    @property
    def label(self):
        """E.g. "after the 2 June 2021 deadline, up to the 29 September 2021 deadline"."""
        start = (
            f"after the {self.opened_by.update_deadline:%-d %B %Y} deadline"
            if self.opened_by
            else "since records began"
        )
        end = (
            f"up to the {self.closed_by.update_deadline:%-d %B %Y} deadline"
            if self.closed_by
            else "with no next BMG meeting set"
        )
        return f"{start}, {end}"


def current_cycle(partnership, today=None):
    """The cycle `today` falls in: from the last passed BMG deadline to the next one."""
    today = today or timezone.localdate()
    meetings = list(bmg_meetings(partnership).order_by("update_deadline"))
    opened = [m for m in meetings if m.update_deadline < today]
    closing = [m for m in meetings if m.update_deadline >= today]
    return Cycle(opened[-1] if opened else None, closing[0] if closing else None)


def cycle_for_meeting(meeting):
    """The cycle `meeting`'s deadline closes."""
    return Cycle(previous_meeting(meeting), meeting)


def updated_in(cycle):
    """A condition for Action querysets: a RAG update was recorded within `cycle`."""
    updates = RagUpdate.objects.filter(action=OuterRef("pk"))
    if cycle.starts:
        updates = updates.filter(created_at__gte=cycle.starts)
    if cycle.ends:
        updates = updates.filter(created_at__lt=cycle.ends)
    return Exists(updates)


def actions_to_return(partnership, cycle):
    """The partnership's actions expected to report in `cycle`, with `returned` annotated.

    An action already Complete before the cycle began is not chased again: it counts only if it
    was updated in the cycle; nor is one added after a past cycle's deadline.
    """
    actions = Action.objects.filter(parent__partnership=partnership).live()
    if cycle.ends and cycle.ends <= timezone.now():
        # A past deadline asked nothing of an action added after it: the action must have
        # existed by then, as the pack reads it (its history before the deadline).
        existed = Action.history.filter(id=OuterRef("pk"), history_date__lt=cycle.ends)
        actions = actions.filter(Exists(existed))
    return (
        actions.for_list()
        .annotate(returned=updated_in(cycle))
        .filter(
            Q(returned=True) | Q(latest_rating__isnull=True) | ~Q(latest_rating=Rating.COMPLETE)
        )
    )


@dataclass
class ReturnRow:
    """One sub-group or agency: its actions, how many were updated, and whom to chase."""

    name: str
    contacts: list = field(default_factory=list)
    actions: list = field(default_factory=list)

    @property
    def owned(self):
        return len(self.actions)

    @property
    def returned(self):
        return sum(1 for action in self.actions if action.returned)

    @property
    def outstanding(self):
        return [action for action in self.actions if not action.returned]

    @property
    def rate(self):
        """Whole percent returned; None when the row owns no action."""
        return round(100 * self.returned / self.owned) if self.owned else None


@dataclass
class ReturnRates:
    cycle: Cycle
    total: ReturnRow
    groups: list
    agencies: list


def _person(user):
    return user.get_full_name() or user.get_username()


def return_rates(partnership, cycle):
    """Return rates by leading group and by agency, in a constant number of queries.

    An action led jointly by two groups counts for both; an agency's actions are those
    assigned to it and those under review recommendations addressed to it.
    """
    actions = list(
        actions_to_return(partnership, cycle).annotate(
            recommendation_agency=F("parent__recommendation__agency")
        )
    )
    by_pk = {action.pk: action for action in actions}
    group_links = Action.lead_groups.through.objects.filter(action__in=by_pk).values_list(
        "action_id", "group_id", "group__name"
    )
    agency_links = Action.lead_agencies.through.objects.filter(action__in=by_pk).values_list(
        "action_id", "agency_id", "agency__name"
    )
    groups, agencies, seen = {}, {}, set()
    for action_pk, group_pk, name in group_links:
        groups.setdefault(group_pk, ReturnRow(name)).actions.append(by_pk[action_pk])
    for action_pk, agency_pk, name in agency_links:
        seen.add((agency_pk, action_pk))
        agencies.setdefault(agency_pk, ReturnRow(name)).actions.append(by_pk[action_pk])
    for action in actions:
        agency_pk = action.recommendation_agency
        if agency_pk and (agency_pk, action.pk) not in seen:
            name = action.parent.child.agency.name
            agencies.setdefault(agency_pk, ReturnRow(name)).actions.append(action)
    # Each row's actions in document order (the link tables come back in no set order).
    order = {action.pk: index for index, action in enumerate(actions)}
    for row in [*groups.values(), *agencies.values()]:
        row.actions.sort(key=lambda action: order[action.pk])

    # Whom to chase: a group's chairs, an agency's leads in this partnership.
    roles = (
        Role.objects.filter(user__is_active=True)
        .filter(
            Q(kind=Role.Kind.CHAIR, group__in=list(groups))
            | Q(kind=Role.Kind.AGENCY_LEAD, partnership=partnership, agency__in=list(agencies))
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    for role in roles:
        row = groups[role.group_id] if role.kind == Role.Kind.CHAIR else agencies[role.agency_id]
        if _person(role.user) not in row.contacts:
            row.contacts.append(_person(role.user))

    def ordered(rows):
        return sorted(rows.values(), key=lambda row: row.name.lower())

    return ReturnRates(
        cycle=cycle,
        total=ReturnRow("All actions", actions=actions),
        groups=ordered(groups),
        agencies=ordered(agencies),
    )


# -- Setting up the calendar ----------------------------------------------------------------

WEEKS = {1: "First", 2: "Second", 3: "Third", 4: "Fourth", -1: "Last"}


def nth_weekday(year, month, week, weekday):
    """The `week`-th `weekday` (0 = Monday) of the month; week -1 is the last one."""
    if week == -1:
        last = calendar.monthrange(year, month)[1]
        day = date(year, month, last)
        return day - timedelta(days=(day.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (week - 1))


def dates_from_pattern(months, week, weekday, after, count):
    """The next `count` meeting dates after `after` that fall on the pattern, e.g. the third
    Wednesday (week 3, weekday 2) of June, October and February."""
    found, year, month = [], after.year, after.month
    for _ in range(count * 12 + 12):
        if month in months:
            day = nth_weekday(year, month, week, weekday)
            if day > after:
                found.append(day)
                if len(found) == count:
                    break
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def add_meetings(group, dates, *, notice_days, title_prefix, by):
    """Create the group's meetings on `dates` (deadline `notice_days` before each), leaving
    any already in the calendar alone. Returns (created, already there)."""
    created, existing = [], []
    for day in dates:
        meeting = Meeting.objects.filter(group=group, date=day).first()
        if meeting is not None:
            existing.append(meeting)
            continue
        meeting = Meeting(
            group=group,
            date=day,
            update_deadline=day - timedelta(days=notice_days),
            title=f"{title_prefix} {day:%B %Y}".strip(),
        )
        meeting._history_user = by
        meeting.save()
        created.append(meeting)
    return created, existing
