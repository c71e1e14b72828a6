"""Forms for case reviews, in the GOV.UK voice: each message says what to do."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from plans.forms import DateField, choices_of, number_field, optional_text, required_text
from plans.models import Agency, Theme

from .models import (
    CASE_DATE_LABELS,
    AssuranceExercise,
    CaseReview,
    Evidence,
    Grade,
    IntakeCase,
    ReCheck,
    Recommendation,
)

TEXT_MAX = 5000


def _checked_date(value, name):
    if value and not date(1990, 1, 1) <= value <= date(2100, 12, 31):
        raise ValidationError(f"{name} must be between 1990 and 2100")
    return value


class ReviewForm(forms.ModelForm):
    """A review's register entry. "Action plan signed off" is set by signing off, not here."""

    commissioned_on = DateField(label="Date commissioned", required=False)
    completed_on = DateField(label="Date completed", required=False)
    published_on = DateField(label="Date published", required=False)
    themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Learning themes",
    )

    class Meta:
        model = CaseReview
        fields = [
            "kind",
            "title",
            "status",
            "commissioned_on",
            "completed_on",
            "published_on",
            "publication_url",
            "themes",
        ]
        labels = {"kind": "Kind of review", "publication_url": "Link to the published report"}
        error_messages = {
            "publication_url": {"invalid": "Enter a full web address, like https://..."},
            "kind": {"required": "Select the kind of review"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        signed_off = self.instance.status == CaseReview.Status.SIGNED_OFF
        choices = [c for c in CaseReview.Status.choices if c[0] != CaseReview.Status.SIGNED_OFF]
        self.fields["status"] = forms.ChoiceField(
            label="Status",
            choices=CaseReview.Status.choices if signed_off else choices,
            disabled=signed_off,
            help_text="Signed off by the panel: reopen the action plan to change this."
            if signed_off
            else "",
        )
        self.fields["kind"].widget = forms.Select(choices=CaseReview.Kind.choices)
        self.fields["title"].error_messages["max_length"] = "Title must be 200 characters or fewer"

    def clean_commissioned_on(self):
        return _checked_date(self.cleaned_data.get("commissioned_on"), "Date commissioned")

    def clean_completed_on(self):
        return _checked_date(self.cleaned_data.get("completed_on"), "Date completed")

    def clean_published_on(self):
        return _checked_date(self.cleaned_data.get("published_on"), "Date published")


class EvidenceForm(forms.ModelForm):
    seen_on = DateField(
        label="Date the evidence was seen",
        required=False,
        help_text="Leave empty for today. For example, 27 3 2027",
    )

    class Meta:
        model = Evidence
        fields = ["summary", "link", "seen_on"]
        labels = {"summary": "Evidence", "link": "Link to the evidence"}
        help_texts = {
            "summary": "What was seen, for example minutes, an audit report or training records."
        }
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}
        error_messages = {
            "summary": {"required": "Enter the evidence"},
            "link": {"invalid": "Enter a full web address, like https://..."},
        }

    def clean_summary(self):
        summary = self.cleaned_data["summary"].strip()
        if not summary:
            raise ValidationError("Enter the evidence")
        if len(summary) > TEXT_MAX:
            raise ValidationError(f"Evidence must be {TEXT_MAX:,} characters or fewer")
        return summary

    def clean_seen_on(self):
        value = self.cleaned_data.get("seen_on") or timezone.localdate()
        return _checked_date(value, "Date the evidence was seen")


class ReasonForm(forms.Form):
    """A reason, required: closing a recommendation, reopening a plan."""

    reason = forms.CharField(
        label="Reason",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter the reason",
            "max_length": f"Reason must be {TEXT_MAX:,} characters or fewer",
        },
    )

    def __init__(self, *args, label="Reason", required_message="Enter the reason", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].error_messages["required"] = required_message

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(self.fields["reason"].error_messages["required"])
        return reason


class SignOffForm(forms.Form):
    note = forms.CharField(
        label="Note for the record",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": f"Note must be {TEXT_MAX:,} characters or fewer"},
    )


