"""Archiving instead of deleting: plans, workstreams and case reviews.

Nothing with history is deleted through the app. Archiving stamps `archived_at` on the thing
and on each objective or recommendation under it, one save at a time, so every change is in
history with the person who made it; its actions then drop out of lists, exports, reminders,
return rates and later packs. Restoring clears the stamps the same way. Packs for deadlines
before the archiving still show it, because they are built from history as it stood then.

plans/ must not import workstreams/ or reviews/, so the three kinds are named by model label.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # "business plan", as in "Archive this business plan?"
    model: str
    children: tuple | None  # (model label, foreign key to the archived object)
    name: Callable  # obj -> how it is shown in the archive list and messages
    url: Callable  # obj -> its page while it is live

    def model_class(self):
        return apps.get_model(self.model)


KINDS = {
    kind.key: kind
    for kind in (
        Kind(
            "plan",
            "business plan",
            "plans.Plan",
            ("plans.Objective", "plan"),
            name=str,
            url=lambda plan: reverse("plans:plan_detail", args=[plan.slug]),
        ),
        Kind(
            "workstream",
            "workstream",
            "workstreams.Workstream",
            None,
            name=lambda ws: f"Workstream {ws.number}: {ws.title}",
            url=lambda ws: reverse("workstreams:workstream_list", args=[ws.partnership.short_name]),
        ),
        Kind(
            "review",
            "case review",
            "reviews.CaseReview",
            ("reviews.Recommendation", "review"),
            name=lambda review: f"{review.code}{': ' + review.title if review.title else ''}",
            url=lambda review: reverse("reviews:review_detail", args=[review.pk]),
        ),
    )
}


def kind_for(key):
    try:
        return KINDS[key]
    except KeyError as exc:
        raise Http404("Only plans, workstreams and reviews can be archived") from exc


def kind_of(obj):
    return next(kind for kind in KINDS.values() if kind.model == obj._meta.label)


def archived_by(kind, objects):
    """{pk: user} who archived each of `objects` (all of one kind), in one query: the first
    history row that carries the object's current archive stamp is the archiving save."""
    stamps = {obj.pk: obj.archived_at for obj in objects}
    found = {}
    rows = (
        kind.model_class()
        .history.filter(id__in=stamps, archived_at__isnull=False)
        .select_related("history_user")
        .order_by("history_id")
    )
    for row in rows:
        if row.id not in found and row.archived_at == stamps[row.id]:
            found[row.id] = row.history_user
    return found


def _children(obj):
    kind = kind_of(obj)
    if kind.children is None:
        return []
    model_label, field = kind.children
    return list(apps.get_model(model_label).objects.filter(**{field: obj}))


@transaction.atomic
def set_archived(obj, archived):
    """Archive (archived=True) or restore `obj` and what hangs from it, recording history."""
    stamp = timezone.now() if archived else None
    for item in [obj, *_children(obj)]:
        if (item.archived_at is None) == (stamp is None):
            continue  # already in that state
        item.archived_at = stamp
        item.save()
    return obj
