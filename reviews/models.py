"""Case reviews (SCR, LCSPR, rapid, learning ...) and their recommendations.

Reviews are known by codes (AN09, MN15, "Child J"): no personal data about a child is stored.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from plans.models import (
    Action,
    ActionParent,
    Agency,
    Archivable,
    NaturalKeyQuerySet,
    Partnership,
    Rating,
    Role,
    Theme,
    TimeStampedModel,
    history,
    set_with_reason,
)


class CaseReviewQuerySet(NaturalKeyQuerySet):
    def get_by_natural_key(self, partnership_short_name, code):
        return self.get(partnership__short_name=partnership_short_name, code=code)

    def visible_to(self, user):
        """Reviews of the partnerships `user` may read (see plans/access.py)."""
        return self.filter(
            partnership__in=Role.objects.scope_for(user).readable_partnerships,
            archived_at__isnull=True,
        )


class CaseReviewKind(models.TextChoices):
    SCR = "scr", "Serious case review"
    LCSPR = "lcspr", "Local child safeguarding practice review"
    RAPID = "rapid", "Rapid review"
    LEARNING = "learning", "Learning review"
    MULTI_AGENCY = "multi_agency", "Multi-agency review"
    SINGLE_AGENCY = "single_agency", "Single-agency review"


class CaseReviewStatus(models.TextChoices):
    COMMISSIONED = "commissioned", "Commissioned"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    PUBLISHED = "published", "Published"
    SIGNED_OFF = "signed_off", "Action plan signed off"


class CaseReview(Archivable, TimeStampedModel):
    Kind = CaseReviewKind
    Status = CaseReviewStatus

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="reviews")
    code = models.CharField(max_length=40, help_text="How the review is known, e.g. AN09.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.COMMISSIONED)
    commissioned_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    published_on = models.DateField(null=True, blank=True)
    publication_url = models.URLField(blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="reviews")
    archived_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Archived reviews are hidden, not deleted."
    )

    objects = CaseReviewQuerySet.as_manager()
    history = history(m2m_fields=[themes])

    class Meta:
        ordering = ["partnership", "code"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "code"], name="review_code_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=CaseReviewKind.values), name="review_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CaseReviewStatus.values), name="review_status_valid"
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def heading(self):
        """ "CODE: title", or the code alone when there is no title or it only repeats the code
        (a review known by its published name, "Child J", often has both the same)."""
        if not self.title or self.title.strip().casefold() == self.code.strip().casefold():
            return self.code
        return f"{self.code}: {self.title}"

    @property
    def shows_title(self):
        return self.heading != self.code

    @property
    def unpublished_label(self):
        """What the Published column says with no date: a published review's date is simply
        missing, and saying "Not published" would contradict its status."""
        if self.status == CaseReviewStatus.PUBLISHED:
            return "Date not recorded"
        return "Not published"

    def archived_children(self):
        # A withdrawn recommendation stays out when the review is restored.
        return list(self.recommendations.filter(withdrawn_on__isnull=True))

    def natural_key(self):
        return (self.partnership.short_name, self.code)

    @property
    def is_signed_off(self):
        """A panel sign-off is in force (not reopened): the action plan is settled."""
        return self.sign_offs.filter(reopened_at__isnull=True).exists()

    @transaction.atomic
    def sign_off(self, *, by, capacity, note=""):
        """The panel signs the completed action plan off (the view has checked readiness)."""
        if self.is_signed_off:
            raise ValidationError("This action plan is already signed off")
        sign_off = SignOff.objects.create(
            review=self, signed_off_by=by, capacity=capacity, note=note, previous_status=self.status
        )
        self.status = CaseReview.Status.SIGNED_OFF
        self._history_user = by
        self.save(update_fields=["status", "updated_at"])
        return sign_off

    @transaction.atomic
    def reopen(self, *, by, reason):
        """Reopen a signed-off action plan: the sign-off stays on record, marked reopened, and
        the status it had before comes back. Returns False when nothing was signed off."""
        sign_off = self.sign_offs.filter(reopened_at__isnull=True).first()
        if sign_off is None:
            return False
        sign_off.reopened_by = by
        sign_off.reopened_at = timezone.now()
        sign_off.reopen_reason = reason
        sign_off._history_user = by
        sign_off.save(update_fields=["reopened_by", "reopened_at", "reopen_reason", "updated_at"])
        self.status = sign_off.previous_status
        self._history_user = by
        self.save(update_fields=["status", "updated_at"])
        return True

    natural_key.dependencies = ["plans.partnership"]


class RecommendationSource(models.TextChoices):
    IMR = "imr", "Individual management review"
    OVERVIEW = "overview", "Overview report"
    ADDED = "added", "Added later"


class RecommendationQuerySet(NaturalKeyQuerySet):
    natural_key_fields = ("ref",)

    def visible_to(self, user):
        return self.filter(
            partnership__in=Role.objects.scope_for(user).readable_partnerships,
            archived_at__isnull=True,
        )

    def for_page(self):
        """What a recommendation list shows without a query per row."""
        return self.select_related("review__partnership", "agency", "closed_by")


class Recommendation(ActionParent):
    Source = RecommendationSource

    review = models.ForeignKey(CaseReview, on_delete=models.CASCADE, related_name="recommendations")
    number = models.PositiveSmallIntegerField()
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recommendations",
        help_text="Empty for the overview report's own recommendations.",
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.IMR)
    provenance = models.TextField(blank=True)
    outcome = models.TextField("desired outcome", blank=True)
    text = models.TextField("recommendation")
    # "Closed: intent met differently": the panel accepts that the recommendation's aim was
    # achieved another way, so its actions no longer need to be completed for sign-off.
    closed_reason = models.TextField("how the intent was met differently", blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="closed_recommendations",
    )
    # Withdrawn: the partnership decided the recommendation no longer applies (superseded,
    # entered in error). It leaves every list like an archived one, and stays on the review's
    # page with the reason.
    withdrawn_reason = models.TextField("why it was withdrawn", blank=True)
    withdrawn_on = models.DateField(null=True, blank=True, editable=False)

    objects = RecommendationQuerySet.as_manager()
    history = history()

    class Meta:
        ordering = ["review", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "number"], name="recommendation_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(source__in=RecommendationSource.values),
                name="recommendation_source_valid",
            ),
            models.CheckConstraint(
                condition=~Q(source="imr") | Q(agency__isnull=False),
                name="recommendation_imr_names_agency",
            ),
            models.CheckConstraint(
                condition=~Q(source="added") | ~Q(provenance=""),
                name="recommendation_added_has_provenance",
            ),
            set_with_reason(
                "withdrawn_on", "withdrawn_reason", "recommendation_withdrawal_has_reason"
            ),
            set_with_reason("closed_on", "closed_reason", "recommendation_closure_has_reason"),
        ]

    def __str__(self):
        return f"{self.review.code} R{self.number}: {self.text[:60]}"

    list_related = ("review", "agency")
    agency_field = "agency"
    source_kind = "review"

    @property
    def container_label(self):
        return self.review.code

    @property
    def section_label(self):
        return self.agency.name if self.agency_id else "Overview report"

    @property
    def parent_text(self):
        return self.text

    @property
    def display_number(self):
        return self.reference.rstrip(".") if self.reference else f"R{self.number}"

    @property
    def is_closed(self):
        return bool(self.closed_reason)

    @property
    def is_withdrawn(self):
        return self.withdrawn_on is not None

    def save(self, *args, **kwargs):
        self.kind = ActionParent.Kind.RECOMMENDATION
        self.partnership_id = self.review.partnership_id
        super().save(*args, **kwargs)

    def default_ref(self):
        return f"{self.review.partnership.short_name}-{self.review.code}-r{self.number:02d}"

    @property
    def manage_url(self):
        return reverse("reviews:recommendation_detail", args=[self.pk])

    def withdraw(self, reason, *, by):
        """Withdraw with a reason: out of every list, pack and reminder (as if archived), still
        shown on the review's page. Refused while the review's action plan is signed off."""
        if self.review.is_signed_off:
            raise ValidationError("Reopen the signed-off action plan before withdrawing")
        self.withdrawn_reason = reason
        self.withdrawn_on = timezone.localdate()
        self.archived_at = timezone.now()
        self._history_user = by
        self.save()

    def close(self, reason, *, by):
        """Close: the intent was met differently. Refused while the review's action plan is
        signed off, as the sign-off rests on the closure as it stood."""
        if self.review.is_signed_off:
            raise ValidationError(
                "Reopen the signed-off action plan before changing how this recommendation "
                "was closed"
            )
        self.closed_reason = reason
        self.closed_on = timezone.localdate()
        self.closed_by = by
        self._history_user = by
        self.save()

    def reopen(self, *, by):
        """Take a closure back; refused (ValidationError) while the plan is signed off.
        Returns False when the recommendation was not closed."""
        if self.review.status == CaseReview.Status.SIGNED_OFF:
            raise ValidationError("Reopen the signed-off action plan first")
        if not self.is_closed:
            return False
        self.closed_reason = ""
        self.closed_on = None
        self.closed_by = None
        self._history_user = by
        self.save()
        return True

    @property
    def summary_group(self):
        review = self.review
        link = reverse_lazy("reviews:review_detail", args=[review.pk])
        return ("review", review.pk, f"{review.get_kind_display()} {review.code}", link)


class Evidence(TimeStampedModel):
    """What was seen to show an action done, against its "audit of implementation"."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="evidence")
    summary = models.TextField("evidence")
    link = models.URLField(
        "link to the evidence",
        max_length=500,
        blank=True,
        help_text="Where the document, minutes or audit report is kept, if it has an address.",
    )
    seen_on = models.DateField("date seen")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recorded_evidence"
    )

    history = history()

    class Meta:
        ordering = ["action", "-seen_on", "-created_at"]
        verbose_name_plural = "evidence"

    def __str__(self):
        return f"{self.action.ref}: {self.summary[:60]}"


