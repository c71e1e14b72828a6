"""Charts drawn on the server as inline SVG: the pack's bars of actions by rating, and the
dashboard's stacked bars (ratings per priority, workstream and review; the trend over past BMG
deadlines).

No script draws anything. Every chart names itself (role="img", a title and a description
listing every figure), each rating has a fill pattern as well as a colour, bars carry their
rating's word or count where they are wide enough, and the page prints the same figures in a
table beside the chart: colour is never the only signal.
"""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from plans.models import Rating

COLOURS = Rating.colours()
INK = "#0b0c0c"
PAPER = "#ffffff"

CHART_FONT = mark_safe(  # noqa: S308 (a constant)
    'font-family="Liberation Sans, Arial, sans-serif" font-size="12" fill="#0b0c0c"'
)

# Marks laid over each rating's colour, so that ratings differ in black and white and for
# people who do not tell the colours apart. Green and "not yet rated" are plain.
_MARKS = {
    Rating.RED: '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="{ink}" stroke-width="1.5"'
    ' stroke-opacity=".5"/>',
    Rating.AMBER: '<circle cx="4" cy="4" r="1.6" fill="{ink}" fill-opacity=".45"/>',
    Rating.COMPLETE: '<path d="M0,2 h8 M0,6 h8" stroke="{ink}" stroke-width="1"'
    ' stroke-opacity=".5"/>',
    Rating.NOT_STARTED: '<path d="M2,0 v8 M6,0 v8" stroke="{ink}" stroke-width="1"'
    ' stroke-opacity=".45"/>',
}


def _luminance(colour):
    """WCAG relative luminance of a "#rrggbb" colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one, other):
    lighter, darker = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def ink_on(fill):
    """Black or white, whichever reads better on `fill` (charts and spreadsheet cells)."""
    return INK if contrast(INK, fill) >= contrast(PAPER, fill) else PAPER


def pattern_id(prefix, rating):
    return f"{prefix}-{rating or 'none'}"


def pattern_defs(prefix, ratings):
    """<pattern> elements for `ratings`, with ids from pattern_id(prefix, rating)."""
    return format_html_join(
        "",
        '<pattern id="{}" width="8" height="8" patternUnits="userSpaceOnUse">'
        '<rect width="8" height="8" fill="{}"/>{}</pattern>',
        (
            (
                pattern_id(prefix, rating),
                COLOURS[rating],
                mark_safe(_MARKS.get(rating, "").format(ink=ink_on(COLOURS[rating]))),  # noqa: S308
            )
            for rating in ratings
        ),
    )


def swatch(prefix, rating):
    """A small square of a rating's fill, for a chart's key (the word is printed beside it)."""
    ident = pattern_id(f"{prefix}-key", rating)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="app-chart-key__swatch" width="24"'
        ' height="16" viewBox="0 0 24 16" aria-hidden="true" focusable="false"><defs>{}</defs>'
        '<rect x=".5" y=".5" width="23" height="15" fill="url(#{})" stroke="{}"/></svg>',
        pattern_defs(f"{prefix}-key", [rating]),
        ident,
        INK,
    )


def ratings_chart(tally):
    """A horizontal bar chart of actions by rating, as inline SVG with every bar labelled in
    words and numbers, so that it reads the same in black and white (the pack's summary)."""
    rows = tally.cells
    most = max((count for _, _, count in rows), default=0) or 1
    bar_left, bar_width, row_height = 150, 420, 26
    height = row_height * len(rows) + 10
    bars = []
    for index, (rating, text, count) in enumerate(rows):
        y = 5 + index * row_height
        width = round(bar_width * count / most)
        bars.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" font-weight="bold" {}>{}</text>'
                '<rect x="{}" y="{}" width="{}" height="18" fill="{}" stroke="#0b0c0c"'
                ' stroke-width="{}"/>'
                '<text x="{}" y="{}" {}>{}</text>',
                bar_left - 8,
                y + 14,
                CHART_FONT,
                text,
                bar_left,
                y,
                width,
                COLOURS[rating],
                1 if width else 0,
                bar_left + width + 6,
                y + 14,
                CHART_FONT,
                count,
            )
        )
    total = tally.total
    description = "; ".join(f"{text}: {count}" for _, text, count in rows)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{w}"'
        ' height="{h}" viewBox="0 0 {w} {h}" aria-labelledby="chart-title">'
        '<title id="chart-title">Actions by rating ({total} in all): {desc}</title>'
        '<line x1="{x}" y1="0" x2="{x}" y2="{h}" stroke="#0b0c0c" stroke-width="1"/>'
        "{bars}</svg>",
        w=bar_left + bar_width + 60,
        h=height,
        total=total,
        desc=description,
        x=bar_left,
        bars=mark_safe("".join(bars)),  # noqa: S308 (each piece built by format_html)
    )


