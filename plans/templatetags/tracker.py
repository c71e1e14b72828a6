from django import template
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.dates import MONTHS_3
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from plans.rag import label

register = template.Library()

NOT_RATED_TAG = mark_safe(  # noqa: S308  (a constant)
    '<strong class="govuk-tag app-rag app-rag--not_started">Not yet rated</strong>'
)


@register.filter
def rating_label(rating):
    """The word for a rating value ("not_started" -> "Not started"; empty -> "Not yet rated")."""
    return label(rating)


@register.simple_tag
def rag(rating, word=None):
    """A RAG tag, as includes/rag_tag.html prints it, for tables of many rows (a tag is
    several times cheaper to render than an include)."""
    if not rating:
        return NOT_RATED_TAG
    return format_html(
        '<strong class="govuk-tag app-rag app-rag--{}">{}</strong>', rating, word or label(rating)
    )


@register.filter
def choice_hint(field, value):
    """The hint under one radio of `field` (a BoundField whose field has `choice_hints`)."""
    return getattr(field.field, "choice_hints", {}).get(value, "")


# -- Rows of plans/_action_table.html ----------------------------------------------------------

ROW_PK = 987654321  # a stand-in pk: the action link is reversed once per table, not per row


def first_words(text, count):
    """`text|truncatewords:count`, as Truncator.words(count, truncate=" …") gives it (runs of
    whitespace become one space), without a lazy Truncator object for each cell."""
    words = text.split()
    if len(words) <= count:
        return " ".join(words)
    shown = " ".join(words[:count])
    return shown if shown.endswith(" …") else f"{shown} …"


def short_date(value):
    """`value|date:"j M Y"` ("29 Feb 2020"), as the date filter prints it, without building a
    DateFormat for each cell; "" for None."""
    if not value:
        return ""
    return f"{value.day} {MONTHS_3[value.month].title()} {value.year}"


def comment_cell(comment):
    """plans/_comment_cell.html: the first words, and the whole comment behind a native
    disclosure when it is longer."""
    if not comment:
        return '<span class="app-muted">None</span>'
    whole = linebreaksbr(comment, autoescape=True)
    if len(comment.split()) <= 20:
        return whole
    return (
        '<details class="app-comment">\n  <summary class="app-comment__summary">'
        f"{escape(first_words(comment, 20))}"
        '<span class="govuk-visually-hidden"> Show the whole comment</span></summary>\n'
        f'  <div class="app-comment__full">{whole}</div>\n</details>'
    )


def _action_row(action, cols, href):
    cells = []
    if "ref" in cols:
        cells.append(f'<td class="govuk-table__cell">{escape(action.display_ref)}</td>')
    text = escape(first_words(action.text, 24))
    cells.append(
        '<td class="govuk-table__cell app-table__cell--text"><a class="govuk-link" '
        f'href="{href[0]}{action.pk}{href[1]}">{text}</a></td>'
    )
    if "from" in cols:
        label = escape(action.parent.child.container_label)
        cells.append(f'<td class="govuk-table__cell">{label}</td>')
    if "lead" in cols:
        lead = escape(first_words(action.lead_text or "Not recorded", 12))
        cells.append(f'<td class="govuk-table__cell">{lead}</td>')
    if "due" in cols:
        if action.effective_due:
            due = short_date(action.effective_due)
            if action.revised_due_date:
                due += ' <span class="app-muted">(revised)</span>'
        else:
            words = first_words(action.timescale or "No date", 6)
            due = f'<span class="app-muted">{escape(words)}</span>'
        cells.append(f'<td class="govuk-table__cell">{due}</td>')
    if "rating" in cols:
        cells.append(f'<td class="govuk-table__cell">{rag(action.latest_rating)}</td>')
    if "updated" in cols:
        updated = short_date(action.latest_as_of) or "Never"
        cells.append(f'<td class="govuk-table__cell">{updated}</td>')
    if "comment" in cols:
        comment = comment_cell(action.latest_comment)
        cells.append(f'<td class="govuk-table__cell app-table__cell--text">{comment}\n</td>')
    return '<tr class="govuk-table__row">\n      ' + "\n      ".join(cells) + "\n    </tr>"


@register.simple_tag
def action_rows(actions, cols):
    """The body rows of plans/_action_table.html, written here rather than in the template:
    a list page prints 50 rows of 8 cells, and a template loop spends most of the page's
    time resolving variables, applying filters and reversing the link of each row. The cells
    are the ones the template printed, escaped the same way."""
    link = reverse("plans:action_detail", args=[ROW_PK])
    href = link.split(str(ROW_PK), 1)
    return mark_safe(  # noqa: S308  (every value below is escaped or our own markup)
        "\n    ".join(_action_row(action, cols, href) for action in actions)
    )


@register.simple_tag
def select_options(field):
    """The <option>s of a select field (includes/field.html): the values, labels and the one
    selected as the widget's own options have them (Django's ChoiceWidget.optgroups, groups
    flattened), without building a widget option object for each. A list of groups or
    agencies is dozens of options, and those objects were most of a filter panel's time."""
    widget = field.field.widget
    value = widget.format_value(field.value())
    chosen_once = False
    options = []
    for option_value, option_label in widget.choices:
        if isinstance(option_label, (list, tuple)):
            choices = option_label
        else:
            choices = [("" if option_value is None else option_value, option_label)]
        for subvalue, sublabel in choices:
            selected = (not chosen_once or widget.allow_multiple_selected) and str(
                subvalue
            ) in value
            chosen_once |= selected
            options.append(
                format_html(
                    '<option value="{}"{}>{}</option>\n    ',
                    "" if subvalue is None else subvalue,
                    " selected" if selected else "",
                    sublabel,
                )
            )
    return mark_safe("".join(options))  # noqa: S308  (each option built by format_html)