class SignOffCapacity(models.TextChoices):
    PANEL_CHAIR = "panel_chair", "Review panel chair"
    BOARD_OFFICER = "board_officer", "Board officer"
    ADMINISTRATOR = "administrator", "Administrator"


class SignOff(TimeStampedModel):
    """The review panel's sign-off of a completed action plan, and its reopening if any.

    A review has at most one sign-off in force (not reopened); older ones stay as the record.
    """

    Capacity = SignOffCapacity

    review = models.ForeignKey(CaseReview, on_delete=models.CASCADE, related_name="sign_offs")
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_sign_offs"
    )
    signed_off_at = models.DateTimeField(default=timezone.now)
    capacity = models.CharField(max_length=20, choices=Capacity.choices)
    note = models.TextField(blank=True)
    previous_status = models.CharField(
        max_length=20,
        choices=CaseReviewStatus.choices,
        help_text="The review's status before sign-off, restored if it is reopened.",
    )
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_reopenings",
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True)

    history = history()

    class Meta:
        ordering = ["review", "-signed_off_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["review"],
                condition=Q(reopened_at__isnull=True),
                name="sign_off_one_in_force",
            ),
            models.CheckConstraint(
                condition=Q(reopened_at__isnull=True, reopened_by__isnull=True, reopen_reason="")
                | (Q(reopened_at__isnull=False, reopened_by__isnull=False) & ~Q(reopen_reason="")),
                name="sign_off_reopening_complete",
            ),
            models.CheckConstraint(
                condition=Q(capacity__in=SignOffCapacity.values), name="sign_off_capacity_valid"
            ),
        ]

    def __str__(self):
        return f"{self.review} signed off {self.signed_off_at:%d %B %Y}"

    @property
    def in_force(self):
        return self.reopened_at is None


