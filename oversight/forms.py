"""The upload page's form."""

from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError

from plans.importing import max_bytes
from reviews.models import CaseReview


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
