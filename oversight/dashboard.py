"""The dashboard's charts: ratings per priority, workstream and review, and each partnership's
trend over past BMG deadlines with this cycle's return rate. Each chart comes with a sentence
saying what it shows and a table of the same figures (the page prints both)."""

from dataclasses import dataclass

from plans.models import Partnership, Rating

from .charts import Bar, chart_key, stacked_chart
from .trend import RATINGS, partnership_trend

SECTIONS = [
    ("priority", "Business plan priorities", "priorities", "priority", "priorities"),
    ("workstream", "Practice improvement workstreams", "workstreams", "workstream", "workstreams"),
    ("review", "Case review action plans", "reviews", "review", "reviews"),
    ("decision", "BMG decisions", "decisions", "meeting", "meetings"),
    (
        "quality",
        "Audit recommendations and Section 11",
        "quality",
        "audit or plan",
        "audits and plans",
    ),
]


def _and(words):
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


@dataclass
class TallySection:
    """A table of tallies (plans.rag.Tally) with its chart."""

    kind: str
    caption: str
    id: str
    one: str
    many: str
    tallies: list

    @property
    def chart(self):
        return stacked_chart(
            [Bar(tally.title, tally.counts) for tally in self.tallies],
            prefix=f"chart-{self.id}",
            title=f"{self.caption}: actions by rating",
        )

    @property
    def key(self):
        return chart_key(f"chart-{self.id}")

    @property
    def table_caption(self):
        return f"{self.caption}: figures by rating"

    @property
    def summary(self):
        """E.g. "40 actions across 3 priorities: 2 Red, ... Red actions are under A and B." """
        totals = {rating: 0 for rating in Rating.column_order()}
        for tally in self.tallies:
            for rating, n in tally.counts.items():
                totals[rating] += n
        count = len(self.tallies)
        words = ", ".join(f"{n} {Rating.label_of(rating)}" for rating, n in totals.items())
        red = [tally.title for tally in self.tallies if tally.counts.get(Rating.RED)]
        where = f"Red actions are under {_and(red)}." if red else "No action is rated Red."
        actions = sum(totals.values())
        return (
            f"{actions} action{'s' if actions != 1 else ''} across {count} "
            f"{self.one if count == 1 else self.many}: {words}. {where}"
        )


def tally_sections(tallies):
    """The dashboard's three tables, each with its chart, in SECTIONS order; empty ones left
    out."""
    return [
        TallySection(kind, caption, ident, one, many, tallies[kind])
        for kind, caption, ident, one, many in SECTIONS
        if tallies.get(kind)
    ]


@dataclass
class TrendView:
    """One partnership's trend as the page shows it."""

    trend: object
    is_officer: bool

    def __getattr__(self, name):
        return getattr(self.__dict__["trend"], name)

    @property
    def chart(self):
        return stacked_chart(
            self.trend.bars,
            prefix=f"trend-{self.trend.partnership.pk}",
            title=f"{self.trend.partnership.short_name}: actions by rating at each of the last "
            f"{len(self.trend.points)} BMG update deadlines",
            ratings=RATINGS,
        )

    @property
    def key(self):
        return chart_key(f"trend-{self.trend.partnership.pk}", RATINGS)

    @property
    def summary(self):
        points = self.trend.points
        first, last = points[0].meeting.update_deadline, points[-1].meeting.update_deadline
        if len(points) == 1:
            words = ", ".join(f"{n} {word}" for word, n in points[0].cells)
            return f"At the {first:%-d %B %Y} deadline: {words}."
        moves = ", ".join(
            f"{word} from {before} to {after}" for word, before, after in self.trend.changes
        )
        return f"From the {first:%-d %B %Y} deadline to the {last:%-d %B %Y} deadline: {moves}."

    @property
    def rating_words(self):
        return [Rating.label_of(rating) for rating in RATINGS]


def partnership_trends(scope, today, meetings):
    """A TrendView for each partnership the reader reads as a whole (the same readers as the
    packs for past meetings); `meetings` are their BMG meetings by partnership."""
    loaded = scope.partnerships  # those the roles query already read
    if scope.readable_partnerships <= loaded.keys():
        partnerships = [loaded[pk] for pk in scope.readable_partnerships]
    else:
        partnerships = Partnership.objects.filter(pk__in=scope.readable_partnerships)
    partnerships = sorted(partnerships, key=lambda partnership: partnership.short_name)
    return [
        TrendView(
            partnership_trend(partnership, today, meetings.get(partnership.pk, [])),
            scope.is_officer_of(partnership.pk),
        )
        for partnership in partnerships
    ]
