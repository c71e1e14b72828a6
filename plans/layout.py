"""How a published plan's table is laid out: which column means what, and what each row is.

Partnerships publish their plans as Word and Excel tables with their own headings ("Actions
required", "Person responsible", "Timescale/Target", "Progress RAG status"), title rows above
the table (the plan's name, an "as at" date, a priority, a strategic lead), section rows inside
it ("10.1 | Health", "SHORT TERM TARGETS ..."), repeated header rows at page breaks and
continuation rows where a sentence ran onto the next page. This module reads that shape; the
importers (plans/importing.py, reviews/importing.py) turn it into objectives,
recommendations and actions.

Columns are recognised by what their heading means, not by exact words. A person can change
what any column is taken as (a `mapping`, {column index: field}); an unrecognised column is
kept with each action as labelled text, never dropped unless the person says to ignore it.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from .rag import split_progress_status
from .timescales import split_numbered

HEADER_SEARCH_ROWS = 40

# What a column can be taken as, with the words the upload preview shows.
FIELDS = {
    "ref": "Reference",
    "objective": "Objective / theme",
    "outcome": "Desired outcome",
    "recommendation": "Recommendation",
    "action": "Action",
    "lead": "Lead",
    "timescale": "Timescale",
    "measure": "Success measure / evidence",
    "progress": "Progress",
    "rating": "RAG rating / status",
    "progress_rating": "Progress with its status",
    "provenance": "Provenance",
    "tick": "A tick column (its heading is the status)",
    "note": "Kept as a note",
    "ignore": "Ignored",
}
# Fields one column at most may be taken as; the others may gather several columns.
SINGLE = {"ref", "objective", "recommendation", "action", "rating"}

# (pattern on the normalised heading, field), first match wins: the order matters, e.g.
# "progress rag status" is progress with its status, "date of completion" is progress.
RULES = [
    (r"\bprovenance\b", "provenance"),
    (r"\bprogress\b.*\b(rag|status)\b|\b(rag|status)\b.*\bprogress\b", "progress_rating"),
    (
        r"\b(rag|brag)\b|^status$|^rating$|\bassessment of progress\b|\bcategor|"
        r"\bprogress indicator",
        "rating",
    ),
    (
        r"^(no|nos|ref|refs|reference|number|item|id|rec no|ref no|action no|recommendation no)$",
        "ref",
    ),
    (
        r"\bdate of completion\b|\bprogress\b|\bupdate\b|\bcomment|\bresponse\b|\bposition\b",
        "progress",
    ),
    (r"^recommendations?\b", "recommendation"),
    (r"\bdesired outcome\b|\bintended outcome\b", "outcome"),
    (
        r"\bwhat do we want to achieve\b|^objectives?\b|^aims?$|^themes?$|^priorit|"
        r"\bhow will the \w+ do this\b|^workstream",
        "objective",
    ),
    (
        r"^actions?\b|\bactions? (required|to be taken|needed)\b|\bspecific actions?\b|"
        r"\bhow are we going to do it\b|\bwhat will (it|we) do\b|^tasks?$|^activit",
        "action",
    ),
    (r"\bby whom\b|\bwho will lead\b|\blead\b|\bresponsib|\bowner|\baccountable\b|^person", "lead"),
    (r"\breview date\b|\bmilestone|\bscope\b|\bexpected new\b|\btick\b", "note"),
    (
        r"^when\b|\btimescales?\b|\btarget\b|\bby when\b|\bdeadline\b|^date\b|\bdue\b|"
        r"\bwhen are we going to achieve\b|\bcompletion date\b",
        "timescale",
    ),
    (
        r"\bhow will we know\b|\bmeasure|\baudit of implementation\b|\bevidence\b|\bimpact\b|"
        r"\bsuccess\b|\boutput\b|\boutcome\b",
        "measure",
    ),
]
_RULES = [(re.compile(pattern), name) for pattern, name in RULES]

# A reference as plans print them: "1", "1.", "10.1.1", "2 (i)", "R7", "Action 2", "(a)".
_REF = re.compile(
    r"^(?:(?:recommendation|rec|action|objective|r)\s*)?"
    r"(?:\d{1,3}(?:\.\d{1,3}){0,3}[a-z]?\.?(?:\s*\([ivxlc]+\)|\s*\([a-z]\))?|\([a-z]\)|[ivxlc]+\.?)$",
    re.IGNORECASE,
)
_LEADING_REF = re.compile(
    r"^\s*((?:recommendation|action)\s+\d{1,3}(?:\.\d{1,3})*|\d{1,3}(?:\.\d{1,3}){0,3})"
    r"\s*[.:)\-\u2013]?\s+(?=\S)",
    re.IGNORECASE,
)
_AS_AT = re.compile(
    r"\b(?:as at|as of|updated|position at|progress (?:at|to))\s*:?\s*(.+)$", re.IGNORECASE
)


def normalise_heading(text):
    """ "Who will lead?\\n(name or role)" -> "who will lead": notes in brackets, case, punctuation
    and line breaks do not change what a heading means."""
    text = unicodedata.normalize("NFKC", text or "").lower().replace("&", " and ")
    text = re.sub(r"\([^)]*\)", " ", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def field_for(heading):
    """What a heading means (a FIELDS key), or None when nothing recognises it."""
    if re.search(r"(?i)\btick\b|\u2713", heading or ""):
        return "tick"  # "Achieved (tick)": a mark in it says the status its heading names
    normalised = normalise_heading(heading)
    if not normalised:
        return None
    for pattern, name in _RULES:
        if pattern.search(normalised):
            return name
    return None


def looks_like_ref(text):
    return bool(text) and len(text) <= 24 and bool(_REF.match(text.strip()))


def leading_ref(text):
    """("10.1.1", rest) when a cell starts with its own reference, else ("", text)."""
    match = _LEADING_REF.match(text or "")
    if not match:
        return "", text
    return match.group(1).strip(), text[match.end() :].strip()


@dataclass
class Column:
    index: int
    heading: str  # as the file writes it
    field: str  # a FIELDS key
    how: str  # "recognised", "chosen" (by the person), "by content", "not recognised"

    @property
    def letter(self):
        letters, index = "", self.index + 1
        while index:
            index, rest = divmod(index - 1, 26)
            letters = chr(65 + rest) + letters
        return letters

    @property
    def label(self):
        return self.heading.replace("\n", " ").strip() or f"Column {self.letter} (no heading)"

    def as_dict(self):
        return {
            "index": self.index,
            "letter": self.letter,
            "heading": self.label,
            "written": self.heading,
            "field": self.field,
            "field_label": FIELDS[self.field],
            "how": self.how,
        }


@dataclass
class Layout:
    """The header row, what each column is taken as, and what the rows above it say."""

    header_row: int  # spreadsheet row number, 1-based
    columns: list[Column]
    titles: list[tuple[int, str]] = field(default_factory=list)  # (row, text) above the header

    def by_field(self, name):
        return [column for column in self.columns if column.field == name]

    def first(self, name):
        found = self.by_field(name)
        return found[0] if found else None

    def has(self, name):
        return any(column.field == name for column in self.columns)

    @property
    def kind(self):
        """The kind of plan the columns suggest: a review plan has recommendations."""
        return "review" if self.has("recommendation") else "plan"

    @property
    def parent_field(self):
        return "recommendation" if self.has("recommendation") else "objective"

    @property
    def title(self):
        return self.titles[0][1].replace("\n", " ") if self.titles else ""

    def signature(self):
        """The header's words, to remember a person's mapping for the next file like it."""
        return "|".join(normalise_heading(column.heading) for column in self.columns)

    def is_repeat(self, values):
        """A header row repeated at a page break."""
        headed = [c for c in self.columns if c.heading.strip()]
        same = sum(
            1
            for column in headed
            if column.index < len(values)
            and normalise_heading(values[column.index]) == normalise_heading(column.heading)
        )
        return bool(headed) and same >= 2 and same > len(headed) / 2


def _score(values):
    """How much a row looks like a header: the number of distinct core fields it names."""
    fields = {field_for(value) for value in values if value}
    core = {"recommendation", "action", "lead", "timescale", "objective", "measure", "ref"}
    core |= {"progress", "rating", "progress_rating", "outcome"}
    found = fields & core
    # A header names what a row does: an action (or recommendation/objective) and who/when.
    essential = found & {"recommendation", "action", "objective"}
    return len(found) + (2 if essential else 0) if len(found) >= 2 else 0


def find_layout(rows, mapping=None):
    """The best header row in the first rows and the columns it names, or None.

    `mapping` ({column index or normalised heading: field}) is what a person chose in the
    preview (or with the command's --map); it wins over the recognised meaning of a column.
    """
    best = None
    for index, values in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = _score(values)
        if score and (best is None or score > best[0]):
            best = (score, index)
    if best is None:
        return None
    header_index = best[1]
    values = rows[header_index]
    body = rows[header_index + 1 : header_index + 60]
    columns = _columns(values, body, mapping or {})
    titles = [
        (index + 1, " ".join(cell for cell in row if cell).strip())
        for index, row in enumerate(rows[:header_index])
        if any(row)
    ]
    return Layout(header_row=header_index + 1, columns=columns, titles=titles)


def _columns(values, body, mapping):
    width = max([len(values), *[len(row) for row in body]])
    columns = []
    taken = set()
    for index in range(width):
        heading = values[index] if index < len(values) else ""
        chosen = mapping.get(index) or mapping.get(normalise_heading(heading) or None)
        if chosen in FIELDS:
            columns.append(Column(index, heading, chosen, "chosen"))
            continue
        name = field_for(heading)
        how = "recognised"
        if name is None:
            name, how = _by_content(index, heading, body)
        if name in SINGLE and name in taken:
            name, how = "note", "not recognised"
        taken.add(name)
        columns.append(Column(index, heading, name, how))
    _place_outcome(columns)
    return [column for column in columns if column.heading.strip() or _has_text(column, body)]


def _has_text(column, body):
    return any(column.index < len(row) and row[column.index] for row in body)


def _by_content(index, heading, body):
    """A column with no heading we know: its cells may say what it is."""
    cells = [row[index] for row in body if index < len(row) and row[index]]
    if not cells:
        return "ignore" if not heading.strip() else "note", "not recognised"
    if index == 0 and not heading.strip():
        refs = sum(1 for cell in cells if looks_like_ref(cell) or leading_ref(cell)[0])
        if refs >= max(1, len(cells) // 2):
            return "ref", "by content"
    starts = sum(1 for cell in cells if re.match(r"(?i)recommendation\s+\d", cell))
    if starts >= max(1, len(cells) // 2):
        return "recommendation", "by content"
    return "note", "not recognised"


def _place_outcome(columns):
    """ "Outcome" before the recommendation (or, with none, the action) is the desired outcome
    (seed 003); after it, it says how success will be known (an SCR plan of 2007)."""
    anchor = next((c.index for c in columns if c.field == "recommendation"), None)
    if anchor is None:
        anchor = next((c.index for c in columns if c.field == "action"), None)
    for column in columns:
        if column.how != "recognised" or normalise_heading(column.heading) != "outcome":
            continue
        column.field = "outcome" if anchor is not None and column.index < anchor else "measure"
    if not any(c.field == "recommendation" for c in columns):
        for column in columns:  # a business plan's objectives hold no outcome: keep the words
            if column.field == "outcome" and column.how == "recognised":
                column.field = "note"


def as_at_date_text(titles, columns=()):
    """An "as at ..." phrase in the title rows or a heading ("Progress presented to Committee
    Dec 2017"), as written, or ""."""
    for _row, text in titles:
        match = _AS_AT.search(text)
        if match:
            return match.group(1).strip()
    for column in columns:
        if column.field in ("progress", "progress_rating"):
            match = re.search(
                r"\b((?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{4})\b",
                column.heading,
                re.IGNORECASE,
            )
            if match:
                return match.group(1)
    return ""


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


# -- Rows ----------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.;:!?]\s*$")
_KEY_ROW = re.compile(r"^\s*(\d)\s*[-=:.]?\s+([A-Za-z].{0,40})$")
_GUIDANCE = re.compile(
    r"\?\s*$|\be\.?g\.?\b|\bno names\b|^red\W+amber\W+green$|\brealistic\b", re.I
)
_TIMESCALE_SECTION = re.compile(r"\b(?:by|before)\s+((?:[a-z]+\s+)?\d{4})\b", re.IGNORECASE)
_PRIORITY = re.compile(r"^\s*priority\b", re.IGNORECASE)
_LEAD_TITLE = re.compile(r"\blead\b[^:]*:\s*(.+)$", re.IGNORECASE)
_CONTENT_FIELDS = (
    "action",
    "lead",
    "timescale",
    "measure",
    "progress",
    "rating",
    "progress_rating",
)


def _cell(values, index):
    return values[index] if index < len(values) else ""


@dataclass
class Row:
    number: int  # spreadsheet row, 1-based
    cells: dict  # field -> text (several columns of one field joined by lines)
    notes: list  # "Heading: text" for columns kept as notes
    values: list = field(default_factory=list)  # the row's cells as read

    def get(self, name):
        return self.cells.get(name, "")


def row_cells(layout, values):
    cells, notes = {}, []
    for column in layout.columns:
        text = values[column.index] if column.index < len(values) else ""
        if not text or column.field == "ignore":
            continue
        if column.field in ("note", "tick"):
            notes.append(f"{column.label}: {text}")
        elif column.field in cells:
            cells[column.field] = f"{cells[column.field]}\n{text}"
        else:
            cells[column.field] = text
    return cells, notes


def _first_field(layout):
    first = next((c for c in layout.columns if c.index == 0), None)
    return first.field if first else None


def classify(layout, values, *, first_after_header=False):
    """What a row below the header is: "blank", "repeat", "guidance", "key", "section" or
    "item" (a row with content, which may continue the one above)."""
    filled = [text for text in values if text]
    if not filled:
        return "blank"
    if layout.is_repeat(values) or all(
        not _cell(values, c.index)
        or normalise_heading(_cell(values, c.index)) == normalise_heading(c.heading)
        for c in layout.columns
    ):
        return "repeat"
    if first_after_header and sum(1 for text in filled if _GUIDANCE.search(text)) >= max(
        1, len(filled) // 2
    ):
        return "guidance"
    cells, _notes = row_cells(layout, values)
    if len(filled) == 1 and _KEY_ROW.match(filled[0]) and layout.has("rating"):
        return "key"
    if len(filled) == 1 and values[0]:
        first = _first_field(layout)
        if first == layout.parent_field:  # "Recording" is a heading; a sentence is not
            return "section" if _is_heading(values[0]) else "item"
        if first != "action":
            return "section"  # a lone first cell: an agency's or a theme's heading (seed 003)
    content = [name for name in _CONTENT_FIELDS if cells.get(name)]
    heading_text = [text for name, text in cells.items() if name != "ref" and text]
    if content or len(heading_text) > 1:
        return "item"
    if len(filled) == 1:
        return "section"  # an agency, a sector or a theme on a row of its own
    text = heading_text[0] if heading_text else ""
    if _is_heading(text):
        return "section"  # "10.1 | Health": a numbered heading, not a recommendation
    return "item"


def _is_heading(text):
    return len(text.split()) <= 6 and not _SENTENCE_END.search(text)


@dataclass
class Reading:
    """What a table says, as plain data: parents (objectives or recommendations) with their
    actions, the sections they sit under, what the title rows set, warnings and questions."""

    layout: Layout
    parents: list = field(default_factory=list)
    sections: list = field(default_factory=list)  # {"row", "name"}
    warnings: list = field(default_factory=list)  # (row or None, message)
    problems: list = field(default_factory=list)  # (row, field, message): these block
    statuses: dict = field(default_factory=dict)  # words as written -> [rows] (to ask about)
    status_key: dict = field(default_factory=dict)  # "1" -> "Fully Achieved"
    skipped: list = field(default_factory=list)  # (row, why)
    title_defaults: dict = field(default_factory=dict)  # lead, timescale, section from titles
    title_parent: str = ""  # a priority or theme heading above the table


def read_titles(layout):
    """Defaults the rows above the header set: a strategic lead, a section timescale
    ("SHORT TERM TARGETS (... by June 2006)"), a priority heading, objective statements."""
    defaults, parent, objectives = {}, "", []
    listing = False
    for _row, text in layout.titles[1:]:
        flat = text.replace("\n", " ").strip()
        if listing and not _PRIORITY.match(flat):
            objectives.append(flat)
            continue
        if normalise_heading(flat) in ("objectives", "objective"):
            listing = True
        elif _PRIORITY.match(flat) or re.search(r"(?i)\bpriority\b|\btheme\b", flat):
            parent, listing = flat, False
            defaults.setdefault("section", flat)
        elif (lead := _LEAD_TITLE.search(flat)) and "lead" in flat.lower()[:40]:
            defaults["lead"] = lead.group(1).strip()
        elif (when := _TIMESCALE_SECTION.search(flat)) and re.search(r"(?i)target|term", flat):
            defaults["timescale"] = f"By {when.group(1)}"
            defaults["section"] = flat
    return defaults, parent, objectives


_PRIORITY_REF = re.compile(
    r"^\s*priority\s+(\d{1,2}[a-z]?|[ivx]+|one|two|three|four|five)\b[\s:.\-\u2013]*", re.I
)


def title_parent(heading, objectives):
    """(reference, text) of the parent a priority heading above the table stands for:
    "PRIORITY 1a Early Help" -> ("1a", "Early Help"), with the objective statements listed
    under it kept in its text."""
    match = _PRIORITY_REF.match(heading or "")
    reference, text = (match.group(1), heading[match.end() :]) if match else ("", heading)
    if objectives:
        text = "\n".join([text.strip(), "Objectives:", *(f"- {item}" for item in objectives)])
    return reference, text.strip()


class Walker:
    """Walks the rows below the header once, building a Reading."""

    def __init__(self, rows, layout):
        self.rows, self.layout = rows, layout
        self.reading = Reading(layout=layout)
        defaults, parent, objectives = read_titles(layout)
        self.reading.title_defaults = defaults
        self.title_ref, self.reading.title_parent = title_parent(parent, objectives)
        self.section = {"row": None, "name": defaults.get("section", "")}
        self.parent = None
        self.outcome = ""
        # A reference column left of the objective/recommendation column numbers those ("No. |
        # What do we want to achieve?"); right of it, it numbers the actions ("Theme | Ref").
        ref, parent = layout.first("ref"), layout.first(layout.parent_field)
        self.ref_numbers_parents = bool(ref and parent and ref.index < parent.index)

    def walk(self):
        first = True
        for index in range(self.layout.header_row, len(self.rows)):
            values, number = self.rows[index], index + 1
            kind = classify(self.layout, values, first_after_header=first)
            if kind != "blank":
                first = False
            getattr(self, f"on_{kind}")(number, values)
        return self.reading

    def on_blank(self, number, values):
        pass

    def on_repeat(self, number, values):
        self.reading.skipped.append((number, "a repeated header row"))

    def on_guidance(self, number, values):
        self.reading.skipped.append((number, "the template's guidance under the header"))

    def on_key(self, number, values):
        text = next(value for value in values if value)
        match = _KEY_ROW.match(text)
        self.reading.status_key[match.group(1)] = match.group(2).strip()
        self.reading.skipped.append((number, "a key to the status numbers"))

    def on_section(self, number, values):
        cells, _notes = row_cells(self.layout, values)
        name = next((text for name, text in cells.items() if name != "ref" and text), "")
        name = name or next(text for text in values if text)
        ref = cells.get("ref", "")
        name = " ".join(part for part in (ref, name.replace("\n", " ").strip()) if part)
        self.section = {"row": number, "name": name, "ref": ref}
        self.reading.sections.append(dict(self.section))
        self.parent, self.outcome = None, ""

    def on_item(self, number, values):
        row = Row(number, *row_cells(self.layout, values), values=values)
        parent_field = self.layout.parent_field
        parent_text = row.get(parent_field)
        has_parent_column = self.layout.has(parent_field)
        if not parent_text and row.get("outcome") and row.get("outcome") != self.outcome:
            self.reading.problems.append(
                (number, parent_field, "This row has an outcome but no recommendation.")
            )
            return
        new_number = (
            self.ref_numbers_parents
            and row.get("ref")
            and (self.parent is None or row.get("ref") != self.parent["reference"])
        )
        if parent_text or new_number or (not has_parent_column and self.parent is None):
            self.parent = self._new_parent(row, parent_text)
            if not self.parent["text"] and has_parent_column:
                what = "Recommendation" if self.layout.kind == "review" else "Objective"
                self.reading.warnings.append(
                    (number, f"{what} {row.get('ref')} has no text: the reference stands for it.")
                )
        elif self.parent is None:
            what = "recommendation" if self.layout.kind == "review" else "objective"
            self.reading.problems.append(
                (
                    number,
                    parent_field,
                    f"This row has no {what} and there is none above it in this section.",
                )
            )
            return
        self._add_actions(row)

    def _starts_parent(self, row):
        return self.parent is None

    def _new_parent(self, row, text):
        reference, text = leading_ref(text) if text else ("", text)
        if not text and not self.reading.parents and not self.layout.has(self.layout.parent_field):
            reference, text = self.title_ref, self.reading.title_parent  # the priority above
        outcome = row.get("outcome") or self.outcome
        self.outcome = outcome
        parent = {
            "row": row.number,
            "reference": reference or (row.get("ref") if self.ref_numbers_parents else ""),
            "text": text.strip(),
            "outcome": outcome,
            "provenance": row.get("provenance"),
            "section": self.section["name"],
            "section_row": self.section["row"],
            "actions": [],
        }
        self.reading.parents.append(parent)
        return parent

    def _add_actions(self, row):
        """One action per action text (a bullet list is several); a row with no action text
        continues the action above; where the table has no action column, the
        recommendation (or objective) is its own action."""
        action_text = row.get("action")
        own = row.get(self.layout.parent_field) or not self.parent["actions"]
        if not self.layout.has("action") and own:
            action_text = self.parent["text"] or row.get(self.layout.parent_field)
        details = self._details(row)
        if action_text:
            for text, timescale in split_with_timescales(action_text, details["timescale"]):
                reference, text = leading_ref(text)
                self.parent["actions"].append(
                    {
                        "row": row.number,
                        "reference": self._action_ref(row, reference),
                        "text": text,
                        **details,
                        "timescale": timescale,
                    }
                )
        elif self.parent["actions"]:
            self._continue(self.parent["actions"][-1], details)
        elif any(details[name] for name in ("lead_text", "timescale", "measure", "progress")):
            self.reading.problems.append(
                (
                    row.number,
                    "action",
                    "Enter the action: this row gives a lead, timescale or audit but no action.",
                )
            )
        if row.notes and not action_text and self.parent["actions"]:
            self.parent["actions"][-1]["notes"] += row.notes

    def _action_ref(self, row, reference):
        ref = "" if self.ref_numbers_parents else row.get("ref")
        parent_has_own = bool(self.parent["reference"]) and self.parent["reference"] != ref
        if reference:
            return reference
        if ref and (parent_has_own or not row.get(self.layout.parent_field)):
            return ref
        return ""

    def _details(self, row):
        defaults = self.reading.title_defaults
        progress, status = row.get("progress"), row.get("rating")
        if row.get("progress_rating"):
            narrative, words = split_progress_status(row.get("progress_rating"))
            progress = "\n".join(part for part in (progress, narrative) if part)
            status = status or words
        return {
            "lead_text": row.get("lead") or defaults.get("lead", ""),
            "timescale": row.get("timescale") or defaults.get("timescale", ""),
            "measure": row.get("measure"),
            "progress": progress,
            "status": status or self._ticked(row),
            "notes": list(row.notes),
            "section": self.section["name"],
        }

    def _ticked(self, row):
        """ "Achieved: Yes" from a tick column named "Achieved (tick)" with a mark in it."""
        for column in self.layout.by_field("tick"):
            value = _cell(row.values, column.index)
            if value and value.strip().lower() not in ("no", "n", "-", "x"):
                heading = re.sub(r"\([^)]*\)", "", column.heading).replace("\n", " ")
                return f"{' '.join(heading.split())}: {value}"
        return ""

    @staticmethod
    def _continue(action, details):
        for name in ("lead_text", "timescale", "measure", "progress"):
            addition = details[name]
            if addition and addition != action[name]:
                action[name] = f"{action[name]}\n{addition}" if action[name] else addition
        action["status"] = action["status"] or details["status"]
        action["notes"] += details["notes"]


def split_with_timescales(action_text, timescale):
    """Each action of a cell with its own timescale where a numbered timescale cell matches
    numbered actions ("1. ... 2. ..." beside "1. Complete 2. 31 March 2020"); else the cell's
    actions (bullets split) sharing the timescale."""
    numbered = split_numbered(action_text)
    times = split_numbered(timescale) if numbered else None
    if numbered and times and len(times) == len(numbered):
        return list(zip(numbered, times, strict=True))
    return [(text, timescale) for text in split_actions(action_text)]
