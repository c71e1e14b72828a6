"""Forms in the GOV.UK voice: messages say what is wrong and how to put it right."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from .models import Action, Agency, Group, Objective, Plan, Priority, Rating, Role
from .updates import problems, record_update

COMMENT_MAX = 5000
COMMENT_FOR = Rating.comment_required()


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
        self,
        *args,
        current_rating=None,
        current_revised=None,
        correcting=False,
        meanings=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.current_rating = current_rating
        self.current_revised = current_revised
        self.correcting = correcting
        rating, comment = self.fields["rating"], self.fields["comment"]
        rating.choice_hints = meanings or Rating.meanings()
        needed = ", ".join(Rating(r).label for r in Rating.form_order() if r in COMMENT_FOR)
        if current_rating and not correcting:
            now = Rating.label_of(current_rating)
            rating.help_text = f"Now {now}. Keep {now} if nothing has changed."
        comment.conditional = True  # needed by some ratings: no "(optional)" after the label
        comment.help_text = (
            f"Needed for {needed.replace(', Complete', ' and Complete')}, and when the rating "
            "changes. Say what has happened since the last update, and what happens next."
        )

    def clean_revised_due_date(self):
        value = self.cleaned_data.get("revised_due_date")
        if value and not date(2000, 1, 1) <= value <= date(2100, 12, 31):
            raise ValidationError("Revised due date must be between 2000 and 2100")
        return value

    def clean(self):
        data = super().clean()
        data["comment"] = (data.get("comment") or "").strip()
        data["revision_reason"] = (data.get("revision_reason") or "").strip()
        # Everything in one pass: the due-date rules apply whether or not a rating was chosen
        # (the rating field says so itself when it is missing or not a rating).
        found = problems(
            rating=data.get("rating") or "",
            comment=data["comment"],
            current_rating=self.current_rating,
            revised_due_date=data.get("revised_due_date"),
            current_revised=self.current_revised,
            revision_reason=data["revision_reason"],
            correcting=self.correcting,
        )
        for name, message in found.items():
            if name in self.fields and name != "rating" and name not in self.errors:
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


class RatingMeaningsForm(forms.Form):
    """A partnership's words for what each rating means, one box per rating."""

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        for rating, text in partnership.meanings().items():
            label = Rating(rating).label
            self.fields[rating] = required_text(
                label, f"Enter what {label} means", max_length=300, rows=2
            )
            self.initial[rating] = text


class QuickUpdateForm(UpdateForm):
    """A row of "My actions": leaving the rating unselected skips the action."""

    def __init__(self, *args, subject="", **kwargs):
        super().__init__(*args, **kwargs)
        if subject:  # many rows on one page: each label names its action
            self.fields["rating"].label = f"RAG rating for {subject}"
            self.fields["comment"].label = f"Progress comment for {subject}"
            self.fields["comment"].help_text = ""
            self.fields["rating"].help_text = ""
            self.fields["rating"].choice_hints = {}  # the page says what ratings mean once
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


# -- Setting up and maintaining plans, groups, agencies and people ------------------------------

TEXT_MAX = 5000


def required_text(label, message, *, max_length=TEXT_MAX, rows=None, help_text=""):
    """A text box or area whose messages say what to type (GOV.UK voice)."""
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label,
        max_length=max_length,
        widget=widget,
        help_text=help_text,
        error_messages={
            "required": message,
            "max_length": f"{label} must be {max_length:,} characters or fewer",
        },
    )


def optional_text(label, *, max_length=TEXT_MAX, rows=3, help_text=""):
    field = required_text(label, "", max_length=max_length, rows=rows, help_text=help_text)
    field.required = False
    return field


def number_field(label, message):
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=999,
        # Three characters wide, as GOV.UK sizes an input to what it holds.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "required": message,
            "invalid": f"{label} must be a whole number, like 3",
            "min_value": f"{label} must be 1 or more",
            "max_value": f"{label} must be 999 or less",
        },
    )


def choices_of(queryset, label, *, required=False, empty="", help_text="", many=False):
    if many:
        return forms.ModelMultipleChoiceField(
            queryset=queryset,
            required=False,
            label=label,
            help_text=help_text,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": f"Select {label.lower()} from the list"},  # noqa: S608
        )
    return forms.ModelChoiceField(
        queryset=queryset,
        required=required,
        label=label,
        help_text=help_text,
        empty_label=empty or None,
        error_messages={
            "required": f"Select {label[0].lower()}{label[1:]}",
            "invalid_choice": f"Select {label[0].lower()}{label[1:]} from the list",  # noqa: S608
        },
    )


