"""RAG ratings: their order of severity and summaries by rating.

The worst rating of a group is the most severe one present, so one Red is never averaged away.
"""

from dataclasses import dataclass, field

from .models import Rating

# Most severe first; None is an action never rated.
SEVERITY = [Rating.RED, Rating.AMBER, Rating.NOT_STARTED, None, Rating.GREEN, Rating.COMPLETE]
COLUMNS = [
    (Rating.RED, "Red"),
    (Rating.AMBER, "Amber"),
    (Rating.GREEN, "Green"),
    (Rating.COMPLETE, "Complete"),
    (Rating.NOT_STARTED, "Not started"),
    (None, "Not yet rated"),
]


def worst(ratings):
    """The most severe of `ratings` (None stands for "not yet rated")."""
    present = set(ratings)
    return next((rating for rating in SEVERITY if rating in present), None)


def label(rating):
    return Rating(rating).label if rating else "Not yet rated"


@dataclass
class Tally:
    """Counts by rating for one priority, workstream or review."""

    title: str
    href: str = ""
    kind: str = ""
    counts: dict = field(default_factory=dict)

    def add(self, rating, count=1):
        self.counts[rating] = self.counts.get(rating, 0) + count

    @property
    def total(self):
        return sum(self.counts.values())

    @property
    def worst(self):
        return worst([rating for rating, n in self.counts.items() if n])

    @property
    def worst_label(self):
        return label(self.worst)

    @property
    def cells(self):
        return [(rating, text, self.counts.get(rating, 0)) for rating, text in COLUMNS]
