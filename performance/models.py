"""The partnership's performance data set (issue 17): measures and their values by period.

A measure says what is counted, by whom (the owner agency), in what unit, which way is
better, its target and tolerance, how often it is reported, and which plan objectives it
evidences. A value belongs to one period (a financial quarter or a month, stored as the
period's first day). A period with no value is either absent (nothing recorded) or recorded
as missing with the reason: neither is ever read as zero.

The data set is kept by the partnership's board officers and administrators and by the chairs
of the group that leads it (the QA subgroup, in the seeds: "Monitor and evaluate trends and
profiling for safeguarding data"); everyone else with a role in the partnership reads it.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse

from plans.models import (
    Agency,
    Archivable,
    Group,
    Objective,
    Partnership,
    Role,
    TimeStampedModel,
    history,
)

from . import periods, scoring


class DataSet(TimeStampedModel):
    """Which group leads the partnership's data set: its chairs manage it beside officers."""

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="data_set"
    )
    lead_group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = history()

    def __str__(self):
        return f"{self.partnership} data set"


def can_manage(user, partnership):
    """Board officers and administrators of the partnership, and the chairs of the group that
    leads its data set."""
    scope = Role.objects.scope_for(user)
    if scope.is_officer_of(partnership.pk):
        return True
    if not user.is_authenticated or partnership.pk not in scope.readable_partnerships:
        return False
    lead = DataSet.objects.filter(partnership=partnership).values("lead_group_id")
    return Role.objects.filter(
        user=user, partnership=partnership, kind=Role.Kind.CHAIR, group__in=lead
    ).exists()


class Unit(models.TextChoices):
    PERCENT = "percent", "Percentage (%)"
    NUMBER = "number", "Number"
    DAYS = "days", "Days"
    RATE = "rate", "Rate per 10,000 children"


class Frequency(models.TextChoices):
    QUARTER = periods.QUARTER, "Quarterly (financial quarters)"
    MONTH = periods.MONTH, "Monthly"


class MeasureQuerySet(models.QuerySet):
    def live(self):
        return self.filter(archived_at=None)

    def visible_to(self, user):
        """Measures of the partnerships `user` reads as a whole (plans/access.py)."""
        return self.filter(partnership__in=Role.objects.scope_for(user).readable_partnerships)

    def for_scorecard(self):
        return self.select_related("owner_agency").order_by("position", "name")


class Measure(Archivable, TimeStampedModel):
    Unit = Unit
    Frequency = Frequency

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="measures")
    name = models.CharField(max_length=200)
    definition = models.TextField(help_text="What is counted, from which system, and how.")
    owner_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="measures"
    )
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.PERCENT)
    # True: higher is better; False: lower is better; None: watched for its trend only.
    higher_is_better = models.BooleanField(null=True, blank=True)
    target = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    amber_threshold = models.DecimalField(
        "tolerance (amber threshold)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=periods.QUARTER)
    objectives = models.ManyToManyField(Objective, blank=True, related_name="measures")
    position = models.PositiveSmallIntegerField(default=0)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = MeasureQuerySet.as_manager()
    history = history(m2m_fields=[objectives])

    class Meta:
        ordering = ["partnership", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "name"],
                condition=Q(archived_at=None),
                name="measure_name_unique_while_live",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("performance:measure_detail", args=[self.pk])

    def clean(self):
        if self.higher_is_better is None and self.target is not None:
            raise ValidationError(
                {"target": "A measure watched for its trend only has no target: remove it"}
            )
        if self.amber_threshold is not None and self.target is None:
            raise ValidationError({"amber_threshold": "Enter the target first"})
        if self.amber_threshold is not None and scoring.better(
            self.amber_threshold, self.target, self.higher_is_better
        ):
            way = "below" if self.higher_is_better else "above"
            raise ValidationError(
                {"amber_threshold": f"The tolerance must be {way} the target, or equal to it"}
            )

    def show(self, value):
        return scoring.show(value, self.unit)

    @property
    def direction_words(self):
        if self.higher_is_better is None:
            return "No direction: watched for its trend"
        return "Higher is better" if self.higher_is_better else "Lower is better"

    @property
    def target_words(self):
        if self.target is None:
            return "No target"
        words = self.show(self.target)
        if self.amber_threshold is not None:
            words += f" (amber to {self.show(self.amber_threshold)})"
        return words

    def rate(self, value):
        return scoring.rate(
            value,
            target=self.target,
            amber=self.amber_threshold,
            higher_is_better=self.higher_is_better,
        )

    def period_label(self, start):
        return periods.label(start, self.frequency)

    @transaction.atomic
    def record(self, start, *, by, value=None, missing_reason="", commentary=None):
        """Set the value of the period starting `start` (a new row or a changed one; each
        change is a history row with `by`). Returns (row, what) with what in
        {"added", "changed", "unchanged"}."""
        row = self.values.filter(period_start=start).first()
        what = "added" if row is None else "changed"
        row = row or MeasureValue(measure=self, period_start=start)
        if commentary is None:  # an import without commentary keeps what the period says
            commentary = row.commentary
        new = (value, missing_reason if value is None else "", commentary)
        if what == "changed" and (row.value, row.missing_reason, row.commentary) == new:
            return row, "unchanged"
        row.value, row.missing_reason, row.commentary = new
        row.entered_by = by
        row._history_user = by
        row.full_clean(exclude=["measure", "period_start"], validate_unique=False)
        row.save()
        return row, what


class MeasureValue(TimeStampedModel):
    """The value of one measure for one period, or the reason there is none."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="values")
    period_start = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    missing_reason = models.CharField("why it is missing", max_length=300, blank=True)
    commentary = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    history = history()

    class Meta:
        ordering = ["measure", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "period_start"], name="measure_value_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | ~Q(missing_reason=""),
                name="measure_value_missing_says_why",
            ),
        ]

    def __str__(self):
        return f"{self.measure}: {self.period_start}"

    def clean(self):
        if self.value is None and not self.missing_reason.strip():
            raise ValidationError({"missing_reason": "Say why the value is missing"})
