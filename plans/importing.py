"""Read the plan spreadsheets partnerships already have (XLSX or CSV), and import business plans.

Importing runs in three steps so that nothing is written unless the whole file is valid:

1. `read_table()` / `read_tables()` (plans/spreadsheets.py) turn the uploaded bytes into rows
   of text cells, within budgets of size, cells and time. An unreadable file, a wrong file
   type, an empty file or one past a budget is an `ImportFailed`.
2. A parser (`parse_business_plan()` here, `reviews.importing.parse_review_plan()` for review
   action plans) walks the rows and collects EVERY problem with its row and column before
   failing, so a person fixes the file once rather than once per error.
3. An apply function compares the parsed plan with what is stored and saves only the
   differences, inside one transaction, so re-importing the same file writes nothing (not even
   history) and an edited file updates rows in place with the change in their history.

Review action plans live in `reviews/importing.py`, which builds on this module (reviews depend
on plans, never the other way round).
"""

import datetime
import difflib
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from .history import create_with_history, m2m_snapshot_model
from .layout import (
    FIELDS,
    HEADER_SEARCH_ROWS,
    Walker,
    append_line,
    as_at_date_text,
    clean_block,
    find_layout,
    normalise_heading,
)
from .models import Action, ActionParent, Group, Milestone, Objective, Plan, Rating
from .rag import read_status
from .spreadsheets import (  # noqa: F401  (re-exported: importers and pages use them from here)
    EXCEL_SUFFIXES,
    MAX_COLUMNS,
    ImportFailed,
    Problem,
    Table,
    cell_text,
    column_letter,
    max_bytes,
    max_rows,
    read_table,
    read_tables,
)
from .timescales import parse_timescale, timescale_dates
from .updates import NewUpdate, record_updates

# -- Headers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeaderKind:
    kind: str
    label: str
    columns: tuple[tuple[str, str], ...]  # (field, heading as documented)
    optional: frozenset[str] = frozenset()

    @property
    def required(self):
        return {
            normalise_heading(heading)
            for name, heading in self.columns
            if name not in self.optional
        }

    def heading(self, name):
        return dict(self.columns)[name]


HEADER_KINDS = {
    "review": HeaderKind(
        kind="review",
        label="review action plan",
        columns=(
            ("outcome", "Outcome"),
            ("recommendation", "Recommendation"),
            ("action", "Action"),
            ("lead", "By Whom"),
            ("timescale", "Timescale"),
            ("measure", "Audit of implementation"),
            ("progress", "Progress"),
            ("provenance", "Provenance"),
        ),
        optional=frozenset({"progress", "provenance"}),
    ),
    "plan": HeaderKind(
        kind="plan",
        label="business plan",
        columns=(
            ("number", "No."),
            ("objective", "What do we want to achieve?"),
            ("action", "How are we going to do it?"),
            ("lead", "Who will lead?"),
            ("measure", "How will we know we have achieved our goal?"),
            ("timescale", "When are we going to achieve this?"),
            ("comment", "Comment on Progress"),
            ("rating", "RAG rating"),
        ),
        optional=frozenset({"comment", "rating"}),
    ),
}


# -- Links from lead text ------------------------------------------------------------------


def _lead_lines(lead_text):
    return [line.removeprefix("- ").strip() for line in lead_text.split("\n") if line.strip()]


def match_groups(lead_text, groups):
    """Groups a lead names exactly (a line that is a group's name or slug)."""
    by_name = {}
    for group in groups:
        by_name[normalise_heading(group.name)] = group
        by_name[normalise_heading(group.slug)] = group
    found = {}
    for line in _lead_lines(lead_text):
        group = by_name.get(normalise_heading(line))
        if group is not None:
            found[group.pk] = group
    return list(found.values())


# -- Summary -------------------------------------------------------------------------------


