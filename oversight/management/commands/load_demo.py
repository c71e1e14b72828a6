"""Demo users, meetings and a few months of made-up updates, for trying the app locally.

Everything made up is dated relative to today, so the demo always looks like a partnership
mid-cycle: the last BMG met about two months ago, the current cycle's update deadline is two
weeks away, two past cycles of updates are in, and the agreed (revised) due dates put some
actions due before the next BMG and a few overdue. The seed plans keep their real dates and
wording: the demo revises due dates the way a BMG does, with a reason, and never touches the
timescale as written. Apart from the shift with today's date, the same demo every time.

Never runs with DEBUG off: the updates are invented and the password is public.
"""

import random
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from oversight.demo_reports import load_demo_reports
from oversight.models import Meeting
from plans.history import backdate_history, refresh_latest_updates
from plans.models import Action, Agency, Group, Partnership, RagUpdate, Rating, Role

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105  (published in README; DEBUG only)
DEMO_MARK = "[Demo] "

# (username, full name, partnership, role, group slug, agency name)
DEMO_USERS = [
    ("admin", "Ada Admin", "NCSCP", Role.Kind.ADMINISTRATOR, None, None),
    ("officer", "Olu Officer", "NCSCP", Role.Kind.BOARD_OFFICER, None, None),
    ("chair", "Chris Chair", "NCSCP", Role.Kind.CHAIR, "ncscp-childrens-qa", None),
    (
        "lead",
        "Lee Lead",
        "NSCP",
        Role.Kind.AGENCY_LEAD,
        None,
        "Nottinghamshire HealthCare NHS Trust",
    ),
    ("viewer", "Vic Viewer", "NCSCP", Role.Kind.VIEWER, None, None),
]

# BMG meets three times a year (about every 17 weeks); the update deadline is two weeks
# before each meeting. Offsets from today: two past meetings, the next and the one after.
BMG_OFFSETS = (-179, -60, 28, 147)
DEADLINE_NOTICE = timedelta(days=14)
# Revised due dates, days from today, chosen per action: mostly later this year, some before
# the next BMG, a few already missed.
DUE_SOON, OVERDUE = (5, 40), (-45, -5)


def demo_meeting_dates(today):
    return [today + timedelta(days=offset) for offset in BMG_OFFSETS]


COMMENTS = {
    Rating.RED: "Off track: report not received, escalated to BMG chair.",
    Rating.AMBER: "Some slippage: data collection delayed by staffing, new date agreed.",
    Rating.GREEN: "On track: report received by the subgroup and discussed.",
    Rating.COMPLETE: "Complete: evidence seen by the subgroup and signed off.",
    Rating.NOT_STARTED: "Not started yet: scheduled for the next cycle.",
}


class Command(BaseCommand):
    help = "Create demo users (password demo-pass-2026), BMG meetings and demo updates."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("load_demo only runs with DEBUG on: it creates public passwords.")
        with transaction.atomic():
            users = self.create_users()
            self.create_meetings()
            count = self.create_updates(users)
            extras = load_demo_reports(users)
        self.stdout.write(f"Demo users: {', '.join(users)}; password {DEMO_PASSWORD}")
        self.stdout.write(f"Demo updates created: {count}")
        self.stdout.write(f"Demo highlight reports and decisions created: {extras}")

    def create_users(self):
        User = get_user_model()
        users = {}
        for username, full_name, partnership, kind, group, agency in DEMO_USERS:
            first, last = full_name.split()
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.org",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.is_staff = user.is_superuser = kind == Role.Kind.ADMINISTRATOR
                user.save()
            Role.objects.get_or_create(
                user=user,
                partnership=Partnership.objects.get(short_name=partnership),
                kind=kind,
                group=Group.objects.get(slug=group) if group else None,
                agency=Agency.objects.get(name=agency) if agency else None,
            )
            users[username] = user
        return users

    def create_meetings(self):
        bmg = Group.objects.get(slug="ncscp-bmg")
        for meeting_date in demo_meeting_dates(timezone.localdate()):
            Meeting.objects.get_or_create(
                group=bmg,
                date=meeting_date,
                defaults={
                    "update_deadline": meeting_date - DEADLINE_NOTICE,
                    "title": f"BMG {meeting_date:%B %Y}",
                },
            )

    def create_updates(self, users):
        """Two past cycles of updates on most actions, leaving some not updated."""
        if RagUpdate.objects.filter(is_demo=True).exists():
            return 0
        today = timezone.localdate()
        first, last = (day - DEADLINE_NOTICE for day in demo_meeting_dates(today)[:2])
        # The seed was loaded just now; as far as the demo's past cycles go it was there
        # before the first of them.
        backdate_history(timezone.make_aware(datetime.combine(first - timedelta(days=60), time(9))))
        rng = random.Random(2026)  # the same demo every time
        author_for = {"NCSCP": users["officer"], "NSCP": users["lead"]}
        count = 0
        actions = Action.objects.select_related("parent__partnership").prefetch_related(
            "lead_groups"
        )
        for action in actions:
            author = author_for[action.parent.partnership.short_name]
            if any(g.slug == "ncscp-childrens-qa" for g in action.lead_groups.all()):
                author = users["chair"]
            rating = rng.choice([Rating.NOT_STARTED, Rating.AMBER, Rating.GREEN, Rating.GREEN])
            for as_of in (first - timedelta(days=5), last - timedelta(days=5)):
                if rng.random() < 0.15:
                    continue  # some leads never returned this cycle
                rating = self.next_rating(rng, rating)
                self.save_update(action, rating, as_of, author)
                count += 1
            self.revise_due_date(action, rng, today, last - timedelta(days=5), author)
        refresh_latest_updates()  # the lists show each action's current rating
        return count

    @staticmethod
    def save_update(action, rating, as_of, author):
        # Saved on the day it speaks for, so packs "as of" a past deadline see it.
        saved = timezone.make_aware(datetime.combine(as_of, time(10)))
        update = RagUpdate(
            action=action,
            rating=rating,
            comment=DEMO_MARK + COMMENTS[rating],
            as_of=as_of,
            author=author,
            is_demo=True,
            created_at=saved,
        )
        update._history_date = saved
        update._history_user = author
        update.save()

    @staticmethod
    def revise_due_date(action, rng, today, agreed, author):
        """The seed's dates are years old: give dated actions a new date agreed at the last
        BMG, mostly ahead, some before the next BMG, a few already missed."""
        if action.due_date is None:
            return
        draw = rng.random()
        low, high = OVERDUE if draw < 0.2 else DUE_SOON if draw < 0.5 else (60, 300)
        action.revised_due_date = today + timedelta(days=rng.randint(low, high))
        action.revision_reason = DEMO_MARK + "New date agreed at BMG."
        action._history_date = timezone.make_aware(datetime.combine(agreed, time(11)))
        action._history_user = author
        action.save(update_fields=["revised_due_date", "revision_reason", "updated_at"])

    @staticmethod
    def next_rating(rng, rating):
        if rating == Rating.COMPLETE:
            return rating
        return rng.choice(
            {
                Rating.NOT_STARTED: [Rating.NOT_STARTED, Rating.AMBER, Rating.GREEN],
                Rating.RED: [Rating.RED, Rating.AMBER],
                Rating.AMBER: [Rating.RED, Rating.AMBER, Rating.GREEN],
                Rating.GREEN: [Rating.AMBER, Rating.GREEN, Rating.COMPLETE],
            }[rating]
        )
