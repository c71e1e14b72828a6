from django import template
from django.utils.html import format_html
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