@dataclass
class Summary:
    """What an import did (or, in a dry run, would do)."""

    kind: str
    target: str
    counts: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    changes: list = field(default_factory=list)
    added: list = field(default_factory=list)
    kept: list = field(default_factory=list)
    dry_run: bool = False

    MAX_CHANGES = 500

    def count(self, noun, outcome, number=1):
        self.counts[noun][outcome] += number

    def add(self, text):
        if len(self.added) < self.MAX_CHANGES:
            self.added.append(text)

    def change(self, text):
        if len(self.changes) < self.MAX_CHANGES:
            self.changes.append(text)

    @property
    def changed_anything(self):
        return any(
            outcome in ("created", "updated", "deleted") and number
            for outcomes in self.counts.values()
            for outcome, number in outcomes.items()
        )

    def lines(self):
        lines = []
        for noun, outcomes in self.counts.items():
            parts = [f"{number} {outcome}" for outcome, number in outcomes.items() if number]
            if parts:
                lines.append(f"{noun}: {', '.join(parts)}")
        return lines

    def as_dict(self):
        data = asdict(self)
        data["counts"] = {noun: dict(outcomes) for noun, outcomes in self.counts.items()}
        data["changed_anything"] = self.changed_anything
        return data


def set_fields(obj, values):
    """Set the fields that differ; the names of those changed (compare before saving)."""
    changed = []
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def sync_milestones(action, wanted, existing, user, summary):
    """Make the action's milestones `wanted` ({date: label}); `existing` is what is stored."""
    have = {milestone.due: milestone for milestone in existing}
    for due, milestone in have.items():
        if due not in wanted:
            milestone._history_user = user
            milestone.delete()
            summary.count("milestones", "deleted")
    for due, label in wanted.items():
        milestone = have.get(due)
        if milestone is None:
            milestone = Milestone(action=action, due=due, label=label)
            milestone._history_user = user
            milestone.save()
            summary.count("milestones", "created")
        elif milestone.label != label:
            milestone.label = label
            milestone._history_user = user
            milestone.save(update_fields=["label", "updated_at"])
            summary.count("milestones", "updated")


def save_tracked(obj, user, fields=None):
    obj._history_user = user
    if fields is None:
        obj.save()
    else:
        obj.save(update_fields=[*fields, "updated_at"])


def create_action_parents(model, objs, user):
    """Insert new objectives or recommendations (children of ActionParent) in a few statements,
    with their first history rows.

    Django cannot bulk-create a multi-table child, and one save() each costs three round trips
    (parent row, child row, history row): thousands of them dominate a large import. So the two
    tables are written as save() would write them, one statement per table, and the history
    rows through simple-history's own bulk writer.
    """
    if not objs:
        return
    now = timezone.now()
    for obj in objs:
        obj.created_at = obj.updated_at = now
    _insert(
        ActionParent,
        [f for f in ActionParent._meta.local_concrete_fields if not f.primary_key],
        objs,
    )
    ids = dict(
        ActionParent.objects.filter(ref__in=[obj.ref for obj in objs]).values_list("ref", "id")
    )
    for obj in objs:
        obj.id = obj.pk = ids[obj.ref]
        setattr(obj, model._meta.pk.attname, obj.id)
        obj._state.adding, obj._state.db = False, connection.alias
    _insert(model, list(model._meta.local_concrete_fields), objs)
    model.history.bulk_history_create(objs, default_user=user, default_date=now)


def _insert(model, fields, objs):
    quote = connection.ops.quote_name  # identifiers from the models, never from input
    columns = ", ".join(quote(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})",  # noqa: S608
            rows,
        )


# -- Business plans ------------------------------------------------------------------------

RATING_WORDS = {normalise_heading(label): value for value, label in Rating.choices}


@dataclass
class PlanOptions:
    partnership: object
    plan_name: str
    user: object = None
    dry_run: bool = False


def read_layout(table, mapping=None):
    """The table's Layout (plans/layout.py), or ImportFailed saying what a header needs."""
    layout = find_layout(table.rows, mapping)
    if layout is None:
        raise ImportFailed(
            [
                Problem(
                    f"No header row found in the first {HEADER_SEARCH_ROWS} rows: the table "
                    "needs a row of headings naming at least its actions or recommendations "
                    '(for example "Action", "Recommendation", "Lead", "Timescale").',
                    row=1,
                    file=table.filename,
                )
            ]
        )
    if not (layout.has("action") or layout.has("recommendation")):
        raise ImportFailed(
            [
                Problem(
                    "No column of actions or recommendations: choose which column holds them.",
                    row=layout.header_row,
                    file=table.filename,
                )
            ]
        )
    return layout


