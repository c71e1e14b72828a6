from django import template

from plans.rag import label

register = template.Library()


@register.filter
def rating_label(rating):
    """The word for a rating value ("not_started" -> "Not started"; empty -> "Not yet rated")."""
    return label(rating)
