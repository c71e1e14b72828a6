"""The Business Management Group pack for one meeting, as the data stood at its update deadline.

Every figure and word the pack prints comes from the history tables (django-simple-history),
read as they stood at the end of the meeting's update deadline day (Europe/London). Rows
recorded later, edits made later and deletions made later are invisible, so a pack for a past
meeting regenerated next year says exactly what it said on the day. Only the cover's "generated
on ... by ..." line changes, and it is kept on a line of its own (GENERATED_PREFIX) so that
comparisons can leave it out.

Each table is read once (one query per model, whatever the number of actions) and the rest is
done in Python: the state at the deadline and at the previous meeting's deadline both come from
the same list of versions.

Workstreams and case reviews are read through the app registry: plans does not import the apps
that depend on it (DESIGN.md), but the pack covers every source of actions.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Subquery
from django.template.loader import render_to_string
from django.utils import timezone

from plans import rag
from plans.models import (
    Action,
    ActionParent,
    Agency,
    Milestone,
    Objective,
    Plan,
    Priority,
    RagUpdate,
    Rating,
)
from reviews.models import CaseReview, ReCheck, Recommendation
from workstreams.models import Workstream

from .asof import state_at as _state_at
from .asof import versions as _versions
from .charts import ratings_chart
from .cycle import cutoff, previous_meeting
from .pack_assurance import assurance_section
from .pack_decisions import decisions_section
from .pack_quality import quality_section
from .pack_reports import reports_section
from .pack_risks import risks_section

GENERATED_PREFIX = "Generated on "

# Movement compares ratings on the RAG scale; Not started and "not yet rated" are off it.
SCALE = Rating.scale()
MOVEMENTS = [
    ("improved", "Improved"),
    ("worsened", "Worsened"),
    ("unchanged", "Unchanged"),
    ("new", "New"),
    ("completed", "Completed"),
    ("other", "Other change"),
]
MOVEMENT_HELP = {
    "improved": "moved up the scale Red, Amber, Green (for example Amber to Green)",
    "worsened": "moved down the scale Red, Amber, Green, Complete (for example Green to Amber)",
    "unchanged": "the same rating as at the previous meeting's deadline",
    "new": "not in the tracker, or not yet rated, at the previous meeting's deadline",
    "completed": "rated Complete since the previous meeting",
    "other": "changed to or from Not started, which is not on the scale",
}
EXCEPTIONS = [
    ("red", "Rated Red"),
    ("amber", "Rated Amber"),
    ("overdue", "Overdue"),
    ("slipped", "Due date revised"),
    ("not-updated", "Not updated since the previous meeting"),
]
EXCEPTION_WORDS = [
    ("red", "Red"),
    ("amber", "Amber"),
    ("overdue", "Overdue"),
    ("slipped", "Due date revised"),
    ("not-updated", "Not updated since the previous meeting"),
]
LONG_CELL = 450  # characters: about a dozen lines in the pack's narrower columns


def movement(before, after, *, known_before):
    """How an action's rating moved between two deadlines."""
    if not known_before or (before is None and after is not None):
        return "new"
    if before == after:
        return "unchanged"
    if after == Rating.COMPLETE:
        return "completed"
    if before in SCALE and after in SCALE:
        return "improved" if SCALE[after] > SCALE[before] else "worsened"
    return "other"


@dataclass
class Parent:
    """An objective, workstream or recommendation as it stood, with its actions."""

    row: dict
    kind: str
    items: list = field(default_factory=list)

    @property
    def number(self):
        return self.row["number"]

    @property
    def display_number(self):
        prefix = {"objective": "", "workstream": "W", "recommendation": "R"}[self.kind]
        return f"{prefix}{self.number}"

    @property
    def text(self):
        return self.row.get("text") or self.row.get("objective_text", "")

    @property
    def title(self):
        return self.row.get("title", "")

    def tally(self, title=None):
        tally = rag.Tally(title=title or self.display_number)
        for item in self.items:
            tally.add(item.rating)
        return tally

    @property
    def status(self):
        """A recommendation's status, derived from its actions' ratings."""
        ratings = {item.rating for item in self.items}
        if not ratings:
            return None, "No actions"
        if ratings == {Rating.COMPLETE}:
            return Rating.COMPLETE, "Complete"
        if Rating.RED in ratings:
            return Rating.RED, "Red: off track"
        if Rating.AMBER in ratings:
            return Rating.AMBER, "Amber: at risk"
        if ratings <= {Rating.NOT_STARTED, None}:
            return Rating.NOT_STARTED, "Not started"
        return Rating.GREEN, "Green: in progress"


