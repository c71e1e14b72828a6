"""Read the plan spreadsheets partnerships already have (XLSX or CSV), and import business plans.

Importing runs in three steps so that nothing is written unless the whole file is valid:

1. `read_table()` turns the uploaded bytes into rows of text cells. An unreadable file, a wrong
   file type or an empty file is an `ImportFailed`.
2. A parser (`parse_business_plan()` here, `reviews.importing.parse_review_plan()` for review
   action plans) walks the rows and collects EVERY problem with its row and column before
   failing, so a person fixes the file once rather than once per error.
3. An apply function compares the parsed plan with what is stored and saves only the
   differences, inside one transaction, so re-importing the same file writes nothing (not even
   history) and an edited file updates rows in place with the change in their history.

Review action plans live in `reviews/importing.py`, which builds on this module (reviews depend
on plans, never the other way round).
"""

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import PurePath

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from .history import create_with_history, m2m_snapshot_model
from .models import Action, ActionParent, Group, Milestone, Objective, Plan, Rating
from .timescales import timescale_dates
from .updates import NewUpdate, record_updates

MAX_COLUMNS = 60
HEADER_SEARCH_ROWS = 30
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}


def max_bytes():
    """Largest file accepted (settings.PLAN_IMPORT_MAX_BYTES, default 10 MB)."""
    return settings.PLAN_IMPORT_MAX_BYTES


def max_rows():
    return getattr(settings, "PLAN_IMPORT_MAX_ROWS", 20_000)


# -- Problems ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an imported file, located as a person would find it in Excel."""

    message: str
    row: int | None = None  # spreadsheet row number, 1-based; None for the whole file
    column: str = ""  # the column's heading as the file writes it
    letter: str = ""  # the spreadsheet column letter, "E"
    file: str = ""

    def location(self):
        parts = [self.file] if self.file else []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column or self.letter:
            name = f"column {self.letter}" if self.letter else "column"
            parts.append(f"{name} ({self.column})" if self.column else name)
        return ", ".join(parts)

    def __str__(self):
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


class ImportFailed(Exception):
    """The file cannot be imported; `problems` says every reason, each with its place."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems[:5]))


def column_letter(index):
    """0 -> "A", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# -- Reading -------------------------------------------------------------------------------


@dataclass
class Table:
    filename: str
    rows: list[list[str]]  # rows[i] is spreadsheet row i + 1


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def cell_text(value):
    """A cell as the text a person sees: dates day-first, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    # NUL and other control characters are never meant, and PostgreSQL refuses NUL.
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [line.strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


def read_table(data, filename):
    """The file's first sheet as rows of text cells; raises ImportFailed if it cannot be read."""
    name = PurePath(filename or "upload").name
    suffix = PurePath(name).suffix.lower()

    def fail(message):
        raise ImportFailed([Problem(message, file=name)])

    if suffix == ".xls":
        fail("Wrong file type: this is an old Excel .xls file. Save it as .xlsx or .csv.")
    if suffix not in EXCEL_SUFFIXES | {".csv"}:
        fail("Wrong file type: import an Excel .xlsx file or a .csv file.")
    if not data:
        fail("The file is empty.")
    if len(data) > max_bytes():
        fail(f"The file is larger than {max_bytes() / (1024 * 1024):g} MB.")
    rows = _read_xlsx(data, fail) if suffix in EXCEL_SUFFIXES else _read_csv(data, name)
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        fail("The file is empty: it has no filled cells.")
    return Table(filename=name, rows=rows)


