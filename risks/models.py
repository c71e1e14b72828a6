"""The partnership's risk register (issue 17): what BMG watches beside the plan.

A risk is scored likelihood x impact (1-5 each) before controls (inherent) and after
(residual). Each BMG review of a risk is a dated `RiskReview` that keeps the score it found
and the one before, so movement ("up from 12 to 16") is read from the entries, in words.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse

from plans.models import Action, Agency, Archivable, Group, Partnership, TimeStampedModel, history

SCALE = [MinValueValidator(1), MaxValueValidator(5)]
DEFAULT_APPETITE = 12
# "Due for review": the next review date has passed or falls within this window, about the
# time from one BMG update deadline to the meeting.
DUE_WINDOW = timedelta(days=28)


class Likelihood(models.IntegerChoices):
    RARE = 1, "1 - Rare"
    UNLIKELY = 2, "2 - Unlikely"
    POSSIBLE = 3, "3 - Possible"
    LIKELY = 4, "4 - Likely"
    ALMOST_CERTAIN = 5, "5 - Almost certain"


class Impact(models.IntegerChoices):
    NEGLIGIBLE = 1, "1 - Negligible"
    MINOR = 2, "2 - Minor"
    MODERATE = 3, "3 - Moderate"
    MAJOR = 4, "4 - Major"
    SEVERE = 5, "5 - Severe"


def movement(before, after):
    """The change of a score in words, never by colour alone."""
    if before is None:
        return f"first scored at {after}"
    if after > before:
        return f"up from {before} to {after}"
    if after < before:
        return f"down from {before} to {after}"
    return f"unchanged at {after}"


class RiskAppetite(TimeStampedModel):
    """How much residual risk the partnership accepts: a score at or under which a risk is
    tolerated; above it, BMG looks at the risk at every meeting."""

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="risk_appetite"
    )
    score = models.PositiveSmallIntegerField(
        default=DEFAULT_APPETITE, validators=[MinValueValidator(1), MaxValueValidator(25)]
    )

    history = history()

    def __str__(self):
        return f"{self.partnership}: {self.score}"

    @classmethod
    def score_for(cls, partnership):
        found = cls.objects.filter(partnership=partnership).values_list("score", flat=True)
        return next(iter(found), DEFAULT_APPETITE)

    @classmethod
    def set_for(cls, partnership, score, *, by):
        appetite = cls.objects.filter(partnership=partnership).first() or cls(
            partnership=partnership
        )
        appetite.score = score
        appetite._history_user = by
        appetite.save()
        return appetite


class RiskQuerySet(models.QuerySet):
    def with_scores(self):
        """Annotated `residual` and `inherent` scores, so the register sorts and filters in
        the database."""
        return self.annotate(
            residual=F("residual_likelihood") * F("residual_impact"),
            inherent=F("inherent_likelihood") * F("inherent_impact"),
        )

    def for_register(self):
        """The register's rows: highest residual score first, with what the table shows."""
        return (
            self.with_scores()
            .select_related("owner_group", "owner_agency", "owner_user")
            .order_by("-residual", "-inherent", "reference")
        )

    def above(self, appetite):
        return self.with_scores().filter(residual__gt=appetite)

    def due_for_review(self, today):
        return self.filter(Q(next_review_on__lte=today + DUE_WINDOW) | Q(next_review_on=None))


class Risk(Archivable, TimeStampedModel):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="risks")
    reference = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    description = models.TextField()
    cause = models.TextField(blank=True)
    effect = models.TextField(blank=True)
    owner_text = models.CharField("owner (as written)", max_length=200)
    owner_group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_risks"
    )
    owner_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_risks"
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_risks",
    )
    controls = models.TextField("existing controls", blank=True)
    inherent_likelihood = models.PositiveSmallIntegerField(choices=Likelihood, validators=SCALE)
    inherent_impact = models.PositiveSmallIntegerField(choices=Impact, validators=SCALE)
    residual_likelihood = models.PositiveSmallIntegerField(choices=Likelihood, validators=SCALE)
    residual_impact = models.PositiveSmallIntegerField(choices=Impact, validators=SCALE)
    actions = models.ManyToManyField(Action, blank=True, related_name="risks")
    next_review_on = models.DateField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = RiskQuerySet.as_manager()
    history = history(m2m_fields=[actions])

    class Meta:
        ordering = ["partnership", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "reference"],
                condition=Q(archived_at=None),
                name="risk_reference_unique_while_live",
            )
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self):
        return reverse("risks:risk_detail", args=[self.pk])

    @property
    def inherent_score(self):
        return self.inherent_likelihood * self.inherent_impact

    @property
    def residual_score(self):
        return self.residual_likelihood * self.residual_impact

    def is_above(self, appetite):
        return self.residual_score > appetite

    @property
    def owner_label(self):
        return self.owner_text or str(self.owner_group or self.owner_agency or "")

    @transaction.atomic
    def record_review(self, *, by, on, likelihood, impact, commentary, next_review_on=None):
        """BMG's review of the risk: a dated entry with the residual score it found and the
        one before, and the risk's residual score and next review date brought up to it."""
        review = RiskReview(
            risk=self,
            reviewed_on=on,
            reviewed_by=by,
            likelihood=likelihood,
            impact=impact,
            previous_likelihood=self.residual_likelihood,
            previous_impact=self.residual_impact,
            commentary=commentary,
        )
        review._history_user = by
        review.save()
        self.residual_likelihood, self.residual_impact = likelihood, impact
        if next_review_on:
            self.next_review_on = next_review_on
        self._history_user = by
        self.save()
        return review


class RiskReview(TimeStampedModel):
    """One review of a risk (usually at BMG): who, when, the residual score then and the
    score before it, and what was said."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    likelihood = models.PositiveSmallIntegerField(choices=Likelihood, validators=SCALE)
    impact = models.PositiveSmallIntegerField(choices=Impact, validators=SCALE)
    previous_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    previous_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    commentary = models.TextField()

    history = history()

    class Meta:
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self):
        return f"{self.risk.reference} reviewed {self.reviewed_on}"

    @property
    def score(self):
        return self.likelihood * self.impact

    @property
    def previous_score(self):
        if self.previous_likelihood is None or self.previous_impact is None:
            return None
        return self.previous_likelihood * self.previous_impact

    @property
    def movement(self):
        return movement(self.previous_score, self.score)
