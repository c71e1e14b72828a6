"""What spans every source of actions: the meeting calendar, reminders sent, packs produced and
uploads waiting to be confirmed.

These models moved here from `plans` and `reviews` when the cross-source code got an app of
its own. Their tables kept their old names (`db_table`), so the move copied no data and the
history of every meeting is where it always was.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import Truncator

from plans.models import (
    Action,
    ActionParent,
    Group,
    NaturalKeyQuerySet,
    Partnership,
    TimeStampedModel,
    history,
)
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


class PackRender(models.Model):
    """One rendering of a meeting's pack PDF, for one version of the data it shows, made by a
    background worker (oversight/renders.py) and kept in the database, so that every app
    server serves the same file and a second request for the same pack waits for the same
    render instead of starting another.

    A cache rather than a record of the partnership's work: not historised (PackRecord keeps
    who downloaded what), and superseded renders are deleted when a newer one is made.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Being made"
        DONE = "done", "Ready"
        FAILED = "failed", "Could not be made"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="pack_renders")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(
        max_length=64,
        help_text="The version of the data the pack shows as at its deadline, and whether it "
        "is still a draft: the same key, the same pack.",
    )
    as_at = models.DateTimeField(help_text="Data as they stood just before this instant.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pdf = models.BinaryField(null=True, editable=False)
    pages = models.PositiveIntegerField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "partnership", "key"],
                condition=~Q(status="failed"),
                name="pack_render_once_per_version",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="pack_render_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.meeting} pack ({self.get_status_display()})"

    @property
    def is_pending(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_ready(self):
        return self.status == self.Status.DONE

    @property
    def is_failed(self):
        return self.status == self.Status.FAILED

    def start(self, now):
        self.status, self.started_at = self.Status.RUNNING, now
        self.save(update_fields=["status", "started_at"])

    def finish(self, pdf, *, now):
        self.status, self.finished_at = self.Status.DONE, now
        self.pdf, self.pages = pdf.content, pdf.pages
        self.seconds = round((now - (self.started_at or now)).total_seconds(), 2)
        self.save(update_fields=["status", "finished_at", "pdf", "pages", "seconds"])

    def fail(self, reason, *, now):
        self.status, self.finished_at, self.error = self.Status.FAILED, now, reason[:2000]
        self.save(update_fields=["status", "finished_at", "error"])

    def give_up_if_stuck(self, now, timeout):
        """A render still waiting or running `timeout` after it was asked for has lost its
        worker (none running, or one killed for memory): report it as failed."""
        if self.is_pending and now - self.requested_at > timeout:
            minutes = round(timeout.total_seconds() / 60)
            self.fail(
                f"It was not finished within {minutes} minutes: the pack worker may not be "
                "running, or stopped while making it.",
                now=now,
            )
        return self


class HighlightReport(TimeStampedModel):
    """A sub-group's short report to one BMG meeting ("Subgroup to BMG", the reporting route
    the business plan names): progress, risks, escalations and what it asks of BMG.

    Written by the group's chair (or a board officer) until the end of the meeting's update
    deadline day; after that only officers change it, and each such change is kept in history
    as a correction (its change reason says so). The pack reads it from history as it stood
    at the pack's moment (oversight/pack_reports.py).
    """

    CORRECTION = "Corrected by a board officer after the update deadline"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="highlight_reports")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="highlight_reports")
    progress = models.TextField("progress since the last meeting")
    risks = models.TextField("risks and issues", blank=True)
    escalations = models.TextField("escalations to BMG", blank=True)
    asks = models.TextField("asks of BMG", blank=True)

    history = history()

    class Meta:
        ordering = ["meeting", "group__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "group"], name="highlight_report_once"),
        ]

    def __str__(self):
        return f"{self.group} highlight report for {self.meeting}"

    def save_by(self, by, *, correction=False):
        """Save what `by` wrote; history names them, and marks an officer's correction made
        after the deadline as such."""
        self._history_user = by
        if correction:
            self._change_reason = self.CORRECTION
        self.save()
        return self


class DecisionQuerySet(NaturalKeyQuerySet):
    natural_key_fields = ("ref",)

    def for_log(self):
        return self.select_related("meeting__group", "partnership").prefetch_related(
            "actions__lead_groups", "actions__lead_agencies", "actions__latest_update"
        )


class Decision(ActionParent):
    """A decision BMG made at a meeting, recorded by an officer after it. One that needs doing
    gets tracked actions (a lead group or agency, a due date) through the same machinery as
    every plan's actions, so they appear in All actions, My actions, updates, reminders and
    the next meeting's pack ("Actions from the last meeting"); the others stay in the log."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    number = models.PositiveSmallIntegerField()
    text = models.TextField("decision")
    needs_action = models.BooleanField("needs doing", default=False)

    objects = DecisionQuerySet.as_manager()
    history = history()

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="decision_number_unique"),
        ]

    def __str__(self):
        return f"Decision {self.number}, {self.meeting}: {self.text[:60]}"

    list_related = ("meeting__group",)
    source_kind = "decision"

    def save(self, *args, **kwargs):
        self.kind = ActionParent.Kind.DECISION
        if not self.position:
            last = Decision.objects.filter(partnership_id=self.partnership_id).aggregate(
                last=models.Max("position")
            )["last"]
            self.position = (last or 0) + 1
        super().save(*args, **kwargs)

    def default_ref(self):
        return f"{self.partnership.short_name}-bmg-{self.meeting.date:%Y%m%d}-d{self.number}"

    @property
    def log_url(self):
        return reverse("oversight:decision_log", args=[self.meeting_id]) + f"#d{self.number}"

    @property
    def manage_url(self):
        return self.log_url

    @property
    def container_label(self):
        return f"BMG decisions, {self.meeting.date:%-d %B %Y}"

    @property
    def section_label(self):
        # Whole words, and an ellipsis when shortened: a cut at 80 characters ended mid-phrase.
        return f"Decision {self.number}: {Truncator(self.text).words(14)}"

    @property
    def parent_text(self):
        return self.text

    @property
    def display_number(self):
        return self.reference.rstrip(".") if self.reference else f"D{self.number}"

    @property
    def summary_group(self):
        """(kind, key, title, link) of the dashboard row its actions count in: the meeting."""
        title = f"BMG decisions, {self.meeting.date:%-d %B %Y}"
        return ("decision", ("meeting", self.meeting_id), title, self.log_url)


class ColumnChoice(models.Model):
    """The columns one person chose to see on All actions, remembered for their next visit.
    The keys are oversight/sorting.py's; ones that no longer exist are ignored on reading."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="column_choice"
    )
    columns = models.JSONField(help_text="Column keys, in table order.")
    chosen_at = models.DateTimeField(auto_now=True)

    history = history()

    def __str__(self):
        return f"Columns of {self.user} ({self.chosen_at:%d %b %Y})"

    @classmethod
    def remembered(cls, user):
        """The chosen column keys, or None when the person has not chosen."""
        found = cls.objects.filter(user=user).values_list("columns", flat=True).first()
        return list(found) if found is not None else None

    @classmethod
    def remember(cls, user, columns):
        found = cls.objects.filter(user=user).first() or cls(user=user)
        found.columns = list(columns)
        found._history_user = user
        found.save()
        return found