def best_table(tables, mapping=None):
    """The sheet that holds the plan: the one whose header names the most (first on a tie)."""
    found = []
    for table in tables:
        layout = find_layout(table.rows, mapping)
        score = len({c.field for c in layout.columns} - {"note", "ignore"}) if layout else -1
        found.append((score, -len(found), table))
    return max(found, key=lambda item: (item[0], item[1]))[2]


def resolve_status(words, key=None, answers=None):
    """(rating or None, needs asking) for a status cell's words, a status key ("1": "Fully
    Achieved") and the person's answers ({words: rating or ""})."""
    if not words:
        return None, False
    answers = answers or {}
    if words in answers:
        return answers[words] or None, False
    if key and words.strip(". ") in key:
        rating, _written, ambiguous = read_status(key[words.strip(". ")])
        return rating, rating is None
    rating, _written, ambiguous = read_status(words)
    return rating, rating is None


def parse_table(table, *, mapping=None, answers=None):
    """Everything a plan table says, as plain data (JSON-safe): the columns and what each is
    taken as, the parents (objectives or recommendations) with their actions, sections,
    warnings, and the status words to ask the person about."""
    layout = read_layout(table, mapping)
    reading = Walker(table.rows, layout).walk()
    if reading.problems:
        raise ImportFailed(
            Problem(
                message,
                row=row,
                column=_heading(layout, name),
                letter=_letter(layout, name),
                file=table.filename,
            )
            for row, name, message in reading.problems
        )
    parsed = {
        "kind": layout.kind,
        "filename": table.filename,
        "sheet": getattr(table, "sheet", ""),
        "title": layout.title,
        "as_at": as_at_date_text(layout.titles, layout.columns),
        "header_row": layout.header_row,
        "signature": layout.signature(),
        "columns": [column.as_dict() for column in layout.columns],
        "sections": reading.sections,
        "skipped": [{"row": row, "why": why} for row, why in reading.skipped],
        "warnings": [{"row": row, "message": message} for row, message in reading.warnings],
        "questions": {},
        "parents": [],
    }
    for parent in reading.parents:
        parsed["parents"].append(_parent_data(parent, reading, answers, parsed))
    _warn(parsed, layout)
    return parsed


def _heading(layout, name):
    column = layout.first(name)
    return column.label if column else FIELDS.get(name, name)


def _letter(layout, name):
    column = layout.first(name)
    return column.letter if column else ""


def _parent_data(parent, reading, answers, parsed):
    actions = []
    for action in parent["actions"]:
        rating, ask = resolve_status(action["status"], reading.status_key, answers)
        if ask:
            parsed["questions"].setdefault(action["status"], []).append(action["row"])
        actions.append(
            {
                "row": action["row"],
                "reference": action["reference"][:40],
                "text": action["text"],
                "lead_text": clean_block(action["lead_text"]),
                "measure": clean_block(action["measure"]),
                "timescale": action["timescale"],
                "progress": clean_block(action["progress"]),
                "status": action["status"],
                "rating": rating,
                "notes": "\n".join(action["notes"]),
                "section": action["section"],
            }
        )
    return {
        "row": parent["row"],
        "reference": parent["reference"][:40],
        "text": clean_block(parent["text"]),
        "outcome": clean_block(parent["outcome"]),
        "provenance": parent["provenance"],
        "section": parent["section"][:300],
        "section_row": parent["section_row"],
        "actions": actions,
    }


def _warn(parsed, layout):
    """Things worth a look that do not stop the import."""
    warnings = parsed["warnings"]
    for parent in parsed["parents"]:
        if not parent["actions"]:
            warnings.append({"row": parent["row"], "message": "This has no action."})
        for action in parent["actions"]:
            if not action["lead_text"] and layout.has("lead"):
                warnings.append({"row": action["row"], "message": "No lead is given."})
            for problem in impossible_dates(action["timescale"]):
                warnings.append({"row": action["row"], "message": problem})
    for column in layout.columns:
        if column.field == "note":
            warnings.append(
                {
                    "row": layout.header_row,
                    "message": f'Column {column.letter} ("{column.label}") is not a field of '
                    "ours: it is kept with each action as a note unless you choose otherwise.",
                }
            )


