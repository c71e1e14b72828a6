"""Test data written the way the product writes it.

`make_update` stores a RAG update with exactly the fields a test names (any date, rating or
author, with no comment rules) and then keeps the action's current-rating columns right, as
plans/updates.py does for real updates.
"""

from plans.models import Action, RagUpdate


def make_update(**fields):
    update = RagUpdate.objects.create(**fields)
    Action.objects.filter(pk=update.action_id).refresh_current_rating()
    return update
