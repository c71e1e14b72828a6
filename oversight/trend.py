"""Ratings over the last BMG cycles, and this cycle's return rate, for the dashboard.

The trend counts each rating as the pack for each past meeting counted it: the actions of its
plans, workstreams and open reviews as history had them at the end of the update-deadline day
(oversight/pack.py). An update recorded after that day does not count for that meeting.

The history tables are read once for all the meetings shown (a fixed number of queries, never
one per action), and each meeting's counts are cached: what history held at a past moment
never changes. The dashboard body around them is cached too (oversight/fragments.py, per user,
keyed on the data version and the day), but that cache empties with every recorded change,
which is exactly when people are busy; this one does not. Its key carries a fingerprint of
the rating history before the moment, so that history rewritten by a demo loader
(plans.history.backdate_history) is not hidden.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Max, Q

from plans.models import Action, ActionParent, Objective, Plan, RagUpdate, Rating
from reviews.models import CaseReview, Recommendation
from workstreams.models import Workstream

from .asof import state_at, versions
from .charts import Bar
from .cycle import Cycle, actions_to_return, bmg_meetings, cutoff
from .pack import (
    PackState,
    _live_parents,
    place_items,
    plan_sections,
    review_sections,
    workstream_section,
)

CYCLES = 6  # past BMG deadlines shown
RATINGS = [Rating.RED, Rating.AMBER, Rating.GREEN, Rating.COMPLETE]
TIMEOUT = 60 * 60 * 24 * 30
PARENTS = [Objective, Workstream, Recommendation]


@dataclass
class Point:
    """One past BMG meeting and the counts by rating at its update deadline."""

    meeting: object
    counts: dict = field(default_factory=dict)

    @property
    def bar(self):
        return Bar(f"{self.meeting.update_deadline:%-d %b %Y}", self.counts)

    @property
    def cells(self):
        return [(Rating.label_of(rating), self.counts.get(rating, 0)) for rating in RATINGS]


@dataclass
class PartnershipTrend:
    partnership: object
    points: list
    cycle: Cycle
    owned: int = 0
    returned: int = 0

    @property
    def rate(self):
        """Whole percent of this cycle's expected actions updated so far; None with none."""
        return round(100 * self.returned / self.owned) if self.owned else None

    @property
    def bars(self):
        return [point.bar for point in self.points]

    @property
    def changes(self):
        """ "Red 3 to 1" for each rating, from the oldest deadline shown to the latest."""
        if len(self.points) < 2:
            return []
        first, last = self.points[0].counts, self.points[-1].counts
        return [
            (Rating.label_of(rating), first.get(rating, 0), last.get(rating, 0))
            for rating in RATINGS
        ]


def counts_at(partnership, deadlines):
    """{deadline: Counter of ratings} for the partnership's pack items at each deadline's end,
    from one read of each history table (up to the latest deadline)."""
    if not deadlines:
        return {}
    last = cutoff(max(deadlines))
    mine = {"partnership_id": partnership.pk}
    read = {
        Plan: versions(Plan.history, last, **mine),
        CaseReview: versions(CaseReview.history, last, **mine),
    }
    for model in PARENTS:
        read[model] = versions(model.history, last, **mine)
    parent_ids = ActionParent.objects.filter(partnership=partnership).values("pk")
    actions = versions(Action.history, last, parent_id__in=parent_ids)
    action_ids = Action.history.filter(parent_id__in=parent_ids).values("id")
    updates = versions(RagUpdate.history, last, action_id__in=action_ids)
    found = {}
    for deadline in deadlines:
        moment = cutoff(deadline)

        def at(model, moment=moment, **_filters):
            return state_at(read[model], moment)

        state = PackState(
            plans=state_at(read[Plan], moment),
            priorities={},
            parents=_live_parents(at, mine),
            reviews=state_at(read[CaseReview], moment),
            agencies={},
            actions=state_at(actions, moment),
            known_before={},
            updates=state_at(updates, moment),
            updates_before={},
            milestones={},
            authors={},
        )
        place_items(state, previous=None, as_of=deadline)
        items = [i for plan in plan_sections(state) for p in plan["objectives"] for i in p.items]
        items += [i for parent in workstream_section(state) for i in parent.items]
        items += [i for review in review_sections(state) for i in review["items"]]
        found[deadline] = Counter(item.rating for item in items)
    return found


def _fingerprints(partnership, meetings):
    """Per meeting, the newest rating and action history ids before its deadline ended: a
    cache key part that changes only if history before the deadline changes."""
    marks = {}
    for name, history, path in (
        ("u", RagUpdate.history, "action__parent__partnership"),
        ("a", Action.history, "parent__partnership"),
    ):
        aggregates = {
            f"m{meeting.pk}": Max(
                "history_id", filter=Q(history_date__lt=cutoff(meeting.update_deadline))
            )
            for meeting in meetings
        }
        aggregates["n"] = Count("history_id")
        values = history.filter(**{path: partnership}).aggregate(**aggregates)
        for meeting in meetings:
            marks.setdefault(meeting.pk, []).append(f"{name}{values[f'm{meeting.pk}'] or 0}")
    return {pk: ".".join(parts) for pk, parts in marks.items()}


def trend_points(partnership, meetings):
    """A Point per past meeting (oldest first), cached per meeting."""
    if not meetings:
        return []
    marks = _fingerprints(partnership, meetings)
    keys = {
        meeting.pk: f"trend:{partnership.pk}:{meeting.pk}:{meeting.update_deadline}:"
        f"{marks[meeting.pk]}"
        for meeting in meetings
    }
    cached = cache.get_many(list(keys.values()))
    missing = [m for m in meetings if keys[m.pk] not in cached]
    if missing:
        fresh = counts_at(partnership, sorted({m.update_deadline for m in missing}))
        new = {keys[m.pk]: dict(fresh[m.update_deadline]) for m in missing}
        cache.set_many(new, TIMEOUT)
        cached |= new
    return [Point(meeting, cached[keys[meeting.pk]]) for meeting in meetings]


def partnership_trend(partnership, today, meetings=None):
    """The partnership's last CYCLES past BMG deadlines with their counts, and the cycle
    `today` falls in with how many of its expected actions have been updated. `meetings`: its
    BMG meetings by update deadline then date, when the caller has read them."""
    if meetings is None:
        meetings = list(bmg_meetings(partnership).order_by("update_deadline", "date"))
    past = [m for m in meetings if m.update_deadline < today]
    coming = [m for m in meetings if m.update_deadline >= today]
    cycle = Cycle(past[-1] if past else None, coming[0] if coming else None)
    trend = PartnershipTrend(partnership, trend_points(partnership, past[-CYCLES:]), cycle)
    if meetings:
        # Two counts: a Count filtered on the Exists annotation comes out 0 on SQLite.
        expected = actions_to_return(partnership, cycle)
        trend.owned, trend.returned = expected.count(), expected.filter(returned=True).count()
    return trend