class AssuranceExercise(TimeStampedModel):
    """An ILOR exercise: agencies rate how far learning from reviews has changed practice."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="assurance_exercises"
    )
    title = models.CharField(max_length=200)
    held_on = models.DateField(null=True, blank=True)
    reviews = models.ManyToManyField(CaseReview, blank=True, related_name="assurance_exercises")
    agencies = models.ManyToManyField(Agency, related_name="assurance_exercises")
    notes = models.TextField(blank=True)

    history = history(m2m_fields=[reviews, agencies])

    class Meta:
        ordering = ["partnership", "-held_on", "title"]

    def __str__(self):
        return self.title


class LearningArea(TimeStampedModel):
    """One area an exercise asks about, usually a learning theme of its reviews."""

    exercise = models.ForeignKey(AssuranceExercise, on_delete=models.CASCADE, related_name="areas")
    name = models.CharField(max_length=200)
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="learning_areas"
    )
    position = models.PositiveSmallIntegerField(default=0)

    history = history()

    class Meta:
        ordering = ["exercise", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["exercise", "name"], name="learning_area_unique"),
        ]

    def __str__(self):
        return self.name


class Grade(models.TextChoices):
    """ILOR, "Impact of Learning on Outcome Rating"; best first."""

    GOLD = "gold", "Gold"
    SILVER = "silver", "Silver"
    BRONZE = "bronze", "Bronze"
    NOT_ASSESSED = "not_assessed", "Not assessed"


class AssuranceRating(TimeStampedModel):
    Grade = Grade

    area = models.ForeignKey(LearningArea, on_delete=models.CASCADE, related_name="ratings")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="assurance_ratings")
    grade = models.CharField(max_length=20, choices=Grade.choices)
    narrative = models.TextField(blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assurance_ratings",
    )

    history = history()

    class Meta:
        ordering = ["area", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "agency"], name="assurance_rating_unique"),
            models.CheckConstraint(
                condition=Q(grade__in=Grade.values), name="assurance_grade_valid"
            ),
        ]

    def __str__(self):
        return f"{self.area} - {self.agency}: {self.get_grade_display()}"


class IntakeCaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Cases of the partnerships `user` may read (see plans/access.py)."""
        return self.filter(partnership__in=Role.objects.scope_for(user).readable_partnerships)

    def for_page(self):
        return self.select_related("partnership", "review")


