"""The QA programme's and Section 11's forms, in the GOV.UK voice."""

from django import forms
from django.core.exceptions import ValidationError

from plans.forms import DateField, choices_of, optional_text, required_text
from plans.models import Agency, Group
from reviews.models import CaseReview

from .models import (
    Audit,
    Compliance,
    Finding,
    ImpactEntry,
    Quarter,
    Section11Cycle,
    SelfAssessment,
)


def select(label, choices, *, required=True):
    return forms.ChoiceField(
        label=label,
        choices=[("", "Select"), *choices],
        required=required,
        error_messages={
            "required": f"Select the {label.lower()}",
            "invalid_choice": f"Select the {label.lower()} from the list",  # noqa: S608
        },
    )


def date_field(label, *, required=False):
    field = DateField(label=label, required=required, help_text="For example, 27 3 2027")
    field.error_messages["required"] = f"Enter the {label.lower()}"
    return field


def count_field(label):
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=999,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": f"{label} must be a whole number, like 57",
            "min_value": f"{label} must be 0 or more",
            "max_value": f"{label} must be 999 or less",
        },
    )


class SavedBy:
    """ModelForms whose save records the acting person in history."""

    def save_by(self, by):
        obj = self.save(commit=False)
        obj._history_user = by
        obj.save()
        self.save_m2m()
        return obj


class AuditForm(SavedBy, forms.ModelForm):
    subject = required_text("Subject", "Enter the audit's subject", max_length=200)
    method = select("Method", Audit.Method.choices)
    year = required_text(
        "Programme year", "Enter the programme year", max_length=20, help_text="e.g. 2017/18"
    )
    quarter = forms.TypedChoiceField(
        label="Quarter",
        choices=[("", "Not set"), *Quarter.choices],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Select the quarter from the list"},
    )
    planned_on = date_field("Planned date")
    timing_text = optional_text("When, as written", max_length=100, rows=None)
    lead_text = optional_text("Lead, as written", max_length=200, rows=None)
    theme = optional_text("Review or theme it links to, as written", max_length=200, rows=None)
    scope_note = optional_text("Comment", rows=3)
    status = select("Status", Audit.Status.choices)
    status_note = optional_text("Why cancelled or postponed", rows=2)
    reported_on = date_field("Date reported")
    summary = optional_text("What the audit found, in brief", rows=4)

    class Meta:
        model = Audit
        fields = ["subject", "method", "year", "quarter", "planned_on", "timing_text"]
        fields += ["lead_text", "lead_group", "lead_agency", "agencies", "review", "theme"]
        fields += ["scope_note", "follow_up_of", "status", "status_note", "reported_on"]
        fields += ["summary"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        partnership = self.instance.partnership
        groups = Group.objects.filter(partnerships=partnership)
        agencies = Agency.objects.filter(partnerships=partnership)
        self.fields["lead_group"] = choices_of(groups, "Leading group", empty="Not linked")
        self.fields["lead_agency"] = choices_of(agencies, "Leading agency", empty="Not linked")
        self.fields["agencies"] = choices_of(agencies, "Agencies taking part", many=True)
        self.fields["review"] = choices_of(
            CaseReview.objects.filter(partnership=partnership, archived_at=None),
            "Linked case review",
            empty="None",
        )
        earlier = Audit.objects.filter(partnership=partnership).exclude(pk=self.instance.pk)
        self.fields["follow_up_of"] = choices_of(
            earlier.order_by("-planned_on", "subject"),
            "Follows up the findings of",
            empty="Not a follow-up",
            help_text="For a dip test scheduled from an earlier audit's findings.",
        )

    def clean(self):
        data = super().clean()
        if data.get("status") == Audit.Status.REPORTED and not data.get("reported_on"):
            self.add_error("reported_on", "Enter the date reported, as the audit is reported")
        if data.get("status") == Audit.Status.CANCELLED and not data.get("status_note"):
            self.add_error("status_note", "Enter why the audit was cancelled or postponed")
        return data


class FindingForm(forms.Form):
    text = required_text("Finding", "Enter the finding", rows=4)
    grade = select("Grade", Finding.Grade.choices)


class RecommendationForm(forms.Form):
    text = required_text("Recommendation", "Enter the recommendation", rows=4)
    finding = forms.ModelChoiceField(
        queryset=Finding.objects.none(),
        required=False,
        label="Answers finding",
        empty_label="None in particular",
        error_messages={"invalid_choice": "Select the finding from the list"},
    )
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        required=False,
        label="Addressed to agency",
        empty_label="Not to one agency",
        error_messages={"invalid_choice": "Select the agency from the list"},
    )

    def __init__(self, *args, audit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].queryset = audit.findings.all()
        self.fields["finding"].label_from_instance = lambda f: f"F{f.number}: {f.text[:80]}"
        self.fields["agency"].queryset = Agency.objects.filter(partnerships=audit.partnership)


