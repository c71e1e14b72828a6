"""Forms in the GOV.UK voice: messages say what is wrong and how to put it right."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from .models import Rating
from .updates import problems, record_update

COMMENT_MAX = 5000


class DateInputWidget(forms.MultiWidget):
    """The GOV.UK date input: day, month and year boxes."""

    def __init__(self, attrs=None):
        numeric = {"inputmode": "numeric"}
        super().__init__([forms.TextInput(attrs=numeric) for _ in range(3)], attrs)

    def decompress(self, value):
        return [value.day, value.month, value.year] if value else [None, None, None]


class DateField(forms.MultiValueField):
    """A date typed as day, month and year, with GOV.UK error messages."""

    widget = DateInputWidget

    def __init__(self, *, label, **kwargs):
        self.name_in_messages = label
        parts = [forms.CharField(required=False) for _ in range(3)]
        super().__init__(parts, require_all_fields=False, label=label, **kwargs)

    def compress(self, values):
        values = [(value or "").strip() for value in (values or [])]
        if not any(values):
            return None
        name = self.name_in_messages
        missing = [
            part for part, value in zip(("day", "month", "year"), values, strict=True) if not value
        ]
        if missing:
            raise ValidationError(f"{name} must include a {' and '.join(missing)}")
        if not all(value.isdigit() for value in values):
            raise ValidationError(f"{name} must be a real date, written in numbers")
        day, month, year = (int(value) for value in values)
        if len(values[2]) != 4:
            raise ValidationError(f"{name} must include a year with 4 numbers, like 2027")
        try:
            return date(year, month, day)
        except ValueError as exc:
            raise ValidationError(f"{name} must be a real date") from exc


class UpdateForm(forms.Form):
    """One RAG update, with an optional revised due date.

    A comment is needed for Red, Amber and Complete, and whenever the rating changes, so that
    a rating is never given without its reason.
    """

    rating = forms.ChoiceField(
        label="RAG rating",
        choices=[(rating, Rating(rating).label) for rating in Rating.form_order()],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select a RAG rating",
            "invalid_choice": "Select a RAG rating from the list",
        },
    )
    comment = forms.CharField(
        label="Progress comment",
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What has happened since the last update, and what happens next.",
        error_messages={
            "max_length": f"Progress comment must be {COMMENT_MAX:,} characters or fewer",
        },
    )
    revised_due_date = DateField(
        label="Revised due date",
        required=False,
        help_text="Only if the action will miss its due date. For example, 27 3 2027",
    )
    revision_reason = forms.CharField(
        label="Reason for the new due date",
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": f"Reason must be {COMMENT_MAX:,} characters or fewer",
        },
    )
    seen = forms.CharField(widget=forms.HiddenInput, required=False)
    # The update this one corrects; the view looks it up among the action's updates.
    corrects = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args, current_rating=None, current_revised=None, correcting=False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.current_rating = current_rating
        self.current_revised = current_revised
        self.correcting = correcting

    def clean_revised_due_date(self):
        value = self.cleaned_data.get("revised_due_date")
        if value and not date(2000, 1, 1) <= value <= date(2100, 12, 31):
            raise ValidationError("Revised due date must be between 2000 and 2100")
        return value

    def clean(self):
        data = super().clean()
        data["comment"] = (data.get("comment") or "").strip()
        data["revision_reason"] = (data.get("revision_reason") or "").strip()
        if data.get("rating"):
            found = problems(
                rating=data["rating"],
                comment=data["comment"],
                current_rating=self.current_rating,
                revised_due_date=data.get("revised_due_date"),
                current_revised=self.current_revised,
                revision_reason=data["revision_reason"],
                correcting=self.correcting,
            )
            for name, message in found.items():
                if name in self.fields:
                    self.add_error(name, message)
        return data

    def record(self, action, *, by, corrects=None):
        """Save this (valid) form's update, or its correction of `corrects`, through the one
        write path (plans/updates.py)."""
        data = self.cleaned_data
        return record_update(
            action,
            rating=data["rating"],
            comment=data["comment"],
            by=by,
            seen=data.get("seen"),
            revised_due_date=data.get("revised_due_date"),
            revision_reason=data.get("revision_reason", ""),
            corrects=corrects,
        )

    @property
    def changes_due_date(self):
        revised = self.cleaned_data.get("revised_due_date")
        return bool(revised) and revised != self.current_revised


class QuickUpdateForm(UpdateForm):
    """A row of "My actions": leaving the rating unselected skips the action."""

    def __init__(self, *args, subject="", **kwargs):
        super().__init__(*args, **kwargs)
        if subject:  # many rows on one page: each label names its action
            self.fields["rating"].label = f"RAG rating for {subject}"
            self.fields["comment"].label = f"Progress comment for {subject}"
            self.fields["comment"].help_text = ""
        self.fields["rating"].required = False
        del self.fields["revised_due_date"]
        del self.fields["revision_reason"]
        del self.fields["corrects"]

    def clean(self):
        data = super().clean()
        if not data.get("rating") and data.get("comment"):
            self.add_error("rating", "Select a RAG rating for this comment")
        return data

    @property
    def changes_due_date(self):
        return False

    @property
    def has_update(self):
        return bool(self.cleaned_data.get("rating"))
