"""What spans every source of actions: the meeting calendar, reminders sent, packs produced and
uploads waiting to be confirmed.

These models moved here from `plans` and `reviews` when the cross-source code got an app of
its own. Their tables kept their old names (`db_table`), so the move copied no data and the
history of every meeting is where it always was.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from plans.models import Action, Group, NaturalKeyQuerySet, Partnership, TimeStampedModel, history
from reviews.clocks import CLOCK_NAMES
from reviews.models import IntakeCase


class MeetingQuerySet(NaturalKeyQuerySet):
    def get_by_natural_key(self, group_slug, date):
        return self.get(group__slug=group_slug, date=date)


class Meeting(TimeStampedModel):
    """A meeting of a group (BMG, Strategic Board, sub-group) with its update deadline."""

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="meetings")
    date = models.DateField()
    update_deadline = models.DateField()
    title = models.CharField(max_length=200, blank=True)

    objects = MeetingQuerySet.as_manager()
    history = history(table_name="plans_historicalmeeting")

    class Meta:
        db_table = "plans_meeting"
        ordering = ["group", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["group", "date"], name="meeting_unique"),
            models.CheckConstraint(
                condition=Q(update_deadline__lte=models.F("date")),
                name="meeting_deadline_not_after_meeting",
            ),
        ]

    def __str__(self):
        return self.title or f"{self.group} {self.date:%d %B %Y}"

    def natural_key(self):
        return (self.group.slug, self.date.isoformat())

    natural_key.dependencies = ["plans.group"]


class ReminderLog(models.Model):
    """One reminder email: sent by `send_update_reminders` before a deadline or after it
    (overdue), or by an officer's "Remind now" from the meeting's page; or, for an intake
    case, to an officer before one of its statutory clocks runs out (kind "clock": `case` and
    `clock` are set instead of `meeting`, and `days_before` counts working days).

    Never edited. The unique constraints are what make a second run (the same day, or a
    second cron host) send nothing twice, and "Remind now" reach a person at most once a day.
    """

    class Kind(models.TextChoices):
        BEFORE = "before", "Before the deadline"
        OVERDUE = "overdue", "Overdue"
        MANUAL = "manual", "Sent now by an officer"
        CLOCK = "clock", "Before a statutory deadline"

    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    case = models.ForeignKey(
        IntakeCase, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    clock = models.CharField(
        max_length=20,
        blank=True,
        choices=list(CLOCK_NAMES.items()),
        help_text="Which of the case's clocks (reviews/clocks.py).",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="update_reminders"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.BEFORE)
    days_before = models.PositiveSmallIntegerField(
        help_text="The reminder stage: days before the update deadline (e.g. 14 or 3), or for "
        "an overdue reminder days after it (e.g. 1 or 7); 0 for one sent now."
    )
    email = models.EmailField()
    actions = models.ManyToManyField(Action, related_name="+")
    sent_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The officer who pressed Remind now; empty for scheduled reminders.",
    )

    class Meta:
        db_table = "plans_reminderlog"
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user", "kind", "days_before"],
                condition=~Q(kind="manual"),
                name="reminder_once_per_stage",
            ),
            models.UniqueConstraint(
                fields=["meeting", "user", "sent_on"],
                condition=Q(kind="manual"),
                name="reminder_now_once_a_day",
            ),
            models.UniqueConstraint(
                fields=["case", "clock", "user", "days_before"],
                condition=Q(kind="clock"),
                name="reminder_clock_once_per_stage",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["before", "overdue", "manual", "clock"]),
                name="reminder_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind="clock", case__isnull=False, meeting__isnull=True)
                | (~Q(kind="clock") & Q(case__isnull=True, meeting__isnull=False)),
                name="reminder_for_a_meeting_or_a_case",
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.meeting or self.case} ({self.stage_label})"

    @property
    def stage_label(self):
        if self.kind == self.Kind.CLOCK:
            plural = "s" if self.days_before != 1 else ""
            return f"{self.days_before} working day{plural} before: {self.get_clock_display()}"
        if self.kind == self.Kind.MANUAL:
            return "sent now"
        if self.kind == self.Kind.OVERDUE:
            return (
                f"{self.days_before} day{'s' if self.days_before != 1 else ''} after the deadline"
            )
        return f"{self.days_before} day{'s' if self.days_before != 1 else ''} before the deadline"


class PackRecord(models.Model):
    """Who produced which meeting's pack, when, and as at which instant: the audit trail of an
    OFFICIAL-SENSITIVE paper (written by the download view and the bmg_pack command)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="pack_records")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when made from the command line.",
    )
    generated_at = models.DateTimeField(auto_now_add=True)
    as_at = models.DateTimeField(help_text="Data as they stood just before this instant.")
    pages = models.PositiveIntegerField()
    seconds = models.FloatField()

    class Meta:
        db_table = "plans_packrecord"
        ordering = ["-generated_at"]

    def __str__(self):
        return f"{self.meeting} pack, {self.generated_at:%Y-%m-%d %H:%M}"


class PendingImport(models.Model):
    """An uploaded plan, parsed and validated, waiting for the officer to confirm it.

    The parsed rows live here rather than in a process's memory or on its disk, so any app
    process can show the preview and apply it. Not history-tracked: it is a staging record,
    deleted once confirmed or cancelled, and the import itself is recorded on every row it
    changes.
    """

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="pending_imports"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_imports"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    kind = models.CharField(max_length=20)
    options = models.JSONField(default=dict)
    payload = models.JSONField()
    summary = models.JSONField(default=dict)

    class Meta:
        db_table = "reviews_pendingimport"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} ({self.created_at:%d %b %Y %H:%M})"


class ImportMapping(models.Model):
    """What a partnership's officer chose each column of a file to be taken as, remembered
    for the next file with the same header row (matched by its words)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="import_mappings"
    )
    signature = models.TextField(help_text="The header row's words, normalised.")
    mapping = models.JSONField(help_text="{column index: field}")
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    chosen_at = models.DateTimeField(auto_now=True)

    history = history()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "signature"], name="import_mapping_once_per_header"
            ),
        ]

    def __str__(self):
        return f"{self.partnership} column choices ({self.chosen_at:%d %b %Y})"

    @classmethod
    def remembered(cls, partnership, signature):
        found = cls.objects.filter(partnership=partnership, signature=signature).first()
        return found.mapping if found else None

    @classmethod
    def remember(cls, partnership, signature, mapping, *, by):
        found = cls.objects.filter(partnership=partnership, signature=signature).first()
        found = found or cls(partnership=partnership, signature=signature)
        found.mapping = mapping
        found.chosen_by = by
        found._history_user = by
        found.save()
        return found