def checked_plan_date(value, label):
    if value and not date(1990, 1, 1) <= value <= date(2100, 12, 31):
        raise ValidationError(f"{label} must be between 1990 and 2100")
    return value


class PlanForm(forms.ModelForm):
    title = required_text("Title", "Enter the plan's title", max_length=200)
    starts_on = DateField(label="Start date", required=False, help_text="For example, 1 4 2026")
    ends_on = DateField(label="End date", required=False, help_text="For example, 31 3 2029")
    introduction = optional_text("Introduction", rows=4)

    class Meta:
        model = Plan
        fields = ["title", "starts_on", "ends_on", "introduction"]

    def clean_starts_on(self):
        return checked_plan_date(self.cleaned_data.get("starts_on"), "Start date")

    def clean_ends_on(self):
        return checked_plan_date(self.cleaned_data.get("ends_on"), "End date")

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "End date must be the same as or after the start date")
        return data


class NumberedInPlan(forms.ModelForm):
    """A priority or objective: its number is unique in its plan."""

    what = ""

    def clean_number(self):
        number = self.cleaned_data["number"]
        taken = type(self.instance).objects.filter(plan=self.instance.plan, number=number)
        if taken.exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                f"This plan already has {self.what} {number}: choose another number"
            )
        return number


class PriorityForm(NumberedInPlan):
    what = "priority"
    number = number_field("Number", "Enter the priority's number")
    title = required_text("Priority", "Enter the priority", rows=3)

    class Meta:
        model = Priority
        fields = ["number", "title"]


class ObjectiveForm(NumberedInPlan):
    what = "objective"
    number = number_field("Number", "Enter the objective's number")
    text = required_text(
        "What do we want to achieve?", "Enter what the objective wants to achieve", rows=3
    )

    class Meta:
        model = Objective
        fields = ["number", "text", "priority"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"] = choices_of(
            self.instance.plan.priorities.all(),
            "Priority it serves",
            empty="Not linked to a priority",
            help_text="Leave unlinked where the plan does not say.",
        )


class ActionForm(forms.ModelForm):
    """An action of any parent: the words as written, with the links permissions follow."""

    text = required_text("How are we going to do it?", "Enter the action", rows=4)
    lead_text = optional_text(
        "Who will lead? (as written)",
        rows=2,
        help_text="A group, a role or several, as the plan says it.",
    )
    measure = optional_text("How will we know we have achieved it?", rows=3)
    timescale = optional_text(
        "When are we going to achieve this? (as written)",
        max_length=500,
        rows=2,
        help_text="For example, June 2026 Oct 2026 Feb 2027, or By 31/12/2026. The due date "
        "and milestones are read from these words where they allow.",
    )

    class Meta:
        model = Action
        fields = ["text", "lead_text", "lead_groups", "lead_agencies", "lead_users"]
        fields += ["measure", "timescale"]

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        user_model = Action.lead_users.field.related_model
        self.fields["lead_groups"] = choices_of(
            Group.objects.filter(partnerships=partnership),
            "Leading groups",
            many=True,
            help_text="Their chairs and members can update the action.",
        )
        self.fields["lead_agencies"] = choices_of(
            Agency.objects.filter(partnerships=partnership),
            "Agencies",
            many=True,
            help_text="Their agency leads can update the action.",
        )
        self.fields["lead_users"] = choices_of(
            user_model.objects.filter(roles__partnership=partnership, is_active=True)
            .distinct()
            .order_by("first_name", "last_name", "username"),
            "People who lead it",
            many=True,
        )
        self.fields["lead_users"].label_from_instance = person_name

    def save_edit(self, *, by):
        action = self.save(commit=False)
        data = self.cleaned_data
        return action.save_edit(
            by=by,
            lead_groups=data["lead_groups"],
            lead_agencies=data["lead_agencies"],
            lead_users=data["lead_users"],
        )


class MoveActionForm(forms.Form):
    objective = forms.ModelChoiceField(
        queryset=Objective.objects.none(),
        label="Move it to",
        empty_label=None,
        error_messages={
            "required": "Select the objective to move it to",
            "invalid_choice": "Select the objective to move it to from the list",
        },
    )

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["objective"]
        field.queryset = (
            Objective.objects.filter(
                partnership=action.parent.partnership_id,
                archived_at=None,
                plan__archived_at=None,
            )
            .exclude(pk=action.parent_id)
            .select_related("plan")
            .order_by("plan__title", "number")
        )
        field.label_from_instance = lambda o: f"{o.plan.title}: {o.number}. {o.text[:90]}"


