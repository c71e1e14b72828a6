"""The BMG pack's page layout: no nearly empty pages.

The rule (issue 15, part 4): every page of the pack is at least a third full (the lowest text
or drawing in the page body, measured from the top of the body, over the body's height),
except the last page of the document and a page followed by the start of a section that must
start a page. Only the contents, the summary, the exceptions and the detail start a page; every
other section follows on from the one before, and one with nothing to report is one line.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from oversight.cycle import latest_bmg_meeting
from oversight.pack import build_pack, render_pack_html
from plans.models import Partnership
from plans.pdf import render_pdf

from .pagefill import nearly_empty, page_fills

pytestmark = pytest.mark.django_db

MUST_START_PAGE = ["Contents", "1. Summary", "2. Exceptions", "4. Detail"]


def pack_margins(settings):
    """The top and bottom @page margins of the pack's stylesheet, in mm."""
    css = (settings.BASE_DIR / "static" / "src" / "print.css").read_text()
    top, _, bottom, _ = re.search(r"@page \{[^}]*?margin: ([^;]+);", css).group(1).split()
    return float(top.removesuffix("mm")), float(bottom.removesuffix("mm"))


def fills_of(content, settings):
    top, bottom = pack_margins(settings)
    return page_fills(content, top_mm=top, bottom_mm=bottom)


@pytest.fixture
def demo_pack(seed, settings):
    settings.DEBUG = True  # the demo loaders refuse to run in production
    for command in ("load_demo", "load_demo_risks"):
        call_command(command, verbosity=0, stdout=StringIO())
    ncscp = Partnership.objects.get(short_name="NCSCP")
    pack = build_pack(latest_bmg_meeting(ncscp), partnership=ncscp)
    return pack, render_pdf(render_pack_html(pack), in_parts=True)


def test_no_page_of_the_demo_pack_is_nearly_empty(demo_pack, settings):
    pack, pdf = demo_pack
    fills = fills_of(pdf.content, settings)
    assert len(fills) == pdf.pages > 5
    starts = [page.first_line for page in fills]
    for heading in MUST_START_PAGE:  # the exemption is anchored on real section starts
        assert any(line.startswith(heading) for line in starts), heading
    assert nearly_empty(fills, MUST_START_PAGE) == [], [
        (page.number, page.fill, page.first_line[:40]) for page in fills
    ]


PAGE = '<section class="section{cls}"><h2>{title}</h2>{body}</section>'


def lines(count):
    return "".join(f"<p>Line {n} of a long section.</p>" for n in range(count))


def synthetic(*sections):
    head = (
        '<!DOCTYPE html><html lang="en"><head><title>t</title>'
        '<link rel="stylesheet" href="/static/src/print.css"></head><body>'
    )
    return head + "".join(sections) + "</body></html>"


def test_the_check_finds_a_nearly_empty_page_and_excuses_only_a_section_start(settings):
    """A section forced onto a new page after a page with two lines: the page is reported
    unless the section is one that must start a page."""
    long_section = PAGE.format(cls=" section--page", title="1. Summary", body=lines(30))
    forced = PAGE.format(cls=" section--page", title="3. Items due", body=lines(3))
    pdf = render_pdf(synthetic(long_section, forced))
    fills = fills_of(pdf.content, settings)
    assert len(fills) == 3
    assert fills[1].fill < 0.2 and fills[2].first_line.startswith("3. Items due")
    assert [page.number for page in nearly_empty(fills, MUST_START_PAGE)] == [2]

    allowed = PAGE.format(cls=" section--page", title="4. Detail", body=lines(3))
    fills = fills_of(render_pdf(synthetic(long_section, allowed)).content, settings)
    assert len(fills) == 3 and nearly_empty(fills, MUST_START_PAGE) == []

    # Following on, the short section fills the page the long one ended on.
    follows = PAGE.format(cls="", title="3. Items due", body=lines(3))
    fills = fills_of(render_pdf(synthetic(long_section, follows)).content, settings)
    assert len(fills) == 2 and nearly_empty(fills, MUST_START_PAGE) == []


def test_the_demo_pack_laid_out_in_parts_reads_as_one_long_layout(demo_pack, settings):
    """The pack is laid out a few pages at a time (plans.pdfparts); cut into parts of four
    pages it still gives one long layout's pages, page numbers and contents numbers."""
    import io

    from pypdf import PdfReader

    pack, _ = demo_pack
    html = render_pack_html(pack)
    settings.PDF_PART_PAGES = 4
    parts, one = render_pdf(html, in_parts=True), render_pdf(html)

    def lines(content):
        return [
            sorted(line.strip() for line in page.extract_text().splitlines() if line.strip())
            for page in PdfReader(io.BytesIO(content)).pages
        ]

    assert parts.pages == one.pages > 8
    assert lines(parts.content) == lines(one.content)