class ExerciseForm(forms.ModelForm):
    held_on = DateField(label="Date held", required=False)
    reviews = forms.ModelMultipleChoiceField(
        queryset=CaseReview.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Reviews whose learning it tests",
        help_text="Their learning themes become the exercise's learning areas.",
    )
    agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Agencies taking part",
        error_messages={"required": "Select at least one agency"},
    )
    extra_areas = forms.CharField(
        label="Other learning areas",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One on each line.",
    )

    class Meta:
        model = AssuranceExercise
        fields = ["title", "held_on", "reviews", "agencies", "notes"]
        error_messages = {
            "title": {
                "required": "Enter the exercise's title",
                "max_length": "Title must be 200 characters or fewer",
            }
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviews"].queryset = CaseReview.objects.filter(partnership=partnership)
        self.fields["agencies"].queryset = Agency.objects.filter(partnerships=partnership)

    def clean_extra_areas(self):
        names = []
        for line in self.cleaned_data.get("extra_areas", "").splitlines():
            name = line.strip()
            if len(name) > 200:
                raise ValidationError("Each learning area must be 200 characters or fewer")
            if name and name not in names:
                names.append(name)
        return names

    def clean(self):
        data = super().clean()
        reviews = data.get("reviews") or []
        themed = any(review.themes.exists() for review in reviews)
        if not themed and not data.get("extra_areas"):
            self.add_error(
                "extra_areas",
                "Enter at least one learning area, or choose reviews that have learning themes",
            )
        return data


class RatingForm(forms.Form):
    grade = forms.ChoiceField(
        label="Rating",
        choices=Grade.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a rating", "invalid_choice": "Select a rating"},
    )
    narrative = forms.CharField(
        label="Narrative",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the agency showed, and what it still needs to do.",
        error_messages={"max_length": f"Narrative must be {TEXT_MAX:,} characters or fewer"},
    )

    def clean(self):
        data = super().clean()
        grade, narrative = data.get("grade"), (data.get("narrative") or "").strip()
        data["narrative"] = narrative
        if grade and grade != Grade.NOT_ASSESSED and not narrative:
            self.add_error("narrative", "Enter a narrative explaining the rating")
        return data


class RecommendationForm(forms.ModelForm):
    """A recommendation typed in the app (a plan's later additions, or a whole small plan)."""

    number = number_field("Number", "Enter the recommendation's number")
    provenance = optional_text(
        "Where it came from",
        rows=2,
        help_text="Needed for one added later, e.g. following an Ofsted evaluation letter.",
    )
    outcome = optional_text("Desired outcome", rows=3)
    text = required_text("Recommendation", "Enter the recommendation", rows=4)

    class Meta:
        model = Recommendation
        fields = ["number", "source", "agency", "provenance", "outcome", "text"]
        labels = {"source": "Source"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].error_messages["required"] = "Select where it came from"
        self.fields["agency"] = choices_of(
            Agency.objects.filter(partnerships=self.instance.review.partnership),
            "Agency",
            empty="None: an overview report recommendation",
            help_text="The agency whose review made it, or to which it is addressed.",
        )

    def clean_number(self):
        number = self.cleaned_data["number"]
        taken = Recommendation.objects.filter(review=self.instance.review, number=number)
        if taken.exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                f"This review already has recommendation {number}: choose another number"
            )
        return number

    def clean(self):
        data = super().clean()
        source = data.get("source")
        if source == Recommendation.Source.IMR and not data.get("agency"):
            self.add_error("agency", "Select the agency whose review made this recommendation")
        if source == Recommendation.Source.ADDED and not data.get("provenance"):
            self.add_error("provenance", "Enter where the recommendation came from")
        return data


CASE_DATES = {
    name: (label, name in ("incident_on", "learned_on")) for name, label in CASE_DATE_LABELS.items()
}


class IntakeCaseForm(forms.ModelForm):
    """A case in the intake register. Impossible date orders are refused by the model's clean()
    and shown against the later date."""

    code = required_text(
        "Case code",
        "Enter the case code",
        max_length=40,
        help_text="How the case is known, like CS24-03. Never a child's name.",
    )
    decision_reason = optional_text("Why there is no further review")
    panel_response = optional_text("The Panel's response")

    class Meta:
        model = IntakeCase
        fields = [
            "code",
            "incident_on",
            "learned_on",
            "notified_on",
            "decision",
            "decision_reason",
            "rapid_review_meeting_on",
            "rapid_review_submitted_on",
            "panel_response_on",
            "panel_response",
            "lcspr_decision",
            "lcspr_decided_on",
            "reviewer_commissioned_on",
            "draft_on",
            "final_on",
            "notice_sent_on",
            "published_on",
            "review",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (label, required) in CASE_DATES.items():
            self.fields[name] = DateField(label=label, required=required)
            self.fields[name].error_messages["required"] = (
                f"Enter the {label[0].lower()}{label[1:]}"
            )
        self.fields["decision"] = forms.ChoiceField(
            label="Decision",
            choices=[("", "Not decided yet"), *IntakeCase.Decision.choices],
            required=False,
        )
        self.fields["lcspr_decision"] = forms.ChoiceField(
            label="LCSPR decision",
            choices=[("", "Not decided yet"), *IntakeCase.LcsprDecision.choices],
            required=False,
        )
        self.fields["review"] = choices_of(
            CaseReview.objects.filter(partnership=self.instance.partnership, archived_at=None),
            "Case review it became",
            empty="Not a review (yet)",
        )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        clash = IntakeCase.objects.filter(partnership=self.instance.partnership, code=code)
        if clash.exclude(pk=self.instance.pk).exists():
            raise ValidationError(f"There is already a case {code}: use another code")
        return code

    def clean_review(self):
        review = self.cleaned_data.get("review")
        linked = IntakeCase.objects.filter(review=review).exclude(pk=self.instance.pk)
        if review is not None and linked.exists():
            raise ValidationError(f"Review {review.code} is already linked to another case")
        return review

    def _post_clean(self):
        for name, (label, _required) in CASE_DATES.items():
            try:
                _checked_date(self.cleaned_data.get(name), label)
            except ValidationError as exc:
                self.add_error(name, exc)
        super()._post_clean()


class ReCheckScheduleForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of re-check",
        choices=ReCheck.Kind.choices,
        error_messages={"required": "Select the kind of re-check"},
    )
    months = forms.TypedChoiceField(
        label="When",
        coerce=int,
        choices=[(6, "In 6 months"), (12, "In 12 months")],
        error_messages={"required": "Select when", "invalid_choice": "Select 6 or 12 months"},
    )


class ReCheckRecordForm(forms.Form):
    done_on = DateField(
        label="Date of the re-check", required=False, help_text="Leave empty for today."
    )
    grade = forms.ChoiceField(
        label="ILOR rating",
        choices=[("", "No rating"), *Grade.choices],
        required=False,
    )
    finding = required_text("What the re-check found", "Enter what the re-check found", rows=3)

    def clean_done_on(self):
        value = self.cleaned_data.get("done_on") or timezone.localdate()
        if value > timezone.localdate():
            raise ValidationError("Date of the re-check must be today or in the past")
        return _checked_date(value, "Date of the re-check")
