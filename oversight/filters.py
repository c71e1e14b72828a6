"""Filters of the action list (django-filter), scoped to what the user may read, and the
summary of the applied ones shown above the results."""

from datetime import date

import django_filters
from django import forms
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateformat import format as format_date

from plans.access import scope_for
from plans.forms import DateField, DateInputWidget
from plans.models import ActionParent, Agency, Group, Partnership, Priority, Rating

NOT_RATED = "none"
PARTS = ("_0", "_1", "_2")  # day, month, year: MultiWidget's names for the three boxes


class LinkableDateWidget(DateInputWidget):
    """The day, month and year boxes, which also read one ISO date under the filter's own
    name (`?due_by=2027-02-01`), the form other pages' links use."""

    def value_from_datadict(self, data, files, name):
        single = data.get(name)
        if single and not any(data.get(name + part) for part in PARTS):
            try:
                given = date.fromisoformat(single)
            except ValueError:
                return [single, "", ""]  # reported as a date missing its month and year
            return [str(given.day), str(given.month), str(given.year)]
        return super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and super().value_omitted_from_data(data, files, name)


class DateFilter(django_filters.Filter):
    """A date typed in the GOV.UK day, month and year boxes (plans.forms.DateField), with
    messages such as "Due from must be a real date"."""

    field_class = DateField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", LinkableDateWidget)
        super().__init__(*args, **kwargs)


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
    due_from = DateFilter(
        label="Due from",
        method="due_on_or_after",
        help_text="Actions due on or after this date. For example, 1 3 2027",
    )
    due_by = DateFilter(
        label="Due by",
        method="due_between_now_and",
        help_text="Open actions due up to this date, from today unless 'Due from' is given.",
    )
    not_updated_since = DateFilter(
        label="Not updated since",
        method="stale_since",
        help_text="Actions with no update on or after this date.",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        readable = scope_for(user).readable_partnerships
        self.filters["partnership"].queryset = Partnership.objects.filter(pk__in=readable)
        self.filters["priority"].queryset = Priority.objects.filter(plan__partnership__in=readable)
        self.filters["group"].queryset = Group.objects.filter(partnerships__in=readable).distinct()
        self.filters["agency"].queryset = Agency.objects.filter(
            partnerships__in=readable
        ).distinct()

    @property
    def form(self):
        """The filters' form, its four lists of options read as (pk, label) pairs.

        The querysets above still check a submitted choice; the options are read narrowly
        because building a model object, and a widget option from it, for every partnership,
        priority, group and agency took a quarter of All actions' time."""
        if not hasattr(self, "_form"):
            form = super().form
            for name, choices in self.option_lists().items():
                field = form.fields[name]
                field.widget.choices = [("", field.empty_label), *choices]
        return self._form

    def option_lists(self):
        """{filter name: [(pk, label)]} from one query, each list in its model's own order
        (priorities by plan, newest first, then number; the others by name) and labelled as
        its str()."""
        columns = ("list", "pk", "label", "starts", "sort", "n")
        no_date = Cast(Value(None), models.DateField())  # typed: UNION matches column types
        priorities = self.filters["priority"].queryset.annotate(
            list=Value("priority"),
            label=F("title"),
            starts=F("plan__starts_on"),
            sort=F("plan__title"),
            n=F("number"),
        )
        others = [
            self.filters[name]
            .queryset.annotate(list=Value(name), label=F(field), starts=no_date, sort=F(field))
            .annotate(n=Value(0))
            .order_by()
            .values_list(*columns)
            for name, field in [
                ("partnership", "short_name"),
                ("group", "name"),
                ("agency", "name"),
            ]
        ]
        rows = (
            priorities.order_by()
            .values_list(*columns)
            .union(*others, all=True)
            .order_by("list", "-starts", "sort", "n")
        )
        lists = {"partnership": [], "priority": [], "group": [], "agency": []}
        for name, pk, label, _starts, _sort, number in rows:
            lists[name].append((pk, Priority.label(number, label) if name == "priority" else label))
        return lists

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

    def due_on_or_after(self, queryset, name, value):
        return queryset.filter(effective_due__gte=value)

    def due_between_now_and(self, queryset, name, value):
        queryset = queryset.filter(effective_due__lte=value).not_complete()
        if self.form.cleaned_data.get("due_from"):
            return queryset  # the other filter gives the start
        return queryset.filter(effective_due__gte=timezone.localdate())

    def stale_since(self, queryset, name, value):
        return queryset.filter(Q(latest_as_of__lt=value) | Q(latest_as_of__isnull=True))


def _shown_value(filter_, value):
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return format_date(value, "j F Y")
    choices = dict(getattr(filter_, "extra", {}).get("choices") or [])
    return str(choices.get(value, value))


def applied(filterset, query):
    """The filters in force, each {label, value, href}: `href` is this page without that
    filter (its day, month and year boxes too), other filters and the sort kept, page 1.
    Also {"clear": href} for "Clear all", which keeps only the sort."""
    found = []
    if filterset.is_bound and filterset.is_valid():
        for name, filter_ in filterset.filters.items():
            value = filterset.form.cleaned_data.get(name)
            if value in (None, "", False):
                continue
            params = query.copy()
            for key in (name, *(name + part for part in PARTS), "page"):
                params.pop(key, None)
            found.append(
                {
                    "label": filter_.label,
                    "value": _shown_value(filter_, value),
                    "href": f"?{params.urlencode()}",
                }
            )
    clear = query.__class__(mutable=True)
    if query.get("sort"):
        clear["sort"] = query["sort"]
    return {"filters": found, "clear": f"?{clear.urlencode()}"}
