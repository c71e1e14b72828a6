"""RAG ratings: their order of severity and summaries by rating.

The worst rating of a group is the most severe one present, so one Red is never averaged away.
"""

import re
from dataclasses import dataclass, field

from .models import Rating


def worst(ratings):
    """The most severe of `ratings` (None stands for "not yet rated"), in Rating.severity()."""
    present = set(ratings)
    return next((rating for rating in Rating.severity() if rating in present), None)


def label(rating):
    return Rating.label_of(rating)


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
        return [(rating, text, self.counts.get(rating, 0)) for rating, text in Rating.columns()]


# -- Status words in published plans -------------------------------------------------------

# What plans write in a status or RAG cell, and the rating it means. A cell may go on after
# the word ("Complete: audit done", "Red - delayed by IT changes", "Green - complete").
STATUS_WORDS = {
    Rating.COMPLETE: [
        "complete",
        "completed",
        "fully achieved",
        "achieved",
        "done",
        "closed",
        "blue",
        "green complete",
        "green completed",
        "b",
        "c",
    ],
    Rating.GREEN: ["green", "g", "on target", "in place"],
    Rating.AMBER: ["amber", "a", "amber in progress", "partially achieved", "partially complete"],
    Rating.RED: ["red", "r", "not achieved", "overdue"],
    Rating.NOT_STARTED: ["not yet started", "not started", "not begun", "to start"],
}
# Words that could mean more than one rating: the person says which in the preview.
AMBIGUOUS_WORDS = [
    "amber green",
    "green amber",
    "red amber",
    "amber red",
    "on track",
    "ongoing",
    "in progress",
    "progressing",
    "underway",
    "under way",
    "partial",
    "partially",
]
_WORD_RATING = {word: rating for rating, words in STATUS_WORDS.items() for word in words}


def _fold(text):
    import unicodedata  # noqa: PLC0415  (only for this rarely called reader)

    text = unicodedata.normalize("NFKC", text or "").lower()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text).split())


def read_status(text):
    """(rating or None, the status words as written, ambiguous?) for a status cell.

    "Complete: audit done" -> ("complete", "Complete", False); "Amber/Green" -> (None,
    "Amber/Green", True); "" -> (None, "", False). Only the cell's first words count, so a
    narrative that mentions "red" later is not taken as a rating.
    """
    first = re.split(r"[:\n;]|\s[-\u2013\u2014]\s|\.\s", (text or "").strip(), maxsplit=1)[0]
    folded = _fold(first)
    if not folded:
        return None, "", False
    if folded in AMBIGUOUS_WORDS:
        return None, first.strip(), True
    for size in (4, 3, 2, 1):
        words = folded.split()[:size]
        rating = _WORD_RATING.get(" ".join(words))
        if rating is not None and (size > 1 or len(folded.split()) <= 3 or len(words[0]) > 1):
            return rating, first.strip(), False
    return None, first.strip(), bool(re.fullmatch(r"[\w/ -]{1,25}", first.strip()))


_TRAILING_STATUS = re.compile(
    r"(?:^|[\s.])"
    r"((?:completed?|complete|ongoing|on track|in progress|not (?:yet )?started)\.?)\s*$",
    re.IGNORECASE,
)


def split_progress_status(text):
    """(narrative, status words) for a "Progress RAG status" cell, where the status is a line
    of its own or ends the text ("... aligned to organisation. Completed.")."""
    text = (text or "").strip()
    lines = text.split("\n")
    if len(lines) > 1 and read_status(lines[-1])[0] and len(lines[-1]) <= 30:
        return "\n".join(lines[:-1]).strip(), lines[-1].strip()
    if len(lines) > 1 and read_status(lines[0])[0] and len(lines[0]) <= 30:
        return "\n".join(lines[1:]).strip(), lines[0].strip()
    match = _TRAILING_STATUS.search(text)
    if match and match.start(1) > 0:
        return text[: match.start(1)].strip(), match.group(1).strip()
    rating, words, ambiguous = read_status(text)
    if (rating or ambiguous) and len(text) <= 30 and "\n" not in text:
        return "", text  # the cell is only a status ("Complete", "Amber/Green")
    return text, ""
