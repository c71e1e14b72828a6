"""The risk register's forms, in the GOV.UK voice."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from plans.forms import DateField, choices_of, optional_text, person_name, required_text
from plans.models import Action, Agency, Group

from .models import Impact, Likelihood, Risk


def scale_field(label, choices):
    return forms.TypedChoiceField(
        label=label,
        choices=[("", "Select"), *choices.choices],
        coerce=int,
        error_messages={
            "required": f"Select the {label.lower()}",
            "invalid_choice": f"Select the {label.lower()} from the list",  # noqa: S608
        },
    )


def review_date_field(label="Next review date"):
    return DateField(label=label, required=False, help_text="For example, 27 3 2027")


class RiskForm(forms.ModelForm):
    reference = required_text("Reference", "Enter the risk's reference", max_length=20)
    title = required_text("Title", "Enter the risk's title", max_length=200)
    description = required_text("Description", "Enter a description of the risk", rows=3)
    cause = optional_text("Cause", rows=3, help_text="What could make it happen.")
    effect = optional_text("Effect", rows=3, help_text="What would happen to children if it did.")
    owner_text = required_text(
        "Owner (as written)",
        "Enter who owns the risk",
        max_length=200,
        help_text="A group, an agency or a role, as the register says it.",
    )
    controls = optional_text("Existing controls", rows=3)
    inherent_likelihood = scale_field("Likelihood before controls", Likelihood)
    inherent_impact = scale_field("Impact before controls", Impact)
    residual_likelihood = scale_field("Likelihood after controls", Likelihood)
    residual_impact = scale_field("Impact after controls", Impact)
    next_review_on = review_date_field()

    class Meta:
        model = Risk
        fields = ["reference", "title", "description", "cause", "effect", "owner_text"]
        fields += ["owner_group", "owner_agency", "owner_user", "controls"]
        fields += ["inherent_likelihood", "inherent_impact"]
        fields += ["residual_likelihood", "residual_impact", "actions", "next_review_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        partnership = self.instance.partnership
        user_model = Risk.owner_user.field.related_model
        self.fields["owner_group"] = choices_of(
            Group.objects.filter(partnerships=partnership), "Owning group", empty="Not linked"
        )
        self.fields["owner_agency"] = choices_of(
            Agency.objects.filter(partnerships=partnership), "Owning agency", empty="Not linked"
        )
        self.fields["owner_user"] = choices_of(
            user_model.objects.filter(roles__partnership=partnership, is_active=True)
            .distinct()
            .order_by("first_name", "last_name", "username"),
            "Owning person",
            empty="Not linked",
        )
        self.fields["owner_user"].label_from_instance = person_name
        self.fields["actions"] = choices_of(
            Action.objects.filter(parent__partnership=partnership, parent__archived_at=None)
            .select_related("parent")
            .order_by("parent__ref", "position"),
            "Linked actions",
            many=True,
            help_text="The actions that reduce this risk.",
        )
        self.fields["actions"].label_from_instance = lambda a: f"{a.ref}: {a.text}"[:140]

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip()
        taken = Risk.objects.filter(
            partnership=self.instance.partnership, reference__iexact=reference, archived_at=None
        )
        if taken.exclude(pk=self.instance.pk).exists():
            raise ValidationError(f"Risk {reference} already exists: choose another reference")
        return reference

    def clean(self):
        data = super().clean()
        scores = [data.get(name) for name in ("inherent_likelihood", "inherent_impact")]
        scores += [data.get(name) for name in ("residual_likelihood", "residual_impact")]
        if all(scores) and scores[2] * scores[3] > scores[0] * scores[1]:
            self.add_error(
                "residual_impact",
                "The score after controls cannot be higher than the score before controls",
            )
        return data

    def save_by(self, by):
        risk = self.save(commit=False)
        risk._history_user = by
        risk.save()
        self.save_m2m()
        return risk


class ReviewForm(forms.Form):
    reviewed_on = DateField(label="Date of the review", help_text="For example, 27 3 2027")
    likelihood = scale_field("Likelihood now", Likelihood)
    impact = scale_field("Impact now", Impact)
    commentary = required_text(
        "Commentary",
        "Enter the commentary",
        rows=5,
        help_text="What has changed, what the controls and actions achieved, what happens next.",
    )
    next_review_on = review_date_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewed_on"].required = True
        self.fields["reviewed_on"].error_messages["required"] = "Enter the date of the review"

    def clean_reviewed_on(self):
        value = self.cleaned_data["reviewed_on"]
        if value > timezone.localdate():
            raise ValidationError("Date of the review must be today or in the past")
        return value


class AppetiteForm(forms.Form):
    score = forms.IntegerField(
        label="Risk appetite score",
        min_value=1,
        max_value=25,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text="Risks whose score after controls is above this are above appetite, "
        "from 1 to 25 (likelihood x impact).",
        error_messages={
            "required": "Enter the risk appetite score",
            "invalid": "Risk appetite score must be a whole number, like 12",
            "min_value": "Risk appetite score must be between 1 and 25",
            "max_value": "Risk appetite score must be between 1 and 25",
        },
    )


class ArchiveForm(forms.Form):
    """Nothing to type: the confirmation page's button."""


class RegisterFilter(forms.Form):
    owner = forms.ChoiceField(label="Owner", required=False)
    above = forms.BooleanField(label="Only risks above appetite", required=False)
    due = forms.BooleanField(label="Only risks due for review", required=False)
    archived = forms.BooleanField(label="Archived risks instead", required=False)

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = list(Group.objects.filter(partnerships=partnership).order_by("name"))
        self.agencies = list(Agency.objects.filter(partnerships=partnership).order_by("name"))
        for prefix, owners in (("g", self.groups), ("a", self.agencies)):
            for owner in owners:
                owner.key = f"{prefix}{owner.pk}"
        self.fields["owner"].choices = [
            ("", "Any owner"),
            *((o.key, o.name) for o in self.groups + self.agencies),
        ]

    BOXES = ("above", "due", "archived")

    def shown(self):
        """(owner key, names of the ticked boxes), for the template."""
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("owner") or "", [name for name in self.BOXES if data.get(name)]

    def boxes(self):
        return [(name, self.fields[name].label) for name in self.BOXES]

    def apply(self, risks, *, appetite, today):
        data = self.cleaned_data if self.is_valid() else {}
        risks = risks.exclude(archived_at=None) if data.get("archived") else risks
        risks = risks.filter(archived_at=None) if not data.get("archived") else risks
        owner = data.get("owner") or ""
        if owner[:1] == "g":
            risks = risks.filter(owner_group=owner[1:])
        elif owner[:1] == "a":
            risks = risks.filter(owner_agency=owner[1:])
        if data.get("above"):
            risks = risks.filter(residual__gt=appetite)
        if data.get("due"):
            risks = risks.due_for_review(today)
        return risks
