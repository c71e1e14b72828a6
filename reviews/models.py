"""Case reviews (SCR, LCSPR, rapid, learning ...) and their recommendations.

Reviews are known by codes (AN09, MN15, "Child J"): no personal data about a child is stored.
"""

from django.db import models
from django.db.models import Q

from plans.models import (
    ActionParent,
    Agency,
    NaturalKeyQuerySet,
    Partnership,
    Theme,
    TimeStampedModel,
    history,
)


class CaseReviewQuerySet(NaturalKeyQuerySet):
    def get_by_natural_key(self, partnership_short_name, code):
        return self.get(partnership__short_name=partnership_short_name, code=code)


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


class CaseReview(TimeStampedModel):
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

    def natural_key(self):
        return (self.partnership.short_name, self.code)

    natural_key.dependencies = ["plans.partnership"]


class RecommendationSource(models.TextChoices):
    IMR = "imr", "Individual management review"
    OVERVIEW = "overview", "Overview report"
    ADDED = "added", "Added later"


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
        ]

    def __str__(self):
        return f"{self.review.code} R{self.number}: {self.text[:60]}"

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
        return f"R{self.number}"
