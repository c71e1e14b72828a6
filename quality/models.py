"""The quality-assurance programme and Section 11 (issue 17, parts 3 and 4).

The partnership's QA group plans multi-agency audits by quarter; each audit records findings
and recommendations, and a recommendation's actions are ordinary tracked actions (an
`AuditRecommendation` is an ActionParent, like a review recommendation), closed or signed off
as review recommendations are. Dip tests are audits scheduled from an earlier audit's
findings (`follow_up_of`). The impact log keeps what changed because of the work.

Section 11: each agency's self-assessment in a cycle (`SelfAssessment`, an ActionParent whose
actions are the agency's own), with its lines of enquiry rated compliant, partial or not
compliant, summed up across agencies for the partnership.

Everything is kept by the partnership's board officers and the chair of its QA group, and
read by its other roles. No personal data: reviews are linked by code ("Child J").
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from plans.models import (
    ActionParent,
    Agency,
    Group,
    Partnership,
    Role,
    TimeStampedModel,
    history,
    set_with_reason,
)
from reviews.models import CaseReview


class QaGroup(TimeStampedModel):
    """Which group is the partnership's QA group: its chairs manage the programme and
    Section 11 beside the board officers."""

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="qa_group"
    )
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="+")

    history = history()

    def __str__(self):
        return f"{self.partnership}: {self.group}"


def can_manage(user, partnership):
    """Board officers and administrators of the partnership, and the chairs of its QA group."""
    scope = Role.objects.scope_for(user)
    if scope.is_officer_of(partnership.pk):
        return True
    if not user.is_authenticated:
        return False
    qa = QaGroup.objects.filter(partnership=partnership).values("group_id")
    return Role.objects.filter(
        user=user, partnership=partnership, kind=Role.Kind.CHAIR, group__in=qa
    ).exists()


class ReadableQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Rows of the partnerships `user` reads as a whole (plans/access.py)."""
        return self.filter(partnership__in=Role.objects.scope_for(user).readable_partnerships)


class AuditMethod(models.TextChoices):
    CASE_FILE = "case_file", "Multi-agency case file audit"
    DIP_TEST = "dip_test", "Dip test"
    SURVEY = "survey", "Survey"
    OBSERVATION = "observation", "Observation"
    ASSURANCE = "assurance", "Assurance request to agencies"
    EXERCISE = "exercise", "Exercise (for example a mock inspection)"


class AuditStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    REPORTED = "reported", "Reported"
    CANCELLED = "cancelled", "Cancelled or postponed"


class Quarter(models.IntegerChoices):
    Q1 = 1, "Q1 (April to June)"
    Q2 = 2, "Q2 (July to September)"
    Q3 = 3, "Q3 (October to December)"
    Q4 = 4, "Q4 (January to March)"


