"""A recommendation's status, derived from its actions' latest RAG updates, never stored.

open: nothing rated beyond "Not started"; in progress: some action rated; complete: every
action's latest update is Complete; closed: the panel accepted that the intent was met
differently (with a reason). An action plan can be signed off when every recommendation is
complete or closed.
"""

from collections import defaultdict

from plans.models import Action, Rating

OPEN = "open"
IN_PROGRESS = "in_progress"
COMPLETE = "complete"
CLOSED = "closed"

LABELS = {
    OPEN: "Open",
    IN_PROGRESS: "In progress",
    COMPLETE: "Complete",
    CLOSED: "Closed: intent met differently",
}
ORDER = [OPEN, IN_PROGRESS, COMPLETE, CLOSED]
DONE = {COMPLETE, CLOSED}


def derive(closed, ratings):
    """The status from the closure flag and the latest rating of each action (None: unrated)."""
    if closed:
        return CLOSED
    if ratings and all(rating == Rating.COMPLETE for rating in ratings):
        return COMPLETE
    if any(rating not in (None, Rating.NOT_STARTED) for rating in ratings):
        return IN_PROGRESS
    return OPEN


def latest_ratings(action_filter):
    """{recommendation id: [latest rating of each action]} in one query."""
    ratings = defaultdict(list)
    rows = (
        Action.objects.filter(**action_filter, withdrawn_on=None)
        .with_latest_update()
        .values_list("parent_id", "latest_rating")
    )
    for parent_id, rating in rows:
        ratings[parent_id].append(rating)
    return ratings


def annotate(recommendations, ratings=None):
    """Give each recommendation `.status`, `.status_label`, `.action_count`, `.complete_count`.

    One query for all of them (or none when `ratings` is given).
    """
    recommendations = list(recommendations)
    if ratings is None:
        ratings = latest_ratings({"parent__in": [r.pk for r in recommendations]})
    for recommendation in recommendations:
        own = ratings.get(recommendation.pk, [])
        recommendation.status = derive(recommendation.is_closed, own)
        recommendation.status_label = LABELS[recommendation.status]
        recommendation.action_count = len(own)
        recommendation.complete_count = sum(1 for rating in own if rating == Rating.COMPLETE)
    return recommendations


def tally(recommendations):
    """[(status, label, count)] for annotated recommendations, in ORDER."""
    counts = defaultdict(int)
    for recommendation in recommendations:
        counts[recommendation.status] += 1
    return [(status, LABELS[status], counts[status]) for status in ORDER]


def ready_for_sign_off(recommendations):
    """True when there is something to sign off and every recommendation is complete or
    closed (so every action is Complete or under a recommendation closed with a reason)."""
    return bool(recommendations) and all(r.status in DONE for r in recommendations)