class ReasonForm(forms.Form):
    reason = required_text("Reason", "Enter the reason", rows=3)

    def __init__(self, *args, label="Reason", required_message="Enter the reason", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].error_messages["required"] = required_message


class SignOffForm(forms.Form):
    note = optional_text("Note", rows=2)


class ImpactForm(SavedBy, forms.ModelForm):
    recorded_on = date_field("Date", required=True)
    change = required_text("What changed", "Enter what changed", rows=4)
    evidence = optional_text(
        "Evidence", rows=3, help_text="What shows it: a report, data, an audit."
    )

    class Meta:
        model = ImpactEntry
        fields = ["recorded_on", "change", "evidence", "audit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audit"] = choices_of(
            Audit.objects.filter(partnership=self.instance.partnership).order_by("subject"),
            "Audit it came from",
            empty="None",
        )


class CycleForm(SavedBy, forms.ModelForm):
    name = required_text("Name", "Enter the cycle's name", max_length=200)
    deadline = date_field("Submission deadline")
    notes = optional_text("Notes", rows=3)

    class Meta:
        model = Section11Cycle
        fields = ["name", "deadline", "notes"]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        taken = Section11Cycle.objects.filter(
            partnership=self.instance.partnership, name__iexact=name
        )
        if taken.exclude(pk=self.instance.pk).exists():
            raise ValidationError(f"There is already a cycle called {name}: choose another name")
        return name


class AssessmentForm(SavedBy, forms.ModelForm):
    tool = optional_text("Tool, as named", max_length=200, rows=None)
    submitted_on = date_field("Date submitted")
    lines_total = count_field("Key lines of enquiry")
    compliant = count_field("Compliant")
    partial = count_field("Partially compliant")
    not_compliant = count_field("Not compliant")
    summary = optional_text("The agency's summary", rows=4)

    class Meta:
        model = SelfAssessment
        fields = ["agency", "tool", "submitted_on", "lines_total", "compliant", "partial"]
        fields += ["not_compliant", "summary"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cycle = self.instance.cycle
        taken = SelfAssessment.objects.filter(cycle=cycle).exclude(pk=self.instance.pk)
        self.fields["agency"] = choices_of(
            Agency.objects.filter(partnerships=cycle.partnership).exclude(
                pk__in=taken.values("agency")
            ),
            "Agency",
            required=True,
        )


class LineForm(forms.Form):
    number = required_text("Number", "Enter the line's number", max_length=20, rows=None)
    text = required_text("Line of enquiry", "Enter the line of enquiry", rows=3)
    rating = select("Rating", Compliance.choices)
    comment = optional_text("The agency's comment or action", rows=3)

    def __init__(self, *args, assessment, line=None, **kwargs):
        """`line`: the line being changed (its own number is not a clash)."""
        super().__init__(*args, **kwargs)
        self.assessment = assessment
        self.line = line

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        others = self.assessment.lines.all()
        if self.line is not None:
            others = others.exclude(pk=self.line.pk)
        if others.filter(number=number).exists():
            raise ValidationError(f"Line {number} is already recorded")
        return number


class ProgrammeFilter(forms.Form):
    year = forms.ChoiceField(label="Programme year", required=False)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Audit.Status.choices]
    )
    method = forms.ChoiceField(
        label="Method", required=False, choices=[("", "Any method"), *Audit.Method.choices]
    )

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "Every year"), *((y, y) for y in years)]

    def apply(self, audits):
        data = self.cleaned_data if self.is_valid() else {}
        for name in ("year", "status", "method"):
            if data.get(name):
                audits = audits.filter(**{name: data[name]})
        return audits


class QaGroupForm(forms.Form):
    group = forms.ModelChoiceField(
        queryset=Group.objects.none(),
        label="The partnership's QA group",
        help_text="Its chairs manage the audit programme and Section 11.",
        error_messages={
            "required": "Select the QA group",
            "invalid_choice": "Select the QA group from the list",
        },
    )

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = Group.objects.filter(partnerships=partnership)