class Audit(TimeStampedModel):
    Method = AuditMethod
    Status = AuditStatus

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="audits")
    subject = models.CharField(max_length=200)
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.CASE_FILE)
    year = models.CharField(
        "programme year", max_length=20, help_text="The programme it belongs to, e.g. 2017/18."
    )
    quarter = models.PositiveSmallIntegerField(choices=Quarter.choices, null=True, blank=True)
    planned_on = models.DateField("planned date", null=True, blank=True)
    timing_text = models.CharField(
        "when, as written", max_length=100, blank=True, help_text='e.g. "Q3 November 2017".'
    )
    lead_text = models.CharField("lead, as written", max_length=200, blank=True)
    lead_group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_audits"
    )
    lead_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_audits"
    )
    agencies = models.ManyToManyField(Agency, blank=True, related_name="audits")
    review = models.ForeignKey(
        CaseReview, null=True, blank=True, on_delete=models.SET_NULL, related_name="audits"
    )
    theme = models.CharField("review or theme it links to, as written", max_length=200, blank=True)
    scope_note = models.TextField("comment", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    status_note = models.TextField("why cancelled or postponed", blank=True)
    reported_on = models.DateField("date reported", null=True, blank=True)
    summary = models.TextField("what the audit found, in brief", blank=True)
    follow_up_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
        help_text="The earlier audit whose findings this one tests again (a dip test).",
    )
    signed_off_at = models.DateTimeField(null=True, blank=True, editable=False)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    sign_off_note = models.TextField(blank=True, editable=False)

    objects = ReadableQuerySet.as_manager()
    history = history(m2m_fields=[agencies])

    class Meta:
        ordering = ["partnership", "planned_on", "quarter", "subject"]
        constraints = [
            models.CheckConstraint(
                condition=Q(method__in=AuditMethod.values), name="audit_method_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AuditStatus.values), name="audit_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="reported") | Q(reported_on__isnull=False),
                name="audit_reported_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(follow_up_of=models.F("pk")), name="audit_not_own_follow_up"
            ),
        ]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("quality:audit_detail", args=[self.pk])

    @property
    def link_label(self):
        """What the audit links to: the review's code, else the theme as written."""
        if self.review_id:
            return f"{self.review.code}{f' ({self.theme})' if self.theme else ''}"
        return self.theme

    @property
    def lead_label(self):
        return self.lead_text or str(self.lead_group or self.lead_agency or "")

    @property
    def is_signed_off(self):
        return self.signed_off_at is not None

    def live_recommendations(self):
        return self.recommendations.filter(withdrawn_on__isnull=True)

    @transaction.atomic
    def sign_off(self, *, by, note=""):
        """The QA group signs off the audit's recommendations once each is complete or
        closed (the view checks readiness with reviews.status, as for a review)."""
        if self.is_signed_off:
            raise ValidationError("This audit's recommendations are already signed off")
        self.signed_off_at = timezone.now()
        self.signed_off_by = by
        self.sign_off_note = note
        self._history_user = by
        self.save(update_fields=["signed_off_at", "signed_off_by", "sign_off_note", "updated_at"])

    @transaction.atomic
    def reopen(self, *, by, reason):
        """Take the sign-off back; history keeps the sign-off and the reason it was reopened."""
        if not self.is_signed_off:
            return False
        self.signed_off_at = None
        self.signed_off_by = None
        self.sign_off_note = f"Reopened: {reason}"
        self._history_user = by
        self.save(update_fields=["signed_off_at", "signed_off_by", "sign_off_note", "updated_at"])
        return True


class FindingGrade(models.TextChoices):
    STRENGTH = "strength", "Strength"
    DEVELOPMENT = "development", "Area for development"
    CONCERN = "concern", "Concern"


class Finding(TimeStampedModel):
    Grade = FindingGrade

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="findings")
    number = models.PositiveSmallIntegerField()
    text = models.TextField("finding")
    grade = models.CharField(max_length=20, choices=Grade.choices)

    history = history()

    class Meta:
        ordering = ["audit", "number"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "number"], name="finding_number_unique"),
            models.CheckConstraint(
                condition=Q(grade__in=FindingGrade.values), name="finding_grade_valid"
            ),
        ]

    def __str__(self):
        return f"{self.audit} F{self.number}"


