"""The upload page's form and the meeting calendar's forms."""

import calendar
from datetime import date, timedelta
from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError

from plans.forms import DateField, choices_of, optional_text
from plans.importing import max_bytes
from plans.models import Group, Rating
from reviews.models import CaseReview

from .cycle import WEEKS
from .models import Meeting


class ImportForm(forms.Form):
    """The upload page: the file and what it belongs to."""

    file = forms.FileField(
        label="Action plan or business plan file",
        help_text="An Excel .xlsx file or a .csv file with the plan's header row.",
        error_messages={
            "required": "Select a file to import",
            "empty": "The selected file is empty",
        },
    )
    review_code = forms.CharField(
        label="Review code",
        required=False,
        max_length=40,
        help_text="For a review action plan, for example AN09. A new code creates the review.",
        error_messages={"max_length": "Review code must be 40 characters or fewer"},
    )
    review_title = forms.CharField(
        label="Title of a new review",
        required=False,
        max_length=200,
        error_messages={"max_length": "Title must be 200 characters or fewer"},
    )
    review_kind = forms.ChoiceField(
        label="Kind of a new review",
        choices=CaseReview.Kind.choices,
        initial=CaseReview.Kind.SCR,
        required=False,
    )
    plan_name = forms.CharField(
        label="Business plan",
        required=False,
        max_length=200,
        help_text="For a business plan: its title. A new title creates the plan.",
        error_messages={"max_length": "Plan name must be 200 characters or fewer"},
    )
    create_agencies = forms.BooleanField(label="Add agencies not yet known", required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = PurePath(upload.name).suffix.lower()
        if suffix not in {".xlsx", ".xlsm", ".csv"}:
            raise ValidationError("The selected file must be an Excel .xlsx file or a .csv file")
        if upload.size > max_bytes():
            raise ValidationError(
                f"The selected file must be smaller than {max_bytes() / (1024 * 1024):g} MB"
            )
        return upload


# -- The meeting calendar -------------------------------------------------------------------


def checked_meeting_date(value, label):
    if value and not date(2000, 1, 1) <= value <= date(2100, 12, 31):
        raise ValidationError(f"{label} must be between 2000 and 2100")
    return value


def group_choices(partnership):
    groups = Group.objects.filter(partnerships=partnership).order_by("name")
    return choices_of(groups, "Group", required=True, empty="Choose a group")


class MeetingForm(forms.ModelForm):
    date = DateField(label="Date of the meeting", help_text="For example, 17 6 2026")
    update_deadline = DateField(
        label="Update deadline",
        required=False,
        help_text="Leave empty for 14 days before the meeting.",
    )
    title = optional_text("Title", max_length=200, rows=None)

    class Meta:
        model = Meeting
        fields = ["group", "date", "update_deadline", "title"]

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"] = group_choices(partnership)
        self.fields["date"].error_messages["required"] = "Enter the date of the meeting"

    def clean_date(self):
        return checked_meeting_date(self.cleaned_data.get("date"), "Date of the meeting")

    def clean_update_deadline(self):
        return checked_meeting_date(self.cleaned_data.get("update_deadline"), "Update deadline")

    def clean(self):
        data = super().clean()
        day, group = data.get("date"), data.get("group")
        if day and not data.get("update_deadline"):
            data["update_deadline"] = day - timedelta(days=14)
            self.instance.update_deadline = data["update_deadline"]
        if day and data["update_deadline"] and data["update_deadline"] > day:
            self.add_error("update_deadline", "Update deadline must be on or before the meeting")
        if day and group:
            taken = Meeting.objects.filter(group=group, date=day).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("date", f"{group.name} already meets on that day")
        return data


class CyclePatternForm(forms.Form):
    """The next meetings from a pattern: "the third Wednesday of June, October and February,
    update deadline 14 days before"."""

    months = forms.TypedMultipleChoiceField(
        label="Months it meets in",
        coerce=int,
        choices=[(n, calendar.month_name[n]) for n in range(1, 13)],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the months it meets in"},
    )
    week = forms.TypedChoiceField(
        label="Week of the month",
        coerce=int,
        choices=list(WEEKS.items()),
        error_messages={"required": "Select the week of the month"},
    )
    weekday = forms.TypedChoiceField(
        label="Day of the week",
        coerce=int,
        choices=[(n, calendar.day_name[n]) for n in range(7)],
        error_messages={"required": "Select the day of the week"},
    )
    notice_days = forms.IntegerField(
        label="Days between the update deadline and the meeting",
        min_value=0,
        max_value=90,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter the days between the update deadline and the meeting",
            "invalid": "Days must be a whole number, like 14",
            "min_value": "Days must be 0 or more",
            "max_value": "Days must be 90 or fewer",
        },
    )
    count = forms.IntegerField(
        label="How many meetings to add",
        min_value=1,
        max_value=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter how many meetings to add",
            "invalid": "Enter a whole number, like 3",
            "min_value": "Add at least 1 meeting",
            "max_value": "Add 12 meetings or fewer at a time",
        },
    )
    title_prefix = optional_text(
        "Title before the month", max_length=100, rows=None, help_text="For example, BMG"
    )

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"] = group_choices(partnership)
        self.order_fields(["group"])


class MyActionsFilter(forms.Form):
    """What My actions shows: which actions, at what rating, led by which group.

    Sent by GET, so the choice stays in the address while the cards are saved one by one.
    """

    SHOW = [
        ("needs_update", "Need an update"),
        ("overdue", "Overdue"),
        ("all", "All my actions"),
    ]
    show = forms.ChoiceField(label="Show", choices=SHOW, required=False)
    rating = forms.ChoiceField(
        label="Current rating",
        required=False,
        choices=[("", "Any rating")]
        + [(value or "none", label) for value, label in Rating.columns()],
    )
    group = forms.ModelChoiceField(
        label="Lead group",
        queryset=Group.objects.none(),
        required=False,
        empty_label="Any group",
    )

    def __init__(self, data, *, groups):
        super().__init__(data)
        self.fields["group"].queryset = groups
        for name in self.fields:
            self.fields[name].conditional = True  # a filter is optional by nature: no "(optional)"
            self.fields[name].error_messages["invalid_choice"] = (
                f"Select {self.fields[name].label.lower()} from the list"  # noqa: S608
            )

    def choice(self, name, default=""):
        return (self.cleaned_data.get(name) if self.is_valid() else None) or default

    def applied(self):
        """(label, shown value, field name) of each filter narrowing the list, for the summary
        above the cards; the list needs an update unless the reader chose otherwise."""
        if not self.is_valid():
            return []
        applied = []
        for name in ("show", "rating", "group"):
            value = self.choice(name, "needs_update" if name == "show" else "")
            if not value or value == "all":
                continue
            shown = str(value) if name == "group" else dict(self.fields[name].choices)[value]
            applied.append((self.fields[name].label, shown, name))
        return applied
