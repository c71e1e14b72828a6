from django import template
from django.utils.html import format_html

from plans.rag import label

register = template.Library()


@register.filter
def rating_label(rating):
    """The word for a rating value ("not_started" -> "Not started"; empty -> "Not yet rated")."""
    return label(rating)


@register.simple_tag
def rag(rating, word=None):
    """A RAG tag, as includes/rag_tag.html prints it, for tables of many rows (a tag is
    several times cheaper to render than an include)."""
    if not rating:
        return format_html(
            '<strong class="govuk-tag app-rag app-rag--not_started">Not yet rated</strong>'
        )
    return format_html(
        '<strong class="govuk-tag app-rag app-rag--{}">{}</strong>', rating, word or label(rating)
    )
