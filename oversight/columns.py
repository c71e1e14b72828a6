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


def options(shown):
    """(id, value, label, ticked) for each column the form offers, as ColumnsForm's own
    checkboxes name them: All actions prints these rather than iterating the bound field,
    which builds a widget and a dictionary for every checkbox on every view of the page."""
    offered = ColumnsForm.base_fields["columns"].choices
    return [(f"id_columns_{n}", key, label, key in shown) for n, (key, label) in enumerate(offered)]


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
