"""The workstream form, in the GOV.UK voice."""

from django import forms
from django.core.exceptions import ValidationError

from plans.forms import choices_of, number_field, optional_text, required_text
from reviews.models import CaseReview

from .models import Workstream


class WorkstreamForm(forms.ModelForm):
    number = number_field("Number", "Enter the workstream's number")
    title = required_text("Title", "Enter the workstream's title", max_length=200)
    objective_text = required_text("Objective", "Enter the workstream's objective", rows=3)
    origin = optional_text(
        "Origin",
        rows=3,
        help_text="The reviews, inspections and national drivers that triggered it, as written.",
    )

    class Meta:
        model = Workstream
        fields = ["number", "title", "objective_text", "origin", "reviews"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviews"] = choices_of(
            CaseReview.objects.filter(partnership=self.instance.partnership, archived_at=None),
            "Case reviews it answers",
            many=True,
        )
        self.fields["reviews"].label_from_instance = lambda r: f"{r.code}: {r.title}"[:120]

    def clean_number(self):
        number = self.cleaned_data["number"]
        taken = Workstream.objects.filter(
            partnership=self.instance.partnership, number=number, archived_at=None
        )
        if taken.exclude(pk=self.instance.pk).exists():
            raise ValidationError(f"Workstream {number} already exists: choose another number")
        return number
