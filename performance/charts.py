"""Trend charts as inline SVG, drawn on the server: every point is labelled with its value,
a missing period is written as "missing" where its point would be (the line breaks there,
it never drops to zero), and the target and tolerance are labelled lines. The chart's title
and description say the same in words, and each page prints the values as a table too."""

import math
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from . import scoring

FONT = mark_safe(  # noqa: S308 (a constant)
    'font-family="Liberation Sans, Arial, sans-serif" font-size="12" fill="#0b0c0c"'
)
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 110, 24, 44
LINE = "#1d70b8"


def _nice(span):
    """A round step (1, 2 or 5 times a power of ten) about a fifth of `span`."""
    raw = max(float(span), 1e-6) / 5
    power = 10 ** math.floor(math.log10(raw))
    return Decimal(str(next(m * power for m in (1, 2, 5, 10) if m * power >= raw)))


def _scale(values, unit):
    """(bottom, top) of the value axis: the data with room around it, on round numbers, and
    from zero when the data come near it. Both ends are labelled on the chart."""
    if not values:
        return Decimal(0), Decimal(100 if unit == "percent" else 1)
    low, high = min(values), max(values)
    step = _nice(high - low or abs(high) or 1)
    bottom = (low - step) // step * step
    top = (high + step) // step * step + step
    if bottom < 0 <= low or low - bottom > low:
        bottom = Decimal(0)
    if unit == "percent" and top > 100 >= high:
        top = Decimal(100)
    return bottom, top


class _Frame:
    def __init__(self, count, bottom, top):
        self.count, self.bottom, self.top = count, bottom, top
        self.plot_w = WIDTH - LEFT - RIGHT
        self.plot_h = HEIGHT - TOP - BOTTOM

    def x(self, index):
        step = self.plot_w / max(self.count - 1, 1)
        return round(LEFT + (index * step if self.count > 1 else self.plot_w / 2), 1)

    def y(self, value):
        span = float(self.top - self.bottom) or 1.0
        return round(TOP + self.plot_h * (1 - float(value - self.bottom) / span), 1)


def trend_chart(measure, series, *, chart_id="trend"):
    """The measure's chart: `series` is performance.trend.points()."""
    values = [p.value for p in series if p.value is not None]
    limits = [v for v in (measure.target, measure.amber_threshold) if v is not None]
    frame = _Frame(len(series), *_scale(values + limits, measure.unit))
    parts = [_axes(frame, measure.unit)]
    parts += _limits(frame, measure)
    parts += [_segments(frame, series), _points(frame, series, measure.unit)]
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="app-trend-chart" role="img"'
        ' viewBox="0 0 {w} {h}" width="{w}" height="{h}"'
        ' aria-labelledby="{id}-title {id}-desc">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        w=WIDTH,
        h=HEIGHT,
        id=chart_id,
        title=f"Trend of {measure.name}",
        desc=describe(measure, series),
        body=mark_safe("".join(str(part) for part in parts)),  # noqa: S308 (format_html pieces)
    )


def describe(measure, series):
    """The chart in words: each period's value, then the target."""
    said = "; ".join(f"{p.label}: {p.shown}" for p in series) or "No values yet"
    return f"{said}. Target: {measure.target_words}."


def _axes(frame, unit):
    base = frame.y(frame.bottom)
    return format_html(
        '<line x1="{l}" y1="{t}" x2="{l}" y2="{b}" stroke="#0b0c0c"/>'
        '<line x1="{l}" y1="{b}" x2="{r}" y2="{b}" stroke="#0b0c0c"/>'
        '<text x="{lx}" y="{ty}" text-anchor="end" {f}>{top}</text>'
        '<text x="{lx}" y="{by}" text-anchor="end" {f}>{bottom}</text>',
        l=LEFT,
        t=TOP,
        b=base,
        r=WIDTH - RIGHT,
        lx=LEFT - 6,
        ty=TOP + 4,
        by=base + 4,
        f=FONT,
        top=scoring.show(frame.top, unit),
        bottom=scoring.show(frame.bottom, unit),
    )


def _limits(frame, measure):
    """The target (dashed) and tolerance (dotted) lines, each labelled at the right; labels
    that would overlap are moved apart, the lines stay where the values are."""
    limits = [
        (frame.y(value), word, value, dashes)
        for value, word, dashes in (
            (measure.target, "Target", "6 4"),
            (measure.amber_threshold, "Tolerance", "2 3"),
        )
        if value is not None
    ]
    limits.sort()
    parts, last = [], None
    for y, word, value, dashes in limits:
        label_y = y if last is None or y - last >= 14 else last + 14
        last = label_y
        parts.append(
            format_html(
                '<line x1="{l}" y1="{y}" x2="{r}" y2="{y}" stroke="#0b0c0c"'
                ' stroke-dasharray="{d}"/><text x="{tx}" y="{ty}" {f}>{word} {value}</text>',
                l=LEFT,
                r=WIDTH - RIGHT,
                y=y,
                d=dashes,
                tx=WIDTH - RIGHT + 6,
                ty=label_y + 4,
                f=FONT,
                word=word,
                value=scoring.show(value, measure.unit),
            )
        )
    return parts


def _segments(frame, series):
    pairs = zip(series, series[1:], strict=False)
    return format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="' + LINE + '" stroke-width="2"/>',
        (
            (frame.x(i), frame.y(a.value), frame.x(i + 1), frame.y(b.value))
            for i, (a, b) in enumerate(pairs)
            if a.value is not None and b.value is not None
        ),
    )


def _points(frame, series, unit):
    pieces = []
    base = frame.y(frame.bottom)
    for index, point in enumerate(series):
        x = frame.x(index)
        pieces.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" {}>{}</text>',
                x,
                base + 18,
                FONT,
                point.short,
            )  # fmt: skip
        )
        if point.value is None:
            pieces.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" font-style="italic" {}>{}</text>',
                    x,
                    base - 8,
                    FONT,
                    point.shown,
                )  # fmt: skip
            )
            continue
        y = frame.y(point.value)
        pieces.append(
            format_html(
                '<circle cx="{}" cy="{}" r="4" fill="{}"/>'
                '<text x="{}" y="{}" text-anchor="middle" font-weight="bold" {}>{}</text>',
                x,
                y,
                LINE,
                x,
                y - 9,
                FONT,
                scoring.show(point.value, unit),
            )  # fmt: skip
        )
    return mark_safe("".join(str(piece) for piece in pieces))  # noqa: S308 (format_html pieces)


def sparkline(series):
    """A small line of the latest periods for the scorecard: decoration beside the words."""
    values = [p.value for p in series if p.value is not None]
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = float(high - low) or 1.0
    step = 100 / max(len(series) - 1, 1)

    def y(value):
        return round(26 - 22 * float(value - low) / span, 1)

    lines = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="' + LINE + '" stroke-width="2"/>',
        (
            (round(i * step, 1), y(a.value), round((i + 1) * step, 1), y(b.value))
            for i, (a, b) in enumerate(zip(series, series[1:], strict=False))
            if a.value is not None and b.value is not None
        ),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="app-sparkline" width="100" height="30"'
        ' viewBox="0 0 100 30" aria-hidden="true" focusable="false">{}</svg>',
        lines,
    )