@dataclass
class Item:
    """One action as it stood at the deadline."""

    row: dict
    parent: Parent
    rating: str | None = None
    comment: str = ""
    rated_on: date | None = None
    rated_by: str = ""
    previous_rating: str | None = None
    movement: str = "new"
    updated_in_cycle: bool = False
    known_before: bool = False
    overdue: bool = False
    also: list = field(default_factory=list)  # other exceptions, when listed under one

    def __getattr__(self, name):
        # text, lead_text, measure, timescale, due_date, revised_due_date, revision_reason ...
        try:
            return self.__dict__["row"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def ref(self):
        return f"{self.parent.display_number}.{self.row['position']}"

    @property
    def long_row(self):
        """True when a cell of its row runs to a dozen lines or so: such a row may split
        across pages (print.css tr.long); a shorter one moves to the next page whole."""
        cells = (self.row["text"], self.row["measure"], self.row["lead_text"], self.comment)
        return max(len(cell or "") for cell in cells) > LONG_CELL

    @property
    def due(self):
        return self.row["revised_due_date"] or self.row["due_date"]

    @property
    def rating_label(self):
        return rag.label(self.rating)

    @property
    def previous_label(self):
        return rag.label(self.previous_rating)

    @property
    def movement_label(self):
        return dict(MOVEMENTS)[self.movement]


@dataclass
class SummaryRow:
    title: str
    tally: rag.Tally
    moves: Counter
    is_total: bool = False
    is_heading: bool = False

    @property
    def movement_cells(self):
        return [(key, text, self.moves.get(key, 0)) for key, text in MOVEMENTS]


def summary_row(title, items, is_total=False):
    tally = rag.Tally(title=title)
    for item in items:
        tally.add(item.rating)
    return SummaryRow(title, tally, Counter(item.movement for item in items), is_total)


@dataclass
class Pack:
    partnership: object
    meeting: object
    previous: object
    as_of: date  # figures as at the end of this day (the update deadline unless asked)
    as_at: object  # the exclusive cutoff: the instant after that day ended
    generated_at: object
    generated_by: str
    marking: str
    plans: list = field(default_factory=list)
    workstreams: list = field(default_factory=list)
    reviews: list = field(default_factory=list)
    items: list = field(default_factory=list)
    milestones: list = field(default_factory=list)
    assurance: dict = field(default_factory=dict)
    rechecks: list = field(default_factory=list)

    @property
    def deadline(self):
        return self.meeting.update_deadline

    @property
    def final(self):
        """True once the day the figures are taken at has ended: the content is fixed."""
        return self.generated_at >= self.as_at

    @property
    def generated_line(self):
        when = timezone.localtime(self.generated_at)
        return f"{GENERATED_PREFIX}{when:%-d %B %Y at %H:%M} by {self.generated_by}"

    @property
    def title(self):
        return f"Business Management Group pack, {self.meeting.date:%-d %B %Y}"

    # Summary ---------------------------------------------------------------------------

    @property
    def overall(self):
        return summary_row("All actions", self.items, is_total=True)

    @property
    def summary_rows(self):
        """Sections of rows: (heading, rows) for each plan, the workstreams and the reviews."""
        sections = []
        for plan in self.plans:
            rows = []
            several = len(plan["groups"]) > 1
            for group in plan["groups"]:
                rows.append(SummaryRow(group["title"], None, None, is_heading=True))
                rows.extend(
                    summary_row(f"{parent.number}. {parent.text}", parent.items)
                    for parent in group["objectives"]
                )
                if several:
                    total = summary_row(group["short_title"], group["items"], is_total=True)
                    rows.append(total)
            sections.append((plan["row"]["title"], rows))
        if self.workstreams:
            sections.append(
                (
                    "Practice improvement workstreams",
                    [summary_row(f"W{ws.number} {ws.title}", ws.items) for ws in self.workstreams],
                )
            )
        if self.reviews:
            sections.append(
                (
                    "Case review action plans",
                    [summary_row(review["label"], review["items"]) for review in self.reviews],
                )
            )
        return sections

    @property
    def chart(self):
        return ratings_chart(self.overall.tally)

    @property
    def changes(self):
        """Actions whose rating changed since the previous meeting, worst news first."""
        order = {"worsened": 0, "completed": 2, "improved": 1, "other": 3}
        moved = [item for item in self.items if item.movement in order]
        return sorted(moved, key=lambda item: order[item.movement])

    # Exceptions ------------------------------------------------------------------------

    @property
    def red(self):
        return [item for item in self.items if item.rating == Rating.RED]

    @property
    def amber(self):
        return [item for item in self.items if item.rating == Rating.AMBER]

    @property
    def overdue(self):
        return [item for item in self.items if item.overdue]

    @property
    def slipped(self):
        return [item for item in self.items if item.row["revised_due_date"]]

    @property
    def not_updated(self):
        """Not updated since the previous meeting's deadline (Complete ones are not chased)."""
        if self.previous is None:
            return []
        return [
            item
            for item in self.items
            if not item.updated_in_cycle and item.rating != Rating.COMPLETE
        ]

    @property
    def exception_counts(self):
        """How many actions each exception applies to (an action may count under several)."""
        lists = {"red": self.red, "amber": self.amber, "overdue": self.overdue}
        lists |= {"slipped": self.slipped, "not-updated": self.not_updated}
        words = dict(EXCEPTION_WORDS)
        return [(key, words[key], len(lists[key])) for key, _ in self.exception_kinds]

    @property
    def exception_kinds(self):
        kinds = EXCEPTIONS if self.previous else EXCEPTIONS[:-1]
        return list(kinds)

    @property
    def exception_sections(self):
        """(key, title, items): each action once, under the first exception that applies,
        with the others it also meets in `item.also` - so a long pack does not print the same
        row three times."""
        flagged = {key: set(map(id, items)) for key, items in (
            ("red", self.red),
            ("amber", self.amber),
            ("overdue", self.overdue),
            ("slipped", self.slipped),
            ("not-updated", self.not_updated),
        )}  # fmt: skip
        sections = {key: [] for key, _ in self.exception_kinds}
        for item in self.items:
            keys = [key for key in sections if id(item) in flagged[key]]
            if keys:
                item.also = [dict(EXCEPTION_WORDS)[key] for key in keys[1:]]
                sections[keys[0]].append(item)
        return [(key, title, sections[key]) for key, title in self.exception_kinds]

    @property
    def exception_blocks(self):
        """The exception sections with headings whose counts agree with the introduction's:
        "Overdue (18: 10 listed here, 8 under Red and Amber)" when some are listed earlier."""
        counts = {key: count for key, _, count in self.exception_counts}
        sections = self.exception_sections
        words = dict(EXCEPTION_WORDS)
        blocks = []
        for index, (key, title, items) in enumerate(sections):
            total, listed = counts[key], len(items)
            heading = f"{title} ({listed})"
            if total > listed:
                where = [
                    words[other]
                    for other, _, earlier in sections[:index]
                    if any(words[key] in item.also for item in earlier)
                ]
                heading = (
                    f"{title} ({total}: {listed} listed here, {total - listed} under {_and(where)})"
                    if listed
                    else f"{title} ({total}: all listed above, under {_and(where)})"
                )
            blocks.append(ExceptionBlock(key, title, items, heading, total))
        return blocks

    @property
    def any_exceptions(self):
        return any(count for _, _, count in self.exception_counts)

    # Items due ---------------------------------------------------------------------------

    @property
    def milestone_window(self):
        """Milestones named by month ("June 2019") are due at the month's end and report to
        that month's meeting: a meeting takes those due after the previous meeting's month
        and up to the end of its own month."""
        end = _month_end(self.meeting.date)
        start = _month_end(self.previous.date) + timedelta(days=1) if self.previous else None
        return start or end.replace(day=1), end


@dataclass
class ExceptionBlock:
    key: str
    title: str
    items: list
    heading: str
    total: int


def _and(words):
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _month_end(day):
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def review_label(review):
    """ "AN09", or "AN09: Child J" when the title adds something to the code."""
    title = review["title"]
    if not title or title == review["code"]:
        return review["code"]
    return title if review["code"] in title else f"{review['code']}: {title}"


def pack_partnership(meeting):
    """The partnership a BMG meeting's pack is for (a BMG serves one partnership)."""
    return meeting.group.partnerships.order_by("short_name").first()


def build_pack(meeting, *, partnership=None, as_of=None, generated_by="", now=None):
    """Everything the pack shows for `meeting`, as at the end of its update-deadline day (or of
    the day `as_of`, for an interim pack)."""
    partnership = partnership or pack_partnership(meeting)
    previous = previous_meeting(meeting)
    as_of = as_of or meeting.update_deadline
    moment = cutoff(as_of)
    pack = Pack(
        partnership=partnership,
        meeting=meeting,
        previous=previous,
        as_of=as_of,
        as_at=moment,
        generated_at=now or timezone.now(),
        generated_by=generated_by or "the bmg_pack command",
        marking=settings.PROTECTIVE_MARKING,
    )
    state = PackState.read(
        partnership, moment, cutoff(previous.update_deadline) if previous else None
    )
    place_items(state, previous=previous, as_of=as_of)
    pack.plans = plan_sections(state)
    pack.workstreams = workstream_section(state)
    pack.reviews = review_sections(state)
    pack.items = [i for plan in pack.plans for p in plan["objectives"] for i in p.items]
    pack.items += [i for p in pack.workstreams for i in p.items]
    pack.items += [i for review in pack.reviews for i in review["items"]]
    pack.milestones = milestones_due(pack, state.milestones)
    pack.assurance = assurance_section(partnership, as_of, previous)
    pack.risks = risks_section(
        partnership, moment, cutoff(previous.update_deadline) if previous else None
    )
    pack.rechecks = rechecks_due(state, moment, as_of)
    pack.quality = quality_section(partnership, as_of, previous)
    pack.highlights = reports_section(meeting, partnership, moment)
    pack.decisions = decisions_section(previous, moment)
    return pack


def rechecks_due(state, moment, as_of):
    """Re-checks of the partnership's completed review actions due by `as_of` and not done
    by then, as history had them at `moment`: [{kind, due_on, ref, text}], soonest first."""
    rows = _state_at(
        _versions(ReCheck.history, moment, action_id__in=list(state.actions) or [0]), moment
    )
    due = [
        row
        for row in rows.values()
        if row["due_on"] <= as_of and (row["done_on"] is None or row["done_on"] > as_of)
    ]
    return [
        {
            "kind": ReCheck.Kind(row["kind"]).label,
            "due_on": row["due_on"],
            "ref": state.actions[row["action_id"]]["ref"],
            "text": state.actions[row["action_id"]]["text"],
        }
        for row in sorted(due, key=lambda row: (row["due_on"], row["id"]))
    ]


@dataclass
class PackState:
    """The partnership's plans, parents, actions, updates and milestones as history had them
    at `moment` (and, for movement, at `before`, the previous deadline)."""

    plans: dict
    priorities: dict
    parents: dict
    reviews: dict
    agencies: dict
    actions: dict
    known_before: dict
    updates: dict
    updates_before: dict
    milestones: dict
    authors: dict

    @classmethod
    def read(cls, partnership, moment, before):
        def at(model, when=moment, **filters):
            return _state_at(_versions(model.history, moment, **filters), when)

        mine = {"partnership_id": partnership.pk}
        plans = at(Plan, **mine)
        parent_ids = Subquery(ActionParent.objects.filter(partnership=partnership).values("pk"))
        action_ids = Action.history.filter(parent_id__in=parent_ids).values("id")
        action_versions = _versions(Action.history, moment, parent_id__in=parent_ids)
        update_versions = _versions(RagUpdate.history, moment, action_id__in=action_ids)
        updates = _state_at(update_versions, moment)
        return cls(
            plans=plans,
            priorities=at(Priority, plan_id__in=list(plans) or [0]),
            parents=_live_parents(at, mine),
            reviews=at(CaseReview, **mine),
            agencies={pk: row["name"] for pk, row in at(Agency).items()},
            actions=_state_at(action_versions, moment),
            known_before=_state_at(action_versions, before) if before else {},
            updates=updates,
            updates_before=_state_at(update_versions, before) if before else {},
            milestones=at(Milestone, action_id__in=action_ids),
            authors=_author_names(updates),
        ).with_late_agencies()

    def with_late_agencies(self):
        """An agency whose history starts later (e.g. added by a later import): its name now."""
        named = {p.row["agency_id"] for p in self.parents.values() if p.kind == "recommendation"}
        if missing := named - set(self.agencies) - {None}:
            self.agencies.update(Agency.objects.filter(pk__in=missing).values_list("pk", "name"))
        return self

    def parents_of(self, kind):
        return [p for p in self.parents.values() if p.kind == kind]


def _live_parents(at, mine):
    """Objectives, workstreams and recommendations not archived by the deadline."""
    parents = {}
    for model, kind in (
        (Objective, "objective"),
        (Workstream, "workstream"),
        (Recommendation, "recommendation"),
    ):
        for pk, row in at(model, **mine).items():
            if row["archived_at"] is None:  # archived by the deadline: not in the pack
                parents[pk] = Parent(row, kind)
    return parents


def _author_names(updates):
    return {
        user.pk: user.get_full_name() or user.get_username()
        for user in get_user_model().objects.filter(
            pk__in={row["author_id"] for row in updates.values()}
        )
    }


def latest_per_action(rows):
    """The current-rating rule (ActionQuerySet.with_latest_update) applied to history rows:
    per action, the update with the latest as_of, then the latest saved."""
    found = {}
    for row in rows:
        key = (row["as_of"], row["created_at"], row["id"])
        best = found.get(row["action_id"])
        if best is None or key > best[0]:
            found[row["action_id"]] = (key, row)
    return {action_pk: row for action_pk, (_, row) in found.items()}


def place_items(state, *, previous, as_of):
    """One Item per action, under the parent it had at the deadline, with its rating then,
    its rating at the previous deadline and what that movement means."""
    items = {}
    for pk, row in state.actions.items():
        parent = state.parents.get(row["parent_id"])
        if parent is None or row.get("withdrawn_on"):
            continue  # no parent yet, another partnership's, or withdrawn by the deadline
        item = Item(row, parent, known_before=pk in state.known_before)
        parent.items.append(item)
        items[pk] = item
    for action_pk, row in latest_per_action(state.updates.values()).items():
        if item := items.get(action_pk):
            item.rating = row["rating"]
            item.comment = row["comment"]
            item.rated_on = row["as_of"]
            item.rated_by = state.authors.get(row["author_id"], "")
    for action_pk, row in latest_per_action(state.updates_before.values()).items():
        if item := items.get(action_pk):
            item.previous_rating = row["rating"]
    fresh = {
        row["action_id"] for pk, row in state.updates.items() if pk not in state.updates_before
    }
    for item in items.values():
        item.updated_in_cycle = item.row["id"] in fresh
        item.movement = movement(
            item.previous_rating,
            item.rating,
            known_before=previous is not None and item.known_before,
        )
        item.overdue = bool(item.due and item.due < as_of and item.rating != Rating.COMPLETE)
    for parent in state.parents.values():
        parent.items.sort(key=lambda item: item.row["position"])
    return items


def plan_sections(state):
    """Each business plan with actions: its objectives, grouped by the priority they serve."""
    objectives = sorted(state.parents_of("objective"), key=lambda p: (p.row["plan_id"], p.number))
    sections = []
    for plan_pk, plan in sorted(
        state.plans.items(), key=lambda kv: (kv[1]["starts_on"] or date.min, kv[0])
    ):
        plan_objectives = [p for p in objectives if p.row["plan_id"] == plan_pk and p.items]
        if plan_objectives:
            groups = _priority_groups(state.priorities, plan_pk, plan_objectives)
            sections.append({"row": plan, "objectives": plan_objectives, "groups": groups})
    return sections


def _priority_groups(priorities, plan_pk, plan_objectives):
    groups = []
    for priority in sorted(
        (row for row in priorities.values() if row["plan_id"] == plan_pk),
        key=lambda row: row["number"],
    ):
        members = [p for p in plan_objectives if p.row["priority_id"] == priority["id"]]
        if members:
            groups.append(
                {
                    "title": f"Priority {priority['number']}: {priority['title']}",
                    "short_title": f"Total for priority {priority['number']}",
                    "objectives": members,
                    "items": [i for p in members for i in p.items],
                }
            )
    loose = [p for p in plan_objectives if p.row["priority_id"] not in priorities]
    if loose:
        groups.append(
            {
                "title": "Objectives not linked to a priority"
                if groups
                else "Objectives (the plan does not link them to priorities)",
                "short_title": "Total not linked to a priority",
                "objectives": loose,
                "items": [i for p in loose for i in p.items],
            }
        )
    return groups


def workstream_section(state):
    return sorted((p for p in state.parents_of("workstream") if p.items), key=lambda p: p.number)


def review_sections(state):
    """Each review not yet signed off, its recommendations under the agency addressed."""
    sections = []
    for review_pk, review in sorted(state.reviews.items(), key=lambda kv: kv[1]["code"]):
        if review["status"] == CaseReview.Status.SIGNED_OFF:
            continue
        recommendations = sorted(
            (
                p
                for p in state.parents_of("recommendation")
                if p.row["review_id"] == review_pk and p.items
            ),
            key=lambda p: p.number,
        )
        if recommendations:
            sections.append(_review_section(state, review, recommendations))
    return sections


def _review_section(state, review, recommendations):
    by_agency = defaultdict(list)
    for recommendation in recommendations:
        agency_pk = recommendation.row["agency_id"]
        label = state.agencies.get(agency_pk, "Overview report") if agency_pk else "Overview report"
        by_agency[label].append(recommendation)
    return {
        "row": review,
        "label": review_label(review),
        "kind": CaseReview.Kind(review["kind"]).label,
        "status": CaseReview.Status(review["status"]).label,
        "agencies": sorted(by_agency.items(), key=lambda kv: (kv[0] == "Overview report", kv[0])),
        "items": [i for r in recommendations for i in r.items],
    }


def milestones_due(pack, milestones):
    """(milestone, item) pairs due to report to this meeting, in date and document order."""
    start, end = pack.milestone_window
    place = {item.row["id"]: index for index, item in enumerate(pack.items)}
    return [
        (row, pack.items[place[row["action_id"]]])
        for row in sorted(
            milestones.values(), key=lambda row: (row["due"], place.get(row["action_id"], 0))
        )
        if row["action_id"] in place and start <= row["due"] <= end
    ]


RATING_KEY = [
    (rating, Rating.label_of(rating), Rating.meaning_of(rating)) for rating in Rating.column_order()
]
MOVEMENT_KEY = [(text, MOVEMENT_HELP[key]) for key, text in MOVEMENTS]


def render_pack_html(pack, *, preview=False, **context):
    """The pack as one HTML document (the preview page and the PDF's source)."""
    return render_to_string(
        "oversight/pack/pack.html",
        {
            "pack": pack,
            "preview": preview,
            "key": RATING_KEY,
            "movement_key": MOVEMENT_KEY,
            **context,
        },
    )