class AuditRecommendation(ActionParent):
    """A recommendation of an audit; its actions are tracked like any other (RAG updates,
    evidence, sign-off of the audit's recommendations)."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="recommendations")
    number = models.PositiveSmallIntegerField()
    text = models.TextField("recommendation")
    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.SET_NULL, related_name="recommendations"
    )
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_recommendations",
        help_text="The agency it is addressed to, if one: its leads update its actions.",
    )
    closed_reason = models.TextField("how the intent was met differently", blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="closed_audit_recommendations",
    )
    withdrawn_reason = models.TextField("why it was withdrawn", blank=True)
    withdrawn_on = models.DateField(null=True, blank=True, editable=False)

    history = history()

    class Meta:
        ordering = ["audit", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "number"], name="audit_recommendation_number_unique"
            ),
            set_with_reason(
                "closed_on", "closed_reason", "audit_recommendation_closure_has_reason"
            ),
            set_with_reason(
                "withdrawn_on", "withdrawn_reason", "audit_recommendation_withdrawal_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.audit} R{self.number}: {self.text[:60]}"

    list_related = ("audit", "agency")
    agency_field = "agency"
    source_kind = "audit"

    def save(self, *args, **kwargs):
        self.kind = ActionParent.Kind.AUDIT_RECOMMENDATION
        self.partnership_id = self.audit.partnership_id
        self.position = self.number
        super().save(*args, **kwargs)

    def default_ref(self):
        return f"{self.audit.partnership.short_name}-audit-{self.audit_id}-r{self.number}"

    @property
    def container_label(self):
        return self.audit.subject

    @property
    def section_label(self):
        return f"{self.audit.subject}, recommendation {self.number}"

    @property
    def parent_text(self):
        return self.text

    @property
    def display_number(self):
        return f"A{self.audit_id}.R{self.number}"

    @property
    def manage_url(self):
        return f"{self.audit.get_absolute_url()}#recommendation-{self.number}"

    @property
    def summary_group(self):
        audit = self.audit
        return ("quality", ("audit", audit.pk), f"Audit: {audit.subject}", manage_link(audit))

    @property
    def is_closed(self):
        return bool(self.closed_reason)

    @property
    def is_withdrawn(self):
        return self.withdrawn_on is not None

    def _refuse_when_signed_off(self):
        if self.audit.is_signed_off:
            raise ValidationError(
                "Reopen the audit's signed-off recommendations before changing this one"
            )

    def close(self, reason, *, by):
        """Closed: the intent was met another way, so its actions need not be completed."""
        self._refuse_when_signed_off()
        self.closed_reason = reason
        self.closed_on = timezone.localdate()
        self.closed_by = by
        self._history_user = by
        self.save()

    def reopen(self, *, by):
        self._refuse_when_signed_off()
        if not self.is_closed:
            return False
        self.closed_reason, self.closed_on, self.closed_by = "", None, None
        self._history_user = by
        self.save()
        return True

    def withdraw(self, reason, *, by):
        """Out of every list and count (as if archived); still on the audit's page."""
        self._refuse_when_signed_off()
        self.withdrawn_reason = reason
        self.withdrawn_on = timezone.localdate()
        self.archived_at = timezone.now()
        self._history_user = by
        self.save()


def manage_link(audit):
    return reverse("quality:audit_detail", args=[audit.pk])


class ImpactEntry(TimeStampedModel):
    """The impact log: what changed because of the QA work, and the evidence for it."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="impact_entries"
    )
    recorded_on = models.DateField("date")
    change = models.TextField("what changed")
    evidence = models.TextField("evidence", blank=True)
    audit = models.ForeignKey(
        Audit, null=True, blank=True, on_delete=models.SET_NULL, related_name="impact_entries"
    )

    objects = ReadableQuerySet.as_manager()
    history = history()

    class Meta:
        ordering = ["partnership", "-recorded_on", "-pk"]
        verbose_name_plural = "impact entries"

    def __str__(self):
        return f"{self.recorded_on}: {self.change[:60]}"


class Section11Cycle(TimeStampedModel):
    """One round of Section 11 self-assessments (Children Act 2004, s.11)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="section11_cycles"
    )
    name = models.CharField(max_length=200)
    deadline = models.DateField("submission deadline", null=True, blank=True)
    notes = models.TextField(blank=True)

    objects = ReadableQuerySet.as_manager()
    history = history()

    class Meta:
        ordering = ["partnership", "-deadline", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "name"], name="section11_cycle_name_unique"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("quality:cycle_detail", args=[self.pk])


class Compliance(models.TextChoices):
    COMPLIANT = "compliant", "Compliant"
    PARTIAL = "partial", "Partially compliant"
    NOT_COMPLIANT = "not_compliant", "Not compliant"