_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})\b")


def impossible_dates(text):
    """ "31/02/2027" and the like: written as a date, but no such day."""
    found = []
    for match in _DAY_MONTH_YEAR.finditer(text or ""):
        day, month, year = (int(part) for part in match.groups())
        year += 2000 if year < 100 else 0
        try:
            datetime.date(year, month, day)
        except ValueError:
            found.append(f'"{match.group(0)}" is not a real date: it is kept as written.')
    return found


def parse_business_plan(parsed):
    """The generic reading as a business plan: numbered objectives with their actions."""
    objectives, used = [], set()
    for index, parent in enumerate(parsed["parents"], start=1):
        number = _objective_number(parent["reference"], used) or _next_free(used, index)
        used.add(number)
        text = parent["text"] or parent["section"] or f"Objective {number}"
        actions = [
            {**action, "comment": action["progress"] if action["rating"] else ""}
            for action in parent["actions"]
        ]
        objectives.append({**parent, "number": number, "text": text, "actions": actions})
    if not objectives:
        raise ImportFailed(
            [
                Problem(
                    "The file has a header row but no actions under it.",
                    row=parsed["header_row"],
                    file=parsed["filename"],
                )
            ]
        )
    return {**parsed, "kind": "plan", "objectives": objectives}


def _objective_number(reference, used):
    match = re.fullmatch(r"(\d{1,4})\.?", (reference or "").strip())
    number = int(match.group(1)) if match else None
    return number if number and number not in used else None


def _next_free(used, start):
    number = start
    while number in used:
        number += 1
    return number


def _objective_ref_prefix(plan):
    """Refs like the seed's (ncscp-bp-2019-22-obj-1), kept when a plan already has some."""
    first = (
        plan.objectives.order_by("number").values_list("ref", flat=True).first()
        if plan.pk
        else None
    )
    if first and re.search(r"-obj-\d+$", first):
        return re.sub(r"-obj-\d+$", "", first)
    return plan.slug.replace("-business-plan-", "-bp-")


def find_or_make_plan(partnership, name, file=""):
    """The partnership's plan called `name` (title or slug), or a new unsaved one.

    An archived plan is refused: importing into it would bring its actions back into lists.
    """
    slug = slugify(name)
    for plan in Plan.objects.filter(partnership=partnership):
        if plan.title.casefold() == name.casefold() or plan.slug == slug:
            if plan.archived_at is not None:
                raise ImportFailed(
                    [
                        Problem(
                            f'The business plan "{plan.title}" is archived: restore it from the '
                            "archive before importing into it.",
                            file=file,
                        )
                    ]
                )
            return plan
    if not slug.startswith(slugify(partnership.short_name)):
        slug = f"{slugify(partnership.short_name)}-{slug}"
    return Plan(partnership=partnership, slug=slug[:80], title=name[:200])


def apply_business_plan(parsed, options, file=""):
    """Make the stored plan match the parsed one; ImportFailed if it cannot.

    Objectives and actions already stored are found by their published reference, then by
    their text (the same, or nearly), never by their position: a revised plan with a row
    inserted at the top updates each action in place and its progress stays with it.
    """
    plan = find_or_make_plan(options.partnership, options.plan_name, file)
    user = options.user
    summary = Summary(kind="plan", target=plan.title, dry_run=options.dry_run)
    _check_plan_options(parsed, options, plan, file)
    with transaction.atomic():
        if plan.pk is None:
            save_tracked(plan, user)
            summary.count("plans", "created")
        prefix = _objective_ref_prefix(plan)
        existing = list(Objective.objects.filter(plan=plan))
        pairs = match_items(
            parsed["objectives"],
            existing,
            lambda data: data["reference"] or str(data["number"]),
            lambda obj: obj.reference or str(obj.number),
            lambda data: data["text"],
            lambda obj: obj.text,
        )
        _check_new_refs(parsed, pairs, prefix, file)
        writer = ActionWriter(options, summary, link=_group_linker(options.partnership))
        writer.load(existing)
        used = {obj.number for obj in existing}
        for data, objective in pairs:
            objective = _sync_objective(objective, data, plan, prefix, used, writer)
            writer.sync_actions(objective, data["actions"], f"{prefix}-{objective.number}")
        writer.finish(Objective, parsed)
        for objective in set(existing) - {obj for _data, obj in pairs if obj}:
            summary.kept.append(
                f"Objective {objective.display_number} is not in the file: left as it is."
            )
        if options.dry_run:
            transaction.set_rollback(True)
    return summary


