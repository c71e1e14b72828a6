"""Filters of the action list (django-filter), scoped to what the user may read."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from plans.access import scope_for
from plans.models import ActionParent, Agency, Group, Partnership, Priority, Rating

NOT_RATED = "none"


class ActionFilter(django_filters.FilterSet):
    """Each filter works on `Action.objects.for_list()` (latest rating annotated)."""

    q = django_filters.CharFilter(label="Search", method="search")
    source = django_filters.ChoiceFilter(
        label="Source",
        field_name="parent__kind",
        choices=[
            (ActionParent.Kind.OBJECTIVE, "Business plan"),
            (ActionParent.Kind.WORKSTREAM, "Workstream"),
            (ActionParent.Kind.RECOMMENDATION, "Case review"),
            (ActionParent.Kind.AUDIT_RECOMMENDATION, "Audit"),
            (ActionParent.Kind.SELF_ASSESSMENT, "Section 11"),
        ],
        empty_label="All sources",
    )
    partnership = django_filters.ModelChoiceFilter(
        label="Partnership",
        field_name="parent__partnership",
        queryset=Partnership.objects.none(),
        empty_label="All partnerships",
    )
    priority = django_filters.ModelChoiceFilter(
        label="Priority",
        field_name="parent__objective__priority",
        queryset=Priority.objects.none(),
        empty_label="All priorities",
    )
    group = django_filters.ModelChoiceFilter(
        label="Lead group",
        queryset=Group.objects.none(),
        method="led_by_group",
        empty_label="All groups",
    )
    agency = django_filters.ModelChoiceFilter(
        label="Agency",
        queryset=Agency.objects.none(),
        method="for_agency",
        empty_label="All agencies",
    )
    rating = django_filters.ChoiceFilter(
        label="Rating",
        choices=[*Rating.choices, (NOT_RATED, "Not yet rated")],
        method="with_rating",
        empty_label="Any rating",
    )
    overdue = django_filters.BooleanFilter(
        label="Overdue only",
        method="only_overdue",
        widget=forms.CheckboxInput,
    )
    due_by = django_filters.DateFilter(
        label="Due by",
        method="due_between_now_and",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Open actions due from today up to this date.",
    )
    not_updated_since = django_filters.DateFilter(
        label="Not updated since",
        method="stale_since",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Actions with no update on or after this date.",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        readable = scope_for(user).readable_partnerships
        self.filters["partnership"].queryset = Partnership.objects.filter(pk__in=readable)
        self.filters["priority"].queryset = Priority.objects.filter(
            plan__partnership__in=readable
        ).select_related("plan")
        self.filters["group"].queryset = Group.objects.filter(partnerships__in=readable).distinct()
        self.filters["agency"].queryset = Agency.objects.filter(
            partnerships__in=readable
        ).distinct()

    def search(self, queryset, name, value):
        terms = value.split()
        for term in terms[:8]:
            queryset = queryset.filter(
                Q(text__icontains=term)
                | Q(lead_text__icontains=term)
                | Q(measure__icontains=term)
                | Q(ref__icontains=term)
            )
        return queryset

    def led_by_group(self, queryset, name, value):
        return queryset.filter(pk__in=value.led_actions.values("pk"))

    def for_agency(self, queryset, name, value):
        return queryset.filter(
            Q(pk__in=value.led_actions.values("pk")) | Q(parent__recommendation__agency=value)
        )

    def with_rating(self, queryset, name, value):
        if value == NOT_RATED:
            return queryset.filter(latest_rating__isnull=True)
        return queryset.filter(latest_rating=value)

    def only_overdue(self, queryset, name, value):
        return queryset.overdue(timezone.localdate()) if value else queryset

    def due_between_now_and(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.filter(effective_due__gte=today, effective_due__lte=value).not_complete()

    def stale_since(self, queryset, name, value):
        return queryset.filter(Q(latest_as_of__lt=value) | Q(latest_as_of__isnull=True))