class IntakeDecision(models.TextChoices):
    RAPID_REVIEW = "rapid_review", "Rapid review"
    NO_FURTHER_REVIEW = "no_further_review", "No further review"
    SINGLE_AGENCY = "single_agency", "Single-agency review"


class LcsprDecision(models.TextChoices):
    YES = "yes", "LCSPR to be held"
    NO = "no", "No LCSPR"


# Each date of a case as the form, the case page and the error messages name it.
CASE_DATE_LABELS = {
    "incident_on": "Date of the incident",
    "learned_on": "Date the partnership learned of it",
    "notified_on": "Date the Panel was notified",
    "rapid_review_meeting_on": "Date of the rapid review meeting",
    "rapid_review_submitted_on": "Date the rapid review was sent to the Panel",
    "panel_response_on": "Date of the Panel's response",
    "lcspr_decided_on": "Date of the LCSPR decision",
    "reviewer_commissioned_on": "Date the reviewer was commissioned",
    "draft_on": "Date of the draft report",
    "final_on": "Date of the final report",
    "notice_sent_on": "Date the Panel and Department were told of publication",
    "published_on": "Date published",
}

# (earlier field, later field): the later date may not come before the earlier one.
DATE_ORDER = [
    ("incident_on", "learned_on"),
    ("learned_on", "notified_on"),
    ("notified_on", "rapid_review_meeting_on"),
    ("rapid_review_meeting_on", "rapid_review_submitted_on"),
    ("rapid_review_submitted_on", "panel_response_on"),
    ("notified_on", "lcspr_decided_on"),
    ("lcspr_decided_on", "reviewer_commissioned_on"),
    ("reviewer_commissioned_on", "draft_on"),
    ("draft_on", "final_on"),
    ("final_on", "published_on"),
    ("notice_sent_on", "published_on"),
]