def _check_plan_options(parsed, options, plan, file):
    problems = []
    if not options.plan_name.strip():
        problems.append(Problem("Name the business plan the file belongs to.", file=file))
    if options.user is None and any(
        a["rating"] for o in parsed["objectives"] for a in o["actions"]
    ):
        problems.append(
            Problem("Name the importing user: RAG ratings are recorded as theirs.", file=file)
        )
    if plan.pk is None and Plan.objects.filter(slug=plan.slug).exists():
        problems.append(
            Problem(f'Another partnership already has a plan "{plan.slug}".', file=file)
        )
    if problems:
        raise ImportFailed(problems)


def _group_linker(partnership):
    groups = list(Group.objects.filter(partnerships=partnership))
    return lambda lead: {"lead_groups": match_groups(lead, groups)}


def _sync_objective(objective, data, plan, prefix, used, writer):
    values = {"text": data["text"], "reference": data["reference"], "section": data["section"]}
    summary = writer.summary
    if objective is None:
        number = data["number"] if data["number"] not in used else max(used, default=0) + 1
        used.add(number)
        objective = Objective(
            ref=f"{prefix}-obj-{number}",
            kind=ActionParent.Kind.OBJECTIVE,
            partnership=plan.partnership,
            position=number,
            plan=plan,
            number=number,
            **values,
        )
        writer.new_parents.append(objective)
        summary.count("objectives", "created")
        summary.add(f"Objective {data['reference'] or number}: {data['text'][:80]}")
    elif changed := set_fields(objective, values):
        save_tracked(objective, writer.user, changed)
        summary.count("objectives", "updated")
        summary.change(f"Objective {objective.display_number}: {', '.join(changed)} changed")
    else:
        summary.count("objectives", "unchanged")
    return objective


def _similar(a, b):
    if a == b:
        return 1.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.ratio() if matcher.quick_ratio() >= SIMILAR else 0.0


SIMILAR = 0.6


def match_items(wanted, existing, wanted_ref, existing_ref, wanted_text, existing_text):
    """[(wanted item, existing object or None)] in the file's order.

    An item takes the stored object with the same published reference, else the one with the
    same text, else the one whose text is most alike (at least 60% the same); never one by
    position. Each stored object is taken once.
    """
    free = list(existing)
    by_ref = {}
    for obj in free:
        key = _ref_key(existing_ref(obj))
        if key:
            by_ref.setdefault(key, obj)
    found = {}
    for index, item in enumerate(wanted):
        obj = by_ref.get(_ref_key(wanted_ref(item)))
        if obj is not None and obj in free:
            found[index] = obj
            free.remove(obj)
    by_text = {}
    for obj in free:
        by_text.setdefault(_text_key(existing_text(obj)), obj)
    for index, item in enumerate(wanted):
        if index in found:
            continue
        obj = by_text.get(_text_key(wanted_text(item)))
        if obj is not None and obj in free:
            found[index] = obj
            free.remove(obj)
    for index, item in enumerate(wanted):
        if index in found or not free:
            continue
        text = _text_key(wanted_text(item))
        score, obj = max(
            ((_similar(text, _text_key(existing_text(o))), o) for o in free),
            key=lambda pair: pair[0],
        )
        if score >= SIMILAR:
            found[index] = obj
            free.remove(obj)
    return [(item, found.get(index)) for index, item in enumerate(wanted)]


def _ref_key(reference):
    return re.sub(r"[\s.:]+$", "", (reference or "").strip().casefold())