def _trim(cells):
    cells = [cell_text(value) for value in cells[:MAX_COLUMNS]]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _read_xlsx(data, fail):
    import openpyxl  # imported here: only uploads of Excel files pay for it

    if not zipfile.is_zipfile(io.BytesIO(data)):
        fail("The file cannot be read: it is not a valid Excel .xlsx file.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except Exception:  # zipfile raises many kinds on a damaged archive (NotImplementedError too)
        fail("The file cannot be read: it is not a valid Excel .xlsx file.")
    if unzipped > 25 * max_bytes():  # a "zip bomb"
        fail("The file cannot be read: its contents are too large.")
    rows = []
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.active or (workbook.worksheets[0] if workbook.worksheets else None)
            if sheet is None:
                fail("The file is empty: it has no sheets.")
            # A sheet that says it is far wider than any plan is refused before it is parsed
            # (parsing a dense 1,000-column sheet ties a worker up for many seconds).
            if (sheet.max_column or 0) > 4 * MAX_COLUMNS:
                fail(
                    f"The first sheet has {sheet.max_column:,} columns; a plan has at most "
                    f"{MAX_COLUMNS}. Delete the unused columns and save the file again."
                )
            for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
                if len(rows) >= max_rows():
                    fail(f"The file has more than {max_rows():,} rows.")
                rows.append(_trim(list(values)))
        finally:
            workbook.close()
    except ImportFailed:
        raise
    except Exception:  # openpyxl raises many kinds on a damaged file
        fail("The file cannot be read: it is not a valid Excel .xlsx file.")
    return rows


def _decode(data):
    for encoding in ("utf-8-sig", "cp1252"):  # Excel on Windows saves CSV as cp1252
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _read_csv(data, name):
    text = _decode(data)
    if text is None or "\x00" in text:
        raise ImportFailed(
            [Problem("The file cannot be read: it is not a text CSV file.", file=name)]
        )
    delimiter = _guess_delimiter(text)
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        for values in reader:
            if len(rows) >= max_rows():
                raise ImportFailed(
                    [Problem(f"The file has more than {max_rows():,} rows.", file=name)]
                )
            rows.append(_trim(values))
    except csv.Error as exc:
        raise ImportFailed(
            [Problem(f"The file cannot be read as CSV: {exc}.", row=len(rows) + 1, file=name)]
        ) from exc
    return rows


def _guess_delimiter(text):
    """The delimiter under which a known header row appears; a comma if none does."""
    sample = text[:65536]
    for delimiter in (",", ";", "\t"):
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, strict=False)
        try:
            for index, values in enumerate(reader):
                if index >= HEADER_SEARCH_ROWS:
                    break
                names = {normalise_heading(value) for value in values}
                if any(kind.required <= names for kind in HEADER_KINDS.values()):
                    return delimiter
        except csv.Error:
            continue
    return ","


# -- Headers -------------------------------------------------------------------------------


def normalise_heading(text):
    """Case, spacing, punctuation and any "(note)" ignored: "Audit of implementation (...)"."""
    text = re.sub(r"\([^)]*\)", " ", unicodedata.normalize("NFKC", text or "").lower())
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


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


@dataclass
class Header:
    kind: HeaderKind
    row: int  # spreadsheet row number
    index: dict[str, int]  # field -> column index
    written: dict[str, str]  # field -> heading as the file writes it

    def cell(self, values, name):
        position = self.index.get(name)
        if position is None or position >= len(values):
            return ""
        return values[position]

    def problem(self, message, row, name, file):
        position = self.index.get(name)
        return Problem(
            message,
            row=row,
            column=self.written.get(name) or self.kind.heading(name),
            letter=column_letter(position) if position is not None else "",
            file=file,
        )

    def is_repeat(self, values):
        names = {normalise_heading(value) for value in values}
        return self.kind.required <= names


