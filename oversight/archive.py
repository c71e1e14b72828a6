"""Archiving instead of deleting: plans, workstreams and case reviews.

Nothing with history is deleted through the app. Archiving stamps `archived_at` on the thing
and on each objective or recommendation under it, one save at a time, so every change is in
history with the person who made it; its actions then drop out of lists, exports, reminders,
return rates and later packs. Restoring clears the stamps the same way. Packs for deadlines
before the archiving still show it, because they are built from history as it stood then.

"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404
from django.urls import reverse

from plans.models import Objective, Plan
from reviews.models import CaseReview, Recommendation
from workstreams.models import Workstream


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # "business plan", as in "Archive this business plan?"
    model: type
    children: tuple | None  # (model, foreign key to the archived object)
    name: Callable  # obj -> how it is shown in the archive list and messages
    url: Callable  # obj -> its page while it is live

    def model_class(self):
        return self.model


KINDS = {
    kind.key: kind
    for kind in (
        Kind(
            "plan",
            "business plan",
            Plan,
            (Objective, "plan"),
            name=str,
            url=lambda plan: reverse("plans:plan_detail", args=[plan.slug]),
        ),
        Kind(
            "workstream",
            "workstream",
            Workstream,
            None,
            name=lambda ws: f"Workstream {ws.number}: {ws.title}",
            url=lambda ws: reverse("workstreams:workstream_list", args=[ws.partnership.short_name]),
        ),
        Kind(
            "review",
            "case review",
            CaseReview,
            (Recommendation, "review"),
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
    return next(kind for kind in KINDS.values() if kind.model is type(obj))


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