class IntakeCase(TimeStampedModel):
    """A serious incident from the partnership learning of it to publication of any review.

    Known by a code only: never a child's name or other personal data.
    """

    Decision = IntakeDecision
    LcsprDecision = LcsprDecision

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="cases")
    code = models.CharField(max_length=40, help_text="How the case is known, never a name.")
    incident_on = models.DateField("date of the incident")
    learned_on = models.DateField("date the partnership learned of it")
    notified_on = models.DateField("date the Panel was notified", null=True, blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decision_reason = models.TextField("why no further review", blank=True)
    rapid_review_meeting_on = models.DateField("rapid review meeting", null=True, blank=True)
    rapid_review_submitted_on = models.DateField(
        "rapid review sent to the Panel", null=True, blank=True
    )
    panel_response_on = models.DateField("date of the Panel's response", null=True, blank=True)
    panel_response = models.TextField("the Panel's response", blank=True)
    lcspr_decision = models.CharField(
        "LCSPR decision", max_length=10, choices=LcsprDecision.choices, blank=True
    )
    lcspr_decided_on = models.DateField("date of the LCSPR decision", null=True, blank=True)
    reviewer_commissioned_on = models.DateField("reviewer commissioned", null=True, blank=True)
    draft_on = models.DateField("draft report", null=True, blank=True)
    final_on = models.DateField("final report", null=True, blank=True)
    notice_sent_on = models.DateField(
        "Panel and Department told before publication", null=True, blank=True
    )
    published_on = models.DateField("date published", null=True, blank=True)
    review = models.OneToOneField(
        CaseReview,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="intake_case",
        help_text="The case review this case became, with its recommendations and action plan.",
    )

    objects = IntakeCaseQuerySet.as_manager()
    history = history()

    class Meta:
        ordering = ["partnership", "-learned_on", "code"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "code"], name="intake_case_code_unique"),
            models.CheckConstraint(
                condition=Q(decision__in=["", *IntakeDecision.values]),
                name="intake_case_decision_valid",
            ),
            models.CheckConstraint(
                condition=Q(lcspr_decision__in=["", *LcsprDecision.values]),
                name="intake_case_lcspr_decision_valid",
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def needs_rapid_review(self):
        """Every notified case has a rapid review unless it was decided otherwise."""
        return self.decision in ("", IntakeDecision.RAPID_REVIEW)

    def clean(self):
        errors = {}
        for earlier, later in DATE_ORDER:
            first, second = getattr(self, earlier), getattr(self, later)
            if first and second and second < first and later not in errors:
                before = CASE_DATE_LABELS[earlier]
                errors[later] = (
                    f"{CASE_DATE_LABELS[later]} must be the same as or after the "
                    f"{before[0].lower()}{before[1:]}"
                )
        if self.decision == IntakeDecision.NO_FURTHER_REVIEW and not self.decision_reason.strip():
            errors["decision_reason"] = "Enter why there is no further review"
        if self.published_on and not self.notice_sent_on:
            errors["notice_sent_on"] = (
                "Enter when the Panel and Department were told before publication"
            )
        if errors:
            raise ValidationError(errors)

    @transaction.atomic
    def become_review(self, *, by):
        """Start the case review this case became: an LCSPR with the case's code, whose
        recommendations and action plan are then added or imported as for any review."""
        if self.review_id:
            raise ValidationError("This case is already linked to a review")
        if CaseReview.objects.filter(partnership=self.partnership, code=self.code).exists():
            raise ValidationError(f"There is already a review {self.code}: link it instead")
        review = CaseReview(
            partnership=self.partnership,
            code=self.code,
            kind=CaseReview.Kind.LCSPR,
            commissioned_on=self.reviewer_commissioned_on or self.lcspr_decided_on,
        )
        review._history_user = by
        review.save()
        self.review = review
        self._history_user = by
        self.save(update_fields=["review", "updated_at"])
        return review


class ReCheckQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(
            action__parent__partnership__in=Role.objects.scope_for(user).readable_partnerships,
            action__parent__archived_at__isnull=True,
        )

    def due(self, on):
        """Re-checks not yet done whose date has come by `on`."""
        return self.filter(done_on__isnull=True, due_on__lte=on)

    def for_list(self):
        return self.select_related("action__parent__recommendation__review__partnership").order_by(
            "due_on", "pk"
        )


class ReCheckKind(models.TextChoices):
    DIP_TEST = "dip_test", "Dip test"
    ILOR = "ilor", "Fresh ILOR rating"


class ReCheck(TimeStampedModel):
    """A look again at a completed review action 6 or 12 months on: a dip test of practice or
    a fresh ILOR rating, for assurance that the change has lasted."""

    Kind = ReCheckKind
    MONTHS = (6, 12)

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="rechecks")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_on = models.DateField("due")
    done_on = models.DateField("done", null=True, blank=True)
    grade = models.CharField(max_length=20, choices=Grade.choices, blank=True)
    finding = models.TextField("what the re-check found", blank=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scheduled_rechecks"
    )

    objects = ReCheckQuerySet.as_manager()
    history = history()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ReCheckKind.values), name="recheck_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(done_on__isnull=True) | ~Q(finding=""),
                name="recheck_done_has_finding",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.action.ref} due {self.due_on:%d %B %Y}"

    @classmethod
    def schedule(cls, action, *, kind, months, by, today=None):
        """Book a re-check `months` (6 or 12) from `today`; only for a completed action."""
        from .clocks import add_months  # noqa: PLC0415  (clocks is a leaf; no cycle)

        if months not in cls.MONTHS:
            raise ValidationError("Select 6 or 12 months")
        if action.current_rating != Rating.COMPLETE:
            raise ValidationError("Only a completed action can be re-checked")
        recheck = cls(
            action=action,
            kind=kind,
            due_on=add_months(today or timezone.localdate(), months),
            scheduled_by=by,
        )
        recheck._history_user = by
        recheck.save()
        return recheck

    def record(self, *, done_on, finding, grade="", by):
        self.done_on, self.finding, self.grade = done_on, finding, grade
        self._history_user = by
        self.save(update_fields=["done_on", "finding", "grade", "updated_at"])
