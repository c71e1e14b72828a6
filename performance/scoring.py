"""How a value is rated against its measure's target and how it moved: in words first.

A measure has a target and may have a tolerance (the "amber threshold"): a value on or better
than the target is Green; worse than the target but not worse than the threshold, Amber;
worse than that (or worse than the target when there is no threshold), Red. "Better" follows
the measure's direction: higher for "children seen within timescale", lower for
"re-referrals". A measure kept only to watch a trend has no direction and no target.

A missing value is missing: it is never rated and never taken as zero.
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Rating:
    key: str  # the CSS modifier of includes/rag_tag.html (red, amber, green, not_started)
    word: str
    meaning: str

    def __str__(self):
        return self.word


GREEN = Rating("green", "Green", "on or better than target")
AMBER = Rating("amber", "Amber", "short of target, within tolerance")
RED = Rating("red", "Red", "worse than the tolerance")
NO_TARGET = Rating("not_started", "No target", "watched for its trend only")
MISSING = Rating("not_started", "Missing", "no value for the period")
RATINGS = (GREEN, AMBER, RED, NO_TARGET, MISSING)


def better(a, b, higher_is_better):
    """True if `a` is better than `b` for a measure going that way."""
    return a > b if higher_is_better else a < b


def rate(value, *, target, amber, higher_is_better):
    if value is None:
        return MISSING
    if target is None or higher_is_better is None:
        return NO_TARGET
    if value == target or better(value, target, higher_is_better):
        return GREEN
    if amber is not None and (value == amber or better(value, amber, higher_is_better)):
        return AMBER
    return RED


@dataclass(frozen=True)
class Movement:
    key: str  # improved, worsened, same, up, down, none
    words: str
    arrow: str  # shown beside the words, never instead of them


def movement(value, before, *, higher_is_better, unit=""):
    """How `value` moved from the previous period's `before`, in words."""
    if value is None:
        return Movement("none", "no value this period", "")
    if before is None:
        return Movement("none", "no previous value", "")
    if value == before:
        return Movement("same", f"same as before ({show(before, unit)})", "\u2192")
    arrow = "\u2191" if value > before else "\u2193"
    direction = "up" if value > before else "down"
    change = f"{direction} from {show(before, unit)}"
    if higher_is_better is None:
        return Movement(direction, change, arrow)
    if better(value, before, higher_is_better):
        return Movement("improved", f"improved: {change}", arrow)
    return Movement("worsened", f"worsened: {change}", arrow)


def show(value, unit=""):
    """A value as a person writes it: "21.5%", "12 days", "82 per 10,000", "545"."""
    if value is None:
        return "missing"
    value = Decimal(value)
    text = f"{value.normalize():,f}"
    if unit == "percent":
        return f"{text}%"
    if unit == "days":
        return f"{text} day{'s' if value != 1 else ''}"
    if unit == "rate":
        return f"{text} per 10,000"
    return text
