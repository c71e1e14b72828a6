"""The tags that write table rows and select options in Python (plans/templatetags/tracker.py)
print what the template loops they replaced printed, character for character."""

from datetime import date

import pytest
from django import forms
from django.template import Context, Template
from django.utils.text import Truncator

from plans.listing import with_children
from plans.models import Action
from plans.templatetags.tracker import first_words, select_options
from tests.factories import make_update

# The loops as plans/_action_table.html and includes/field.html had them.
ROWS_LOOP = Template(
    """{% load tracker %}{% for action in actions %}
    <tr class="govuk-table__row">
      {% if "ref" in cols %}<td class="govuk-table__cell">{{ action.display_ref }}</td>{% endif %}
      <td class="govuk-table__cell app-table__cell--text"><a class="govuk-link" href="{% url 'plans:action_detail' action.pk %}">{{ action.text|truncatewords:24 }}</a></td>
      {% if "from" in cols %}<td class="govuk-table__cell">{{ action.parent.child.container_label }}</td>{% endif %}
      {% if "lead" in cols %}<td class="govuk-table__cell">{{ action.lead_text|default:"Not recorded"|truncatewords:12 }}</td>{% endif %}
      {% if "due" in cols %}<td class="govuk-table__cell">{% if action.effective_due %}{{ action.effective_due|date:"j M Y" }}{% if action.revised_due_date %} <span class="app-muted">(revised)</span>{% endif %}{% else %}<span class="app-muted">{{ action.timescale|default:"No date"|truncatewords:6 }}</span>{% endif %}</td>{% endif %}
      {% if "rating" in cols %}<td class="govuk-table__cell">{% rag action.latest_rating %}</td>{% endif %}
      {% if "updated" in cols %}<td class="govuk-table__cell">{{ action.latest_as_of|date:"j M Y"|default:"Never" }}</td>{% endif %}
      {% if "comment" in cols %}<td class="govuk-table__cell app-table__cell--text">{% include "plans/_comment_cell.html" with comment=action.latest_comment %}</td>{% endif %}
    </tr>
    {% endfor %}"""  # noqa: E501
)
OPTIONS_LOOP = Template(
    """{% for option in field.subwidgets %}<option value="{{ option.data.value|default_if_none:'' }}"{% if option.data.selected %} selected{% endif %}>{{ option.data.label }}</option>
    {% endfor %}"""  # noqa: E501
)


def squeezed(html):
    """The markup line by line, without the indentation and blank lines the template's layout
    and unshown cells left."""
    return "\n".join(line.strip() for line in html.splitlines() if line.strip())


@pytest.mark.parametrize(
    "text",
    ["", "one", "a  b\tc\nd", " lead and trail ", "ends with …", "w " * 30, "x …" * 20],
)
@pytest.mark.parametrize("count", [1, 6, 12, 24])
def test_first_words_are_truncatewords(text, count):
    assert first_words(text, count) == Truncator(text).words(count, truncate=" …")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cols", [["ref", "action", "from", "lead", "due", "rating", "updated", "comment"], ["due"]]
)
def test_action_rows_print_what_the_template_loop_printed(seed, cols, django_user_model):
    author = django_user_model.objects.create_user("t-author", password="correct-horse-battery")
    picked = list(Action.objects.order_by("pk")[:6])
    picked[0].text = "<b>Bold</b> & " + " ".join(f"word{n}" for n in range(40))
    picked[0].lead_text = ""
    picked[0].revised_due_date, picked[0].revision_reason = date(2027, 3, 1), "Agreed at BMG"
    picked[1].due_date, picked[1].timescale = None, ""
    picked[2].due_date, picked[2].timescale = None, "Ongoing through the life of the plan"
    for action in picked[:3]:
        action.save()
    long = "First line\nsecond <line> & " + " ".join(f"more{n}" for n in range(30))
    for action, comment in [(picked[0], long), (picked[3], "Short & sweet"), (picked[4], "")]:
        make_update(
            action=action, rating="amber", comment=comment, as_of=date(2025, 1, 6), author=author
        )
    actions = with_children(Action.objects.filter(pk__in=[a.pk for a in picked]).for_page())
    new = Template("{% load tracker %}{% action_rows actions cols %}").render(
        Context({"actions": actions, "cols": cols})
    )
    old = ROWS_LOOP.render(Context({"actions": actions, "cols": cols}))
    assert squeezed(new) == squeezed(old)
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp;" in new or "ref" not in cols


class Choices(forms.Form):
    plain = forms.ChoiceField(choices=[("", "Any"), ("a", "A & B"), ("1", "One")], required=False)
    grouped = forms.ChoiceField(
        choices=[("", "Any"), ("Letters", [("a", "A"), ("b", "<B>")]), ("n", "N")],
        required=False,
    )
    many = forms.MultipleChoiceField(
        choices=[("a", "A"), ("b", "B"), ("c", "C")], required=False, widget=forms.SelectMultiple
    )
    number = forms.TypedChoiceField(choices=[(None, "None"), (1, "One"), (2, "Two")], coerce=int)


@pytest.mark.parametrize(
    "data",
    [None, {"plain": "a", "grouped": "b", "many": ["a", "c"], "number": "2"}, {"plain": "zzz"}],
)
@pytest.mark.parametrize("name", ["plain", "grouped", "many", "number"])
def test_select_options_print_what_the_option_loop_printed(data, name):
    form = Choices(data)
    field = form[name]
    assert select_options(field) == OPTIONS_LOOP.render(Context({"field": field}))