def find_header(table):
    """The header row and the kind of file it names; ImportFailed naming what is missing."""
    best = None  # (matched count, row number, kind, missing headings)
    for row_index, values in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
        names = [normalise_heading(value) for value in values]
        for kind in HEADER_KINDS.values():
            lookup = {normalise_heading(heading): name for name, heading in kind.columns}
            index, written, duplicates = {}, {}, []
            for position, normalised in enumerate(names):
                name = lookup.get(normalised)
                if name is None:
                    continue
                if name in index:
                    duplicates.append((position, values[position]))
                    continue
                index[name] = position
                written[name] = values[position]
            missing = [
                heading
                for name, heading in kind.columns
                if name not in kind.optional and name not in index
            ]
            if not missing:
                if duplicates:
                    raise ImportFailed(
                        Problem(
                            f'The heading "{text}" appears more than once.',
                            row=row_index + 1,
                            column=text,
                            letter=column_letter(position),
                            file=table.filename,
                        )
                        for position, text in duplicates
                    )
                return Header(kind=kind, row=row_index + 1, index=index, written=written)
            matched = len(kind.required) - len(missing)
            if matched >= 2 and (best is None or matched > best[0]):
                best = (matched, row_index + 1, kind, missing)
    if best is not None:
        _matched, row, kind, missing = best
        raise ImportFailed(
            Problem(
                f'Missing column "{heading}": a {kind.label} needs it in its header row.',
                row=row,
                column=heading,
                file=table.filename,
            )
            for heading in missing
        )
    expected = "; ".join(
        f"a {kind.label} has "
        + ", ".join(f'"{h}"' for n, h in kind.columns if n not in kind.optional)
        for kind in HEADER_KINDS.values()
    )
    raise ImportFailed(
        [
            Problem(
                f"No header row found in the first {HEADER_SEARCH_ROWS} rows: {expected}.",
                row=1,
                file=table.filename,
            )
        ]
    )


# -- Cells ---------------------------------------------------------------------------------

# Bullet characters Word and Excel leave in cells ("•", private-use Symbol-font bullets ...).
_GLYPHS = (
    "\u2022\u25e6\u25aa\u25ab\u25cf\u25cb\u25a0\u25a1\u2023\u2043"
    "\u27a2\u27a4\u25ba\u25b6\u2756\uf0b7\uf0a7\uf0d8\uf076"
)
_INLINE_BULLET = re.compile(f"\\s*[{_GLYPHS}]\\s*")
# A line starting "- ", "* ", "> " or "o " is a bullet too; a glyph anywhere starts a new one.
_LINE_BULLET = re.compile(r"^(?:[-*>\u2013\u2014]|o(?=\s))\s+")


def split_items(text):
    """(introduction, bullet items): "Do this: • a • b" -> ("Do this:", ["a", "b"])."""
    text = _INLINE_BULLET.sub("\n\u2022 ", text or "")
    intro, items = [], []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("\u2022"):
            items.append(line[1:].strip())
        elif (match := _LINE_BULLET.match(line)) is not None:
            items.append(line[match.end() :].strip())
        elif items:
            items[-1] = f"{items[-1]}\n{line}"
        else:
            intro.append(line)
    return "\n".join(intro), [item for item in items if item]


def clean_block(text):
    """A cell with its bullets written one way ("- item" lines); a lone bullet loses its mark."""
    intro, items = split_items(text)
    if not items:
        return intro
    if not intro and len(items) == 1:
        return items[0]
    return "\n".join(([intro] if intro else []) + [f"- {item}" for item in items])


def split_actions(text):
    """An Action cell that is a bullet list is one action per bullet; a list that follows an
    introduction ("... so that plans: • a • b") is one action's detail."""
    intro, items = split_items(text)
    if items and not intro:
        return items
    cleaned = clean_block(text)
    return [cleaned] if cleaned else []


def append_line(existing, addition):
    """Add a continuation row's text on its own line, unless it says the same again."""
    if not addition or addition == existing:
        return existing
    return f"{existing}\n{addition}" if existing else addition


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
    kept: list = field(default_factory=list)
    dry_run: bool = False

    MAX_CHANGES = 500

    def count(self, noun, outcome, number=1):
        self.counts[noun][outcome] += number

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


