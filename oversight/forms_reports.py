"""Forms for a sub-group's highlight report and for BMG's decisions (GOV.UK voice)."""

from django import forms

from plans.forms import DateField, choices_of, optional_text, required_text
from plans.models import Agency, Group

from .models import HighlightReport

NEEDS_ACTION = [("yes", "Yes: it becomes a tracked action"), ("no", "No: record it in the log")]


class HighlightReportForm(forms.ModelForm):
    progress = required_text(
        "Progress since the last meeting",
        "Enter the group's progress since the last meeting",
        rows=6,
        help_text="What the group did and achieved against its work plan and the business plan.",
    )
    risks = optional_text(
        "Risks and issues", rows=4, help_text="What could stop the group doing its work."
    )
    escalations = optional_text(
        "Escalations to BMG", rows=4, help_text="What the group cannot resolve and BMG should."
    )
    asks = optional_text(
        "Asks of BMG", rows=4, help_text="Decisions, support or resources the group needs."
    )

    class Meta:
        model = HighlightReport
        fields = ["progress", "risks", "escalations", "asks"]


class DecisionForm(forms.Form):
    """A decision, and when it needs doing, the action it becomes: what, who leads it (a group
    or an agency, whose chairs or leads then update it) and by when."""

    text = required_text("What did BMG decide?", "Enter the decision", rows=4)
    needs_action = forms.ChoiceField(
        label="Does it need doing?",
        choices=NEEDS_ACTION,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the decision needs doing"},
    )
    action_text = optional_text(
        "The action",
        rows=3,
        help_text="What will be done. Leave empty to use the decision's words.",
    )
    lead_group = None  # set in __init__ (the partnership's groups)
    lead_agency = None
    due_date = DateField(label="Due date", required=False, help_text="For example, 30 9 2026")

    def __init__(self, *args, partnership, decision=None, **kwargs):
        self.decision = decision
        action = None
        if decision is not None:  # the action it became, unless withdrawn since
            action = decision.actions.filter(withdrawn_on__isnull=True).order_by("position").first()
        if decision is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_of(decision, action)
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields["lead_group"] = choices_of(
            Group.objects.filter(partnerships=partnership),
            "Leading group",
            empty="None",
        )
        self.fields["lead_agency"] = choices_of(
            Agency.objects.filter(partnerships=partnership),
            "Leading agency",
            empty="None",
        )
        self.order_fields(["text", "needs_action", "action_text", "lead_group", "lead_agency"])
        # Needed when the decision needs doing: not "(optional)", and the hint says when.
        for name, hint in (
            ("lead_group", "A group or an agency leads it: its chairs and members update it."),
            ("lead_agency", "Or an agency: its agency leads update it."),
            ("due_date", "Needed when it needs doing. For example, 30 9 2026"),
        ):
            self.fields[name].conditional = True
            self.fields[name].help_text = hint

    def clean(self):
        data = super().clean()
        if data.get("needs_action") == "yes":
            if not (data.get("lead_group") or data.get("lead_agency")):
                self.add_error("lead_group", "Select the group or agency that will lead it")
            if not data.get("due_date") and "due_date" not in self.errors:
                self.add_error("due_date", "Enter the date it is due by")
        elif data.get("needs_action") == "no" and self.action is not None:
            self.add_error(
                "needs_action",
                "This decision already has a tracked action: withdraw the action from its page "
                "first, then record that the decision needs no doing",
            )
        return data


def initial_of(decision, action):
    initial = {"text": decision.text, "needs_action": "yes" if decision.needs_action else "no"}
    if action is not None:
        initial |= {
            "action_text": action.text,
            "lead_group": action.lead_groups.first(),
            "lead_agency": action.lead_agencies.first(),
            "due_date": action.revised_due_date or action.due_date,
        }
    return initial