def person_name(user):
    name = user.get_full_name()
    return f"{name} ({user.email or user.get_username()})" if name else user.get_username()


class GroupForm(forms.ModelForm):
    name = required_text("Name", "Enter the group's name", max_length=200)
    meets_per_year = forms.IntegerField(
        label="Meetings a year",
        required=False,
        min_value=0,
        max_value=52,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Meetings a year must be a whole number, like 3",
            "min_value": "Meetings a year must be 0 or more",
            "max_value": "Meetings a year must be 52 or less",
        },
    )

    class Meta:
        model = Group
        fields = ["name", "kind", "parent", "meets_per_year"]
        labels = {"kind": "Kind of group"}

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].error_messages["required"] = "Select the kind of group"
        self.fields["parent"] = choices_of(
            Group.objects.filter(partnerships=partnership).exclude(pk=self.instance.pk),
            "Reports to",
            empty="No parent group",
        )

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if parent and self.instance.pk and self.instance.pk in parent.ancestors_and_self():
            raise ValidationError(
                f"{parent.name} reports to this group already: choose a group above it"
            )
        return parent


class AgencyForm(forms.ModelForm):
    name = required_text("Name", "Enter the agency's name", max_length=200)
    short_name = forms.CharField(
        label="Short name",
        required=False,
        max_length=60,
        error_messages={"max_length": "Short name must be 60 characters or fewer"},
    )

    class Meta:
        model = Agency
        fields = ["name", "short_name", "kind"]
        labels = {"kind": "Kind of agency"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].error_messages["required"] = "Select the kind of agency"

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        taken = Agency.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(f"{name} is already recorded: use that agency")
        return name


class RoleForm(forms.Form):
    """A role in one partnership: a kind, and the group or agency it needs."""

    kind = forms.ChoiceField(
        label="Role",
        choices=Role.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select a role",
            "invalid_choice": "Select a role from the list",
        },
    )

    def __init__(self, *args, partnership, user=None, can_grant_admin=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership, self.user = partnership, user
        if not can_grant_admin:  # only administrators make administrators
            self.fields["kind"].choices = [
                c for c in Role.Kind.choices if c[0] != Role.Kind.ADMINISTRATOR
            ]
        self.fields["group"] = choices_of(
            Group.objects.filter(partnerships=partnership),
            "Group",
            empty="Choose a group",
            help_text="For a group chair or member: the group.",
        )
        self.fields["agency"] = choices_of(
            Agency.objects.filter(partnerships=partnership),
            "Agency",
            empty="Choose an agency",
            help_text="For an agency lead: the agency.",
        )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in (Role.Kind.CHAIR, Role.Kind.MEMBER):
            if not data.get("group"):
                self.add_error("group", "Select the group they chair or belong to")
            data["agency"] = None
        elif kind == Role.Kind.AGENCY_LEAD:
            if not data.get("agency"):
                self.add_error("agency", "Select the agency they lead for")
            data["group"] = None
        elif kind:
            data["group"] = data["agency"] = None
        if kind and self.user is not None and not self.errors and self._held(data):
            self.add_error("kind", "They already have this role")
        return data

    def _held(self, data):
        return Role.objects.filter(
            user=self.user,
            partnership=self.partnership,
            kind=data["kind"],
            group=data["group"],
            agency=data["agency"],
        ).exists()

    def role(self):
        """The role to give (unsaved; its user is set by the caller for a new person)."""
        data = self.cleaned_data
        return Role(
            user=self.user,
            partnership=self.partnership,
            kind=data["kind"],
            group=data["group"],
            agency=data["agency"],
        )


class InviteForm(RoleForm):
    email = forms.EmailField(
        label="Email address",
        max_length=150,
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
            "max_length": "Email address must be 150 characters or fewer",
        },
    )
    first_name = required_text("First name", "Enter their first name", max_length=150)
    last_name = required_text("Last name", "Enter their last name", max_length=150)

    field_order = ["email", "first_name", "last_name", "kind", "group", "agency"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        user_model = Action.lead_users.field.related_model
        taken = user_model.objects.filter(username__iexact=email) | user_model.objects.filter(
            email__iexact=email
        )
        if taken.exists():
            raise ValidationError(
                "Someone with this email address already has an account: give them a role "
                "from their page"
            )
        return email


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why is it withdrawn?",
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter why the action is withdrawn",
            "max_length": f"Reason must be {COMMENT_MAX:,} characters or fewer",
        },
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("Enter why the action is withdrawn")
        return reason