class SelfAssessment(ActionParent):
    """An agency's Section 11 self-assessment in a cycle; its actions are the agency's own.

    The counts are the agency's reported totals ("compliant in 55 out of 57"); lines of
    enquiry hold the ones described individually. Without counts, the lines are counted."""

    cycle = models.ForeignKey(Section11Cycle, on_delete=models.CASCADE, related_name="assessments")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="self_assessments")
    tool = models.CharField(
        "tool, as named", max_length=200, blank=True, help_text='e.g. "Markers of Good Practice".'
    )
    submitted_on = models.DateField("date submitted", null=True, blank=True)
    lines_total = models.PositiveSmallIntegerField("key lines of enquiry", null=True, blank=True)
    compliant = models.PositiveSmallIntegerField(null=True, blank=True)
    partial = models.PositiveSmallIntegerField("partially compliant", null=True, blank=True)
    not_compliant = models.PositiveSmallIntegerField(null=True, blank=True)
    summary = models.TextField("the agency's summary", blank=True)

    history = history()

    class Meta:
        ordering = ["cycle", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "agency"], name="self_assessment_one_per_agency"
            ),
        ]

    def __str__(self):
        return f"{self.cycle}: {self.agency}"

    list_related = ("cycle", "agency")
    agency_field = "agency"
    source_kind = "section 11"

    def save(self, *args, **kwargs):
        self.kind = ActionParent.Kind.SELF_ASSESSMENT
        self.partnership_id = self.cycle.partnership_id
        super().save(*args, **kwargs)

    def default_ref(self):
        return f"{self.cycle.partnership.short_name}-s11-{self.cycle_id}-{self.agency_id}"

    def get_absolute_url(self):
        return reverse("quality:assessment_detail", args=[self.pk])

    @property
    def container_label(self):
        return self.cycle.name

    @property
    def section_label(self):
        return f"{self.agency.name}, Section 11 self-assessment"

    @property
    def parent_text(self):
        return self.summary or f"{self.agency.name}'s Section 11 self-assessment"

    @property
    def display_number(self):
        return f"S11-{self.agency_id}"

    @property
    def manage_url(self):
        return self.get_absolute_url()

    @property
    def summary_group(self):
        cycle = self.cycle
        return ("quality", ("cycle", cycle.pk), f"Section 11: {cycle.name}", cycle_link(cycle))

    def figures(self, lines=None):
        """{compliant, partial, not_compliant, total}: the reported counts where given, else
        the lines of enquiry recorded (`lines`: their ratings, to save a query)."""
        ratings = lines if lines is not None else [line.rating for line in self.lines.all()]
        return figures_of(vars(self), ratings)

    def clean(self):
        counts = [self.compliant, self.partial, self.not_compliant]
        if self.lines_total is None:
            if any(count is not None for count in counts):
                raise ValidationError(
                    {"lines_total": "Enter the number of key lines of enquiry, or no counts"}
                )
            return
        if sum(count or 0 for count in counts) > self.lines_total:
            raise ValidationError(
                {"compliant": "The counts add up to more than the number of key lines of enquiry"}
            )


def figures_of(row, ratings):
    """An assessment's figures from its fields (a model's or a history row's) and the ratings
    of its recorded lines: the reported counts where the agency gave a total, else the lines
    (then `reported` is False, and partnership totals leave them out: a part is not a whole)."""
    if row["lines_total"] is not None:
        return {
            "compliant": row["compliant"] or 0,
            "partial": row["partial"] or 0,
            "not_compliant": row["not_compliant"] or 0,
            "total": row["lines_total"],
            "reported": True,
        }
    counts = {value: sum(1 for r in ratings if r == value) for value in Compliance.values}
    return {**counts, "total": len(ratings), "reported": False}


def cycle_link(cycle):
    return reverse("quality:cycle_detail", args=[cycle.pk])


class LineOfEnquiry(TimeStampedModel):
    Rating = Compliance

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="lines")
    number = models.CharField(max_length=20, help_text='As the tool numbers it, e.g. "4.1".')
    text = models.TextField("line of enquiry")
    rating = models.CharField(max_length=20, choices=Compliance.choices)
    comment = models.TextField("the agency's comment or action", blank=True)

    history = history()

    class Meta:
        ordering = ["assessment", "number", "pk"]
        verbose_name_plural = "lines of enquiry"
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "number"], name="line_of_enquiry_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(rating__in=Compliance.values), name="line_of_enquiry_rating_valid"
            ),
        ]

    def __str__(self):
        return f"{self.number}: {self.text[:60]}"