def _text_key(text):
    return " ".join((text or "").casefold().split())


def _check_new_refs(parsed, pairs, prefix, file):
    wanted = [f"{prefix}-obj-{data['number']}" for data, objective in pairs if objective is None]
    refuse_taken_refs(wanted, file, "by another plan")


def refuse_taken_refs(wanted, file, where):
    """Refs are unique across the tracker: say so rather than fail on a database error."""
    taken = set(ActionParent.objects.filter(ref__in=wanted).values_list("ref", flat=True))
    if taken:
        raise ImportFailed(
            Problem(f'The reference "{ref}" is already used {where}.', file=file)
            for ref in sorted(taken)
        )


class NewActions:
    """Actions an import creates, written together at the end (see `create`).

    A plan of thousands of rows would otherwise cost a dozen queries an action: its insert,
    its history row, and for each lead link a second history row with a snapshot of every
    many-to-many field. Here the actions and their first history rows are bulk-inserted
    (plans/history.py), and each lead link and its snapshot row is one insert, so the first
    history row of every action shows the links it was created with, as a save would.
    """

    def __init__(self, user, summary):
        self.user = user
        self.summary = summary
        self.items = []  # (action, {m2m field: [objects]}, {date: label})

    def add(self, action, links, milestones):
        self.items.append((action, links, milestones))
        self.summary.count("actions", "created")

    def create(self):
        if not self.items:
            return
        actions = [action for action, _links, _milestones in self.items]
        create_with_history(Action, actions, user=self.user)
        history_ids = dict(
            Action.history.filter(id__in=[a.pk for a in actions], history_type="+").values_list(
                "id", "history_id"
            )
        )
        action_links = defaultdict(list)
        for action, links, _milestones in self.items:
            for name, objs in links.items():
                action_links[name].extend((action.pk, obj.pk) for obj in objs)
        self._link(action_links, history_ids)
        milestones = [
            Milestone(action=action, due=due, label=label)
            for action, _links, wanted in self.items
            for due, label in wanted.items()
        ]
        create_with_history(Milestone, milestones, user=self.user)
        self.summary.count("milestones", "created", len(milestones))
        self.items = []

    @staticmethod
    def _link(action_links, history_ids):
        """Insert the lead links and, for each, its row in the first history record's
        snapshot, in one statement per table.

        Raw inserts because these are two link tables written together, exactly as
        simple-history writes them on a save; `Model.save()` per row would double the time of
        a large import.
        """
        for name, pairs in action_links.items():
            field = Action._meta.get_field(name)
            through = field.remote_field.through
            snapshot = m2m_snapshot_model(Action, name)
            source, target = field.m2m_column_name(), field.m2m_reverse_name()
            quote = connection.ops.quote_name  # identifiers from the models, never from input
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {quote(through._meta.db_table)} "  # noqa: S608
                    f"({quote(source)}, {quote(target)}) VALUES (%s, %s)",
                    pairs,
                )
                keys = {
                    (row[1], row[2]): row[0]
                    for row in through.objects.filter(
                        **{f"{source}__in": {action_id for action_id, _ in pairs}}
                    ).values_list("id", source, target)
                }
                cursor.executemany(
                    f"INSERT INTO {quote(snapshot._meta.db_table)} "  # noqa: S608
                    f"(history_id, id, {quote(source)}, {quote(target)}) "
                    "VALUES (%s, %s, %s, %s)",
                    [
                        (history_ids[action_id], keys[(action_id, obj_id)], action_id, obj_id)
                        for action_id, obj_id in pairs
                    ],
                )