def parse_business_plan(table, header):
    """Objectives and their actions as plain data (JSON-safe), or ImportFailed."""
    problems, objectives, seen = [], [], {}
    file = table.filename

    def problem(message, row, name):
        problems.append(header.problem(message, row, name, file))

    for row_index in range(header.row, len(table.rows)):
        values, row = table.rows[row_index], row_index + 1
        if not any(values) or header.is_repeat(values):
            continue
        cell = {name: header.cell(values, name) for name, _ in header.kind.columns}
        filled = [value for value in values if value]
        if len(filled) == 1 and values[0] and not re.fullmatch(r"\d+\.?0*", values[0]):
            continue  # a heading row ("Priority One: ...") in the first column
        number_text = cell["number"]
        objective = objectives[-1] if objectives else None
        if number_text:
            match = re.fullmatch(r"(\d{1,4})(?:\.0*)?\.?", number_text)
            if match is None:
                problem(
                    f'"{number_text}" is not an objective number: use a whole number.',
                    row,
                    "number",
                )
                continue
            number = int(match.group(1))
            if number < 1:
                problem("Objective numbers start at 1.", row, "number")
                continue
            if number in seen:
                problem(f"Objective {number} already starts at row {seen[number]}.", row, "number")
                continue
            if not cell["objective"]:
                problem(
                    f"Objective {number} has no text: say what we want to achieve.",
                    row,
                    "objective",
                )
            seen[number] = row
            objective = {"row": row, "number": number, "text": cell["objective"], "actions": []}
            objectives.append(objective)
        elif objective is None:
            problem(
                "This row has no objective number and there is no objective above it.",
                row,
                "number",
            )
            continue
        elif cell["objective"]:
            objective["text"] = f"{objective['text']} {cell['objective']}".strip()

        rating = None
        if cell["rating"]:
            rating = RATING_WORDS.get(normalise_heading(cell["rating"]))
            if rating is None:
                problem(
                    f'RAG rating "{cell["rating"]}" is not one of Red, Amber, Green, Complete, '
                    "Not started.",
                    row,
                    "rating",
                )
        elif cell["comment"]:
            problem("Give a RAG rating with the progress comment.", row, "rating")

        texts = split_actions(cell["action"])
        details = {
            "lead_text": clean_block(cell["lead"]),
            "measure": clean_block(cell["measure"]),
            "timescale": cell["timescale"],
            "comment": clean_block(cell["comment"]),
            "rating": rating,
        }
        if texts:
            for text in texts:
                objective["actions"].append({"row": row, "text": text, **details})
        elif any(details.values()):
            if not objective["actions"]:
                problem("This row adds to an action but the objective has none yet.", row, "action")
                continue
            action = objective["actions"][-1]
            for name in ("lead_text", "measure", "timescale", "comment"):
                action[name] = append_line(action[name], details[name])
            if rating and action["rating"] and rating != action["rating"]:
                problem("This row gives the action a second, different RAG rating.", row, "rating")
            action["rating"] = action["rating"] or rating
    if not objectives and not problems:
        problems.append(
            Problem("The file has a header row but no objectives.", row=header.row, file=file)
        )
    if problems:
        raise ImportFailed(problems)
    return {"kind": "plan", "objectives": objectives}


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


def find_or_make_plan(partnership, name):
    """The partnership's plan called `name` (title or slug), or a new unsaved one."""
    slug = slugify(name)
    for plan in Plan.objects.filter(partnership=partnership):
        if plan.title.casefold() == name.casefold() or plan.slug == slug:
            return plan
    if not slug.startswith(slugify(partnership.short_name)):
        slug = f"{slugify(partnership.short_name)}-{slug}"
    return Plan(partnership=partnership, slug=slug[:80], title=name[:200])


