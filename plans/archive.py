"""Archiving instead of deleting: plans, workstreams and case reviews.

Nothing with history is deleted through the app. Archiving stamps `archived_at` on the thing
and on each objective or recommendation under it, one save at a time, so every change is in
history with the person who made it; its actions then drop out of lists, exports, reminders,
return rates and later packs. Restoring clears the stamps the same way. Packs for deadlines
before the archiving still show it, because they are built from history as it stood then.

plans/ must not import workstreams/ or reviews/, so the three kinds are named by model label.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # "plan", as in "Archive this plan"
    model: str
    children: tuple | None  # (model label, foreign key to the archived object)

    def model_class(self):
        return apps.get_model(self.model)


KINDS = {
    kind.key: kind
    for kind in (
        Kind("plan", "business plan", "plans.Plan", ("plans.Objective", "plan")),
        Kind("workstream", "workstream", "workstreams.Workstream", None),
        Kind("review", "case review", "reviews.CaseReview", ("reviews.Recommendation", "review")),
    )
}


def kind_for(key):
    try:
        return KINDS[key]
    except KeyError as exc:
        raise Http404("Only plans, workstreams and reviews can be archived") from exc


def kind_of(obj):
    label = obj._meta.label
    return next(kind for kind in KINDS.values() if kind.model == label)


def name_of(obj):
    """How the thing is shown in the archive list and messages."""
    if obj._meta.label == "workstreams.Workstream":
        return f"Workstream {obj.number}: {obj.title}"
    if obj._meta.label == "reviews.CaseReview":
        return f"{obj.code}{': ' + obj.title if obj.title else ''}"
    return str(obj)


def url_of(obj):
    """The page of a live (not archived) plan, workstream or review."""
    label = obj._meta.label
    if label == "plans.Plan":
        return reverse("plans:plan_detail", args=[obj.slug])
    if label == "workstreams.Workstream":
        return reverse("workstreams:workstream_list", args=[obj.partnership.short_name])
    return reverse("reviews:review_detail", args=[obj.pk])


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