# -- Stacked bars ---------------------------------------------------------------------------

# The SVG is as wide as its column (no viewBox, widths in percent), so its text keeps its
# size at 375 px and at 1280 px. Labels inside a bar are sized for the narrowest column.
NARROWEST = 300  # px: the chart's width on a 375 px screen, less margins
ROW_HEIGHT = 58
BAR_HEIGHT = 28
CHAR_WIDTH = 8.6  # px per character of the 14 px bold font, a little generous
LABEL_CHARS = 36  # a longer name is cut short in the chart (the table has it in full)
FONT_14 = mark_safe(  # noqa: S308 (a constant)
    'font-family="Liberation Sans, Arial, sans-serif" font-size="14" font-weight="bold"'
)


@dataclass
class Bar:
    """One bar: its label and its counts by rating."""

    label: str
    counts: dict

    def total(self, ratings):
        return sum(self.counts.get(rating, 0) for rating in ratings)

    def words(self, ratings):
        return ", ".join(
            f"{self.counts.get(rating, 0)} {Rating.label_of(rating)}" for rating in ratings
        )


def _short(text):
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "\u2026"


def _percent(share):
    return f"{share * 100:.3f}%"


def _segment_text(rating, count, share):
    """What fits inside a segment `share` (0..1) of the bar at the narrowest width."""
    room = share * NARROWEST
    word = f"{Rating.label_of(rating)} {count}"
    if room >= len(word) * CHAR_WIDTH + 8:
        return word
    if room >= len(str(count)) * CHAR_WIDTH + 6:
        return str(count)
    return ""


def _bar(prefix, bar, ratings, most, y):
    """The label line and the stacked segments of one bar."""
    parts = [
        format_html(
            '<text x="0" y="{}" {} fill="{}">{} ({})</text>',
            y + 15,
            FONT_14,
            INK,
            _short(bar.label),
            bar.total(ratings),
        )
    ]
    left = 0.0
    for rating in ratings:
        count = bar.counts.get(rating, 0)
        if not count:
            continue
        share = count / most
        fill = COLOURS[rating]
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="url(#{})"'
                ' stroke="{}" stroke-width="1"><title>{}: {}</title></rect>',
                _percent(left),
                y + 22,
                _percent(share),
                BAR_HEIGHT,
                pattern_id(prefix, rating),
                INK,
                Rating.label_of(rating),
                count,
            )
        )
        if text := _segment_text(rating, count, share):
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" {} fill="{}" stroke="{}"'
                    ' stroke-width="3" paint-order="stroke">{}</text>',
                    _percent(left + share / 2),
                    y + 22 + 19,
                    FONT_14,
                    ink_on(fill),
                    fill,
                    text,
                )
            )
        left += share
    return mark_safe("".join(parts))  # noqa: S308 (each piece built by format_html)


def stacked_chart(bars, *, prefix, title, ratings=None):
    """Horizontal stacked bars, one per Bar, scaled to the largest total so that bars compare
    in size as well as in mix. `prefix` makes the ids unique on the page."""
    ratings = list(Rating.column_order() if ratings is None else ratings)
    most = max((bar.total(ratings) for bar in bars), default=0) or 1
    height = ROW_HEIGHT * len(bars) + 4
    body = mark_safe(  # noqa: S308 (each piece built by format_html)
        "".join(
            _bar(prefix, bar, ratings, most, index * ROW_HEIGHT) for index, bar in enumerate(bars)
        )
    )
    description = "; ".join(f"{bar.label}: {bar.words(ratings)}" for bar in bars)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" width="100%"'
        ' height="{h}" aria-labelledby="{p}-title {p}-desc" focusable="false">'
        '<title id="{p}-title">{title}</title><desc id="{p}-desc">{desc}.</desc>'
        "<defs>{defs}</defs>{body}</svg>",
        h=height,
        p=prefix,
        title=title,
        desc=description,
        defs=pattern_defs(prefix, ratings),
        body=body,
    )


def chart_key(prefix, ratings=None):
    """[(swatch svg, word)] for the key printed under a stacked chart."""
    ratings = Rating.column_order() if ratings is None else ratings
    return [(swatch(prefix, rating), Rating.label_of(rating)) for rating in ratings]