class ActionWriter:
    """Brings one parent's actions in line with the file's, for every parent of an import,
    then writes what is new in a few statements (finish)."""

    def __init__(self, options, summary, link):
        self.user = options.user
        self.summary = summary
        self.link = link
        self.new = NewActions(options.user, summary)
        self.new_parents = []
        self.ratings = []
        self.stored = {}

    def load(self, parents):
        """The stored actions of these parents, read at once (not one query per parent)."""
        actions = (
            Action.objects.filter(parent__in=[p.pk for p in parents if p.pk])
            .with_latest_update()
            .prefetch_related("milestones")
            .order_by("parent_id", "position")
        )
        for action in actions:
            self.stored.setdefault(action.parent_id, []).append(action)

    def sync_actions(self, parent, items, ref_prefix):
        existing = self.stored.get(parent.pk, []) if parent.pk else []
        pairs = match_items(
            items,
            existing,
            lambda item: item["reference"],
            lambda action: action.reference,
            lambda item: item["text"],
            lambda action: action.text,
        )
        position = max((action.position for action in existing), default=0)
        kind = "Objective" if parent.kind == ActionParent.Kind.OBJECTIVE else "Recommendation"
        label = f"{kind} {parent.display_number},"
        if parent.kind == ActionParent.Kind.WORKSTREAM:
            label = f"Workstream {parent.display_number},"
        for item, action in pairs:
            if action is None:
                position += 1
            where = action.position if action else position
            action = sync_action(
                action,
                parent,
                where,
                item,
                ref=f"{ref_prefix}-{where}",
                link=self.link,
                new=self.new,
                summary=self.summary,
                label=f"{label} action {item['reference'] or where}",
            )
            self._rating(action, item)
        for action in set(existing) - {action for _item, action in pairs if action}:
            self.summary.kept.append(
                f"Action {action.display_ref} is not in the file: left as it is."
            )

    def _rating(self, action, item):
        if not item.get("rating"):
            return
        latest = (
            getattr(action, "latest_rating", None),
            getattr(action, "latest_comment", None) or "",
        )
        if latest != (item["rating"], item["progress"]):
            self.ratings.append(NewUpdate(action, item["rating"], item["progress"]))

    def finish(self, parent_model, parsed):
        create_action_parents(parent_model, self.new_parents, self.user)
        self.new.create()
        updates = record_updates(
            self.ratings, by=self.user, as_of=imported_as_of(parsed.get("as_at")), imported=True
        )
        self.summary.count("RAG updates", "created", len(updates))


def imported_as_of(as_at):
    """The date imported ratings speak for: the file's "as at" date, else today."""
    due = parse_timescale(as_at).due if as_at else None
    today = timezone.localdate()
    return due if due and due <= today else today


def sync_action(action, parent, position, item, *, ref, link, new, summary, label):
    """Create (through `new`, a NewActions) or update one action from parsed `item`,
    saving only what differs.

    `link(lead_text)` gives the groups/agencies the lead names. Links are set when an action
    is created or its lead text changes, and otherwise left alone: an administrator may have
    linked the lead by hand, and re-importing the same words must not undo that.
    """
    due, milestones = timescale_dates(item["timescale"])
    values = {
        "text": item["text"],
        "reference": item.get("reference", ""),
        "lead_text": item["lead_text"],
        "measure": item["measure"],
        "timescale": item["timescale"],
        "due_date": due,
        "notes": item.get("notes", ""),
    }
    if (item.get("progress") or item.get("status")) and not item.get("rating"):
        # Progress with no rating is kept as a note, with any status words not yet rated.
        unrated = f"Status as published: {item['status']}" if item.get("status") else ""
        values["completion_notes"] = append_line(item.get("progress", ""), unrated)
    elif "completion_notes" in item:
        values["completion_notes"] = item["completion_notes"]
    if action is None:
        action = Action(ref=ref, parent=parent, position=position, **values)
        links = {name: objs for name, objs in link(item["lead_text"]).items() if objs}
        new.add(action, links, milestones)
        summary.add(f"{label}: {item['text'][:80]}")
        return action
    user = new.user
    lead_changed = action.lead_text != item["lead_text"]
    changed = set_fields(action, values)
    if changed:
        save_tracked(action, user, changed)
        summary.count("actions", "updated")
        summary.change(f"{label}: {', '.join(changed)} changed")
    else:
        summary.count("actions", "unchanged")
    if lead_changed:
        for name, objs in link(item["lead_text"]).items():
            current = {obj.pk for obj in getattr(action, name).all()}
            if current != {obj.pk for obj in objs}:
                action._history_user = user
                getattr(action, name).set(objs)
    sync_milestones(action, milestones, list(action.milestones.all()), user, summary)
    return action
