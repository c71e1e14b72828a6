"""How full each page of a PDF is: the lowest text or drawing in the page's body area (inside
the @page margins), as a fraction of the body's height, read with pypdf.

Used by the layout tests of the BMG pack and the review action plan: a page whose fill is under
a third is nearly empty, which is allowed only where a section must start a new page.
"""

import io
from dataclasses import dataclass

from pypdf import PdfReader

MM = 72 / 25.4
SLACK = 2  # points: a baseline or border may sit a hair outside the body box


@dataclass
class PageFill:
    number: int  # 1-based
    fill: float  # 0 (nothing in the body) to 1 (down to the bottom margin)
    first_line: str  # the text at the top of the body
    last_line: str = ""  # the text at the foot of the body


def _point(matrix, x, y):
    a, b, c, d, e, f = matrix
    return a * x + c * y + e, b * x + d * y + f


def _page_fill(number, page, top, bottom):
    height = float(page.mediabox.height)
    body_top, body_bottom = height - top, bottom
    lowest, lines = body_top, {}

    def within(y):
        return body_bottom - SLACK <= y <= body_top + SLACK

    def text(chunk, cm, tm, font, size):
        nonlocal lowest
        if not chunk.strip():
            return
        _, y = _point(cm, tm[4], tm[5])
        if within(y):
            lowest = min(lowest, y - 0.25 * size)  # the descent below the baseline
            lines.setdefault(round(y), []).append(chunk.strip())

    def drawing(operator, operands, cm, tm):
        nonlocal lowest
        if operator == b"re":
            x, y, w, h = (float(v) for v in operands)
            points = [_point(cm, x, y), _point(cm, x + w, y + h)]
        elif operator in (b"m", b"l"):
            points = [_point(cm, float(operands[0]), float(operands[1]))]
        else:
            return
        for _, y in points:
            if within(y):
                lowest = min(lowest, y)

    page.extract_text(visitor_text=text, visitor_operand_before=drawing)
    first = " ".join(lines[max(lines)]) if lines else ""
    last = " ".join(lines[min(lines)]) if lines else ""
    fill = (body_top - max(lowest, body_bottom)) / (body_top - body_bottom)
    return PageFill(number, round(fill, 3), first, last)


def page_fills(content, *, top_mm, bottom_mm):
    """[PageFill] for each page of the PDF `content`, with the @page top and bottom margins."""
    reader = PdfReader(io.BytesIO(content))
    return [
        _page_fill(number, page, top_mm * MM, bottom_mm * MM)
        for number, page in enumerate(reader.pages, 1)
    ]


def nearly_empty(fills, must_start, *, least=1 / 3):
    """The pages under `least` full that the rule does not excuse.

    The rule: every page is at least a third full, except the last page of the document and
    a page followed by one that starts with the heading of a section that must start a page
    (its first line begins with one of `must_start`).
    """
    found = []
    for index, page in enumerate(fills):
        if page.fill >= least or index == len(fills) - 1:
            continue
        following = fills[index + 1].first_line
        if not any(following.startswith(heading) for heading in must_start):
            found.append(page)
    return found
