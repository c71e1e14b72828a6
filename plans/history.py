"""The vetted place for writes that bypass `Model.save()`.

django-simple-history records nothing for `QuerySet.update()`, bulk writes or database-level
cascades. Code that needs a bulk write comes here, where each helper writes the history rows
itself; `tests/plans/test_history_guard.py` fails if such calls appear anywhere else.
"""

from contextlib import contextmanager

from django.apps import apps
from django.db.models import Max
from simple_history.models import HistoricalChanges
from simple_history.utils import bulk_create_with_history

from .models import Action, RagUpdate


def tracked_models():
    """Every concrete model that keeps history, in dependency-friendly app order."""
    return [
        model
        for model in apps.get_models()
        if hasattr(model, "history") and not issubclass(model, HistoricalChanges)
    ]


def m2m_snapshot_model(model, field_name):
    """The history table of a many-to-many field (one row per link in each snapshot)."""
    return getattr(model.history.model, field_name).model


def create_with_history(model, objs, user=None, reason=""):
    """Bulk-insert `objs` and one "+" history row each, attributed to `user`."""
    created = bulk_create_with_history(
        objs, model, default_user=user, default_change_reason=reason, batch_size=500
    )
    if model is RagUpdate:
        refresh_latest_updates({obj.action_id for obj in objs})
    return created


def refresh_latest_updates(action_ids=None):
    """Bring the current-rating columns of these actions (all when None) up to date."""
    actions = (
        Action.objects.all()
        if action_ids is None
        else Action.objects.filter(pk__in=list(action_ids))
    )
    return actions.refresh_current_rating()


def record_missing_history(reason):
    """Give every tracked row that has no history an initial "+" record.

    Fixture loading saves raw, which simple-history does not record; without a first record
    an object would be invisible to as-of queries. Rows that already have history are left
    alone, so this is safe to repeat.
    """
    created = {}
    for model in tracked_models():
        seen = model.history.values_list(model._meta.pk.attname, flat=True)
        missing = list(model._default_manager.exclude(pk__in=seen))
        if missing:
            model.history.bulk_history_create(missing, default_change_reason=reason)
            created[model._meta.label] = len(missing)
    return created


@contextmanager
def recorded_on(when, *models):
    """Demo only: the history rows that the block writes for `models` are dated `when`, as if
    entered then, so packs as of the demo's past deadlines see what was known by then."""
    marks = {model: model.history.aggregate(n=Max("history_id"))["n"] or 0 for model in models}
    yield
    for model, mark in marks.items():
        model.history.filter(history_id__gt=mark).update(history_date=when)


def backdate_history(when):
    """Demo only: date every history record so far `when` (e.g. the seed, before the demo's
    first cycle), so packs as of the demo's past deadlines see the plans as loaded."""
    for model in tracked_models():
        model.history.filter(history_date__gt=when).update(history_date=when)
