"""The data set's forms, in the GOV.UK voice."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import Truncator

from plans.forms import choices_of, optional_text, required_text
from plans.models import Agency, Group, Objective

from . import periods
from .importing import parse_value
from .models import Frequency, Measure, Unit

DIRECTIONS = [("higher", "Higher is better"), ("lower", "Lower is better")]
DIRECTIONS += [("none", "No direction: watched for its trend only")]


def number_field(label, help_text=""):
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=12,
        decimal_places=2,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
        error_messages={
            "invalid": f"{label} must be a number, like 85 or 21.5",
            "max_digits": f"{label} must be a number under 10,000,000,000",
            "max_decimal_places": f"{label} can have at most 2 decimal places",
            "max_whole_digits": f"{label} must be a number under 10,000,000,000",
        },
    )


class MeasureForm(forms.ModelForm):
    name = required_text("Name", "Enter the measure's name", max_length=200)
    definition = required_text(
        "Definition",
        "Enter the measure's definition",
        rows=4,
        help_text="What is counted, from which system, and how the figure is worked out.",
    )
    unit = forms.ChoiceField(
        label="Unit", choices=Unit.choices, error_messages={"required": "Select the unit"}
    )
    direction = forms.ChoiceField(
        label="Which way is better",
        choices=DIRECTIONS,
        widget=forms.RadioSelect,
        error_messages={"required": "Select which way is better"},
    )
    target = number_field("Target", "Leave empty for a measure watched for its trend only.")
    amber_threshold = number_field(
        "Tolerance (amber threshold)",
        "Short of the target but not past this is Amber; past it is Red. Leave empty for none.",
    )
    frequency = forms.ChoiceField(
        label="How often it is reported",
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how often it is reported"},
    )
    position = forms.IntegerField(
        label="Order on the scorecard",
        required=False,
        min_value=0,
        max_value=999,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={"invalid": "Order must be a whole number, like 3"},
    )

    class Meta:
        model = Measure
        fields = ["name", "definition", "owner_agency", "unit", "target", "amber_threshold"]
        fields += ["frequency", "objectives", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        partnership = self.instance.partnership
        self.fields["owner_agency"] = choices_of(
            Agency.objects.filter(partnerships=partnership), "Owner agency", empty="Not named"
        )
        self.fields["objectives"] = choices_of(
            Objective.objects.filter(partnership=partnership, archived_at=None)
            .select_related("plan")
            .order_by("plan__title", "number"),
            "Objectives it evidences",
            many=True,
        )
        self.fields["objectives"].label_from_instance = lambda o: Truncator(
            f"{o.plan.title}, objective {o.display_number}: {o.text}"
        ).words(30)
        # Shown after the unit, where a person decides the target.
        self.order_fields(["name", "definition", "owner_agency", "unit", "direction"])
        higher = self.instance.higher_is_better
        self.initial.setdefault(
            "direction",
            "none"
            if higher is None and self.instance.pk
            else ("lower" if higher is False else "higher"),
        )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        taken = Measure.objects.live().filter(
            partnership=self.instance.partnership, name__iexact=name
        )
        if taken.exclude(pk=self.instance.pk).exists():
            raise ValidationError(f'A measure called "{name}" already exists: choose another name')
        return name

    def clean(self):
        data = super().clean()
        direction = data.get("direction")
        self.instance.higher_is_better = {"higher": True, "lower": False}.get(direction)
        if data.get("position") is None:
            data["position"] = self.instance.position or 0
        return data

    def save_by(self, by):
        measure = self.save(commit=False)
        measure._history_user = by
        measure.save()
        self.save_m2m()
        return measure


class PeriodForm(forms.Form):
    """Which period to enter values for: the recent ones of each frequency are offered, and
    any earlier period can be named in the address ("quarter:2016-04-01")."""

    period = forms.CharField(
        label="Period", widget=forms.Select, error_messages={"required": "Select a period"}
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        choices = []
        offered = ((periods.QUARTER, "Quarters", 8), (periods.MONTH, "Months", 12))
        for frequency, name, count in offered:
            options = [
                (f"{frequency}:{start.isoformat()}", periods.label(start, frequency))
                for start in periods.recent(frequency, today, count)
            ]
            choices.append((name, options))
        asked = self.data.get("period", "") if self.is_bound else ""
        parsed = self._parse(asked)
        if parsed and asked not in {value for _, options in choices for value, _ in options}:
            choices.append(("Earlier", [(asked, periods.label(parsed[1], parsed[0]))]))
        self.fields["period"].widget.choices = choices

    def _parse(self, text):
        frequency, _, start = str(text).partition(":")
        if frequency not in (periods.QUARTER, periods.MONTH):
            return None
        try:
            start = date.fromisoformat(start)
        except ValueError:
            return None
        if periods.start_of(start, frequency) != start or start > self.today:
            return None
        return frequency, start

    def clean_period(self):
        parsed = self._parse(self.cleaned_data["period"])
        if parsed is None:
            raise ValidationError("Select a period from the list")
        return parsed

    def chosen(self):
        return self.cleaned_data["period"]


class ValuesForm(forms.Form):
    """One form for every live measure of a frequency, for one period: a value or the reason
    it is missing, and commentary, per measure."""

    def __init__(self, *args, measures, start, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.measures, self.start, self.current = measures, start, current
        for measure in measures:
            row = current.get(measure.pk)
            prefix = f"m{measure.pk}"
            self.fields[f"{prefix}_value"] = forms.CharField(
                label=f"Value of {measure.name}", required=False, max_length=30
            )
            self.fields[f"{prefix}_missing"] = forms.CharField(
                label="Or: why it is missing", required=False, max_length=300
            )
            self.fields[f"{prefix}_commentary"] = optional_text("Commentary", rows=2)
            if row is not None:
                self.initial[f"{prefix}_value"] = (
                    "" if row.value is None else str(row.value.normalize())
                )
                self.initial[f"{prefix}_missing"] = row.missing_reason
                self.initial[f"{prefix}_commentary"] = row.commentary

    def groups(self):
        """(measure, value, missing, commentary, what is recorded now in words)."""
        for measure in self.measures:
            prefix = f"m{measure.pk}"
            row = self.current.get(measure.pk)
            now = ""
            if row is not None:
                now = (
                    measure.show(row.value)
                    if row.value is not None
                    else (f"missing ({row.missing_reason})")
                )
            yield (
                measure,
                self[f"{prefix}_value"],
                self[f"{prefix}_missing"],
                self[f"{prefix}_commentary"],
                now,
            )

    def clean(self):
        data = super().clean()
        self.wanted = []
        for measure in self.measures:
            self._clean_one(measure, data)
        return data

    def _clean_one(self, measure, data):
        prefix = f"m{measure.pk}"
        text = (data.get(f"{prefix}_value") or "").strip()
        reason = (data.get(f"{prefix}_missing") or "").strip()
        commentary = (data.get(f"{prefix}_commentary") or "").strip()
        row = self.current.get(measure.pk)
        if not text and not reason:
            if row is not None or commentary:
                self.add_error(
                    f"{prefix}_value",
                    f"Enter the value of {measure.name}, or say why it is missing",
                )
            return
        value, missing, error = parse_value(text) if text else (None, "", "")
        if error:
            self.add_error(f"{prefix}_value", f"{measure.name}: {error}")
            return
        if value is not None and reason:
            self.add_error(
                f"{prefix}_missing",
                f"{measure.name}: give a value or a reason it is missing, not both",
            )
            return
        self.wanted.append((measure, value, reason or missing, commentary))

    def save_by(self, by):
        counts = {"added": 0, "changed": 0, "unchanged": 0}
        for measure, value, reason, commentary in self.wanted:
            _, what = measure.record(
                self.start, by=by, value=value, missing_reason=reason, commentary=commentary
            )
            counts[what] += 1
        return counts


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        help_text="An Excel .xlsx file or a .csv file.",
        error_messages={
            "required": "Select a file to import",
            "empty": "The selected file is empty",
        },
    )


class LeadGroupForm(forms.Form):
    """Which group's chairs manage the data set beside the board officers."""

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_group"] = choices_of(
            Group.objects.filter(partnerships=partnership).order_by("name"),
            "Group that leads the data set",
            empty="None: board officers only",
            help_text="Its chairs add and edit measures, enter values and import them.",
        )


class ArchiveForm(forms.Form):
    pass
