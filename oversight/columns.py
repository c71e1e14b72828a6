"""Which columns All actions shows: everyone's default, or what the person chose (remembered
in oversight.models.ColumnChoice). The action text is always shown: it is the row's link."""

from django import forms

from .models import ColumnChoice
from .sorting import COLUMNS

ALWAYS = "action"
DEFAULT = list(COLUMNS)


def shown_for(user):
    """The column keys to show `user`, in table order."""
    chosen = ColumnChoice.remembered(user)
    if chosen is None:
        return DEFAULT
    return [key for key in COLUMNS if key in chosen or key == ALWAYS]


class ColumnsForm(forms.Form):
    """Ticked columns; the action column is not offered, as it cannot be hidden."""

    columns = forms.MultipleChoiceField(
        label="Columns to show",
        choices=[(key, label) for key, (label, _order) in COLUMNS.items() if key != ALWAYS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The action itself is always shown.",
    )

    def chosen(self):
        ticked = set(self.cleaned_data["columns"])
        return [key for key in COLUMNS if key in ticked or key == ALWAYS]