def apply_business_plan(parsed, options, file=""):
    """Make the stored plan match the parsed one; ImportFailed if it cannot."""
    plan = find_or_make_plan(options.partnership, options.plan_name)
    user = options.user
    summary = Summary(kind="plan", target=plan.title, dry_run=options.dry_run)
    problems = []
    if not options.plan_name.strip():
        problems.append(Problem("Name the business plan the file belongs to.", file=file))
    if user is None and any(a["rating"] for o in parsed["objectives"] for a in o["actions"]):
        problems.append(
            Problem("Name the importing user: RAG ratings are recorded as theirs.", file=file)
        )
    if plan.pk is None and Plan.objects.filter(slug=plan.slug).exists():
        problems.append(
            Problem(f'Another partnership already has a plan "{plan.slug}".', file=file)
        )
    if problems:
        raise ImportFailed(problems)

    with transaction.atomic():
        if plan.pk is None:
            save_tracked(plan, user)
            summary.count("plans", "created")
        prefix = _objective_ref_prefix(plan)
        objectives = {o.number: o for o in Objective.objects.filter(plan=plan)}
        actions = {
            (a.parent_id, a.position): a
            for a in Action.objects.filter(parent__objective__plan=plan)
            .with_latest_update()
            .prefetch_related("milestones", "lead_groups")
        }
        groups = list(Group.objects.filter(partnerships=options.partnership))
        _check_new_refs(parsed, objectives, actions, prefix, file)
        today = timezone.localdate()
        new, ratings, new_parents = NewActions(user, summary), [], []
        for data in parsed["objectives"]:
            objective = objectives.pop(data["number"], None)
            values = {"text": data["text"]}
            if objective is None:
                objective = Objective(
                    ref=f"{prefix}-obj-{data['number']}",
                    kind=ActionParent.Kind.OBJECTIVE,
                    partnership=options.partnership,
                    position=data["number"],
                    plan=plan,
                    number=data["number"],
                    **values,
                )
                new_parents.append(objective)
                summary.count("objectives", "created")
            elif changed := set_fields(objective, values):
                save_tracked(objective, user, changed)
                summary.count("objectives", "updated")
                summary.change(f"Objective {data['number']}: {', '.join(changed)} changed")
            else:
                summary.count("objectives", "unchanged")
            for index, item in enumerate(data["actions"], start=1):
                action = sync_action(
                    actions.pop((objective.pk, index), None),
                    objective,
                    index,
                    item,
                    ref=f"{prefix}-{data['number']}-{index}",
                    link=lambda lead: {"lead_groups": match_groups(lead, groups)},
                    new=new,
                    summary=summary,
                    label=f"Action {data['number']}.{index}",
                )
                if item["rating"]:
                    latest = (
                        getattr(action, "latest_rating", None),
                        getattr(action, "latest_comment", None) or "",
                    )
                    if latest != (item["rating"], item["comment"]):
                        ratings.append((action, item["rating"], item["comment"]))
        create_action_parents(Objective, new_parents, user)
        new.create()
        updates = record_updates(
            [NewUpdate(action, rating, comment) for action, rating, comment in ratings],
            by=user,
            as_of=today,
        )
        summary.count("RAG updates", "created", len(updates))
        for objective in objectives.values():
            summary.kept.append(f"Objective {objective.number} is not in the file: left as it is.")
        for action in actions.values():
            summary.kept.append(f"Action {action.ref} is not in the file: left as it is.")
        if options.dry_run:
            transaction.set_rollback(True)
    return summary


def _check_new_refs(parsed, objectives, actions, prefix, file):
    """Refs are unique across the tracker: say so rather than fail on a database error."""
    wanted = []
    for data in parsed["objectives"]:
        if data["number"] not in objectives:
            wanted.append(f"{prefix}-obj-{data['number']}")
    taken = set(ActionParent.objects.filter(ref__in=wanted).values_list("ref", flat=True))
    if taken:
        raise ImportFailed(
            Problem(f'The reference "{ref}" is already used by another plan.', file=file)
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
        "lead_text": item["lead_text"],
        "measure": item["measure"],
        "timescale": item["timescale"],
        "due_date": due,
    }
    if "completion_notes" in item:
        values["completion_notes"] = item["completion_notes"]
    if action is None:
        action = Action(ref=ref, parent=parent, position=position, **values)
        links = {name: objs for name, objs in link(item["lead_text"]).items() if objs}
        new.add(action, links, milestones)
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
