"""Long PDFs laid out in parts (plans.pdfparts) read exactly as one long layout does.

The check is a comparison: the same HTML laid out in one go and in parts of a few pages must
give the same pages (text, page numbers, running heads), the same contents numbers, links,
outline and a tag tree that is one tree, not several stuck together.
"""

import io
import re

import pikepdf
import pytest
from pypdf import PdfReader

from plans import pdfparts
from plans.pdf import render_pdf

STYLE = """
@page { size: A5; margin: 15mm 10mm;
  @top-center { content: string(marking); }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); } }
.mark { string-set: marking content(); }
.page { break-before: page; }
.contents a::after { content: leader('. ') target-counter(attr(href), page); }
h2 { margin-top: 8mm; }
table { width: 100%; table-layout: fixed; border-collapse: collapse; }
.first { width: 20%; }
td { border: 1px solid black; }
tr { break-inside: avoid; }
tr.long { break-inside: auto; }
"""


def row(n, splits=False):
    words = "a long note that wraps " * (n % 7 * 3)
    long = ' class="long"' if splits else ""
    return f"<tr{long}><td>R{n:03d}</td><td>{words}</td></tr>"


def document(rows=120, tall_row=False, splits=False):
    tall = (
        '<tr class="long"><td>Tall row</td><td>'
        + "<br>".join(f"line {n}" for n in range(90))
        + "</td></tr>"
    )
    body = (
        '<section class="cover" data-pdf-front><p class="mark">OFFICIAL-SENSITIVE</p>'
        "<h1>Report</h1></section>"
        '<nav class="contents page" data-pdf-front><h2>Contents</h2><ol>'
        '<li><a href="#one">One</a></li><li><a href="#two">Two</a></li>'
        '<li><a href="#three">Three</a></li></ol></nav>'
        '<section class="page" id="one"><h2>One</h2><p>Opening words.</p>'
        "<table><colgroup><col class=first><col></colgroup>"
        "<thead><tr><th>No.</th><th>Note</th></tr></thead><tbody>"
        + "".join(row(n, splits) for n in range(rows))
        + (tall if tall_row else "")
        + "</tbody></table></section>"
        '<section id="two"><h2>Two</h2>'
        + "".join(f"<p>Paragraph {n} of section two.</p>" for n in range(rows // 2))
        + '<figure><svg xmlns="http://www.w3.org/2000/svg" width="200" height="40" role="img" '
        'aria-label="A bar"><rect width="150" height="30" fill="#1d70b8"/></svg>'
        "<figcaption>A bar</figcaption></figure></section>"
        '<section id="three"><h2>Three</h2><p>The end.</p></section>'
    )
    return (
        f'<!DOCTYPE html><html lang="en-GB"><head><title>Long</title><style>{STYLE}</style>'
        f"</head><body>{body}</body></html>"
    )


def pages_text(content):
    """Each page's lines, sorted: the running heads are drawn last in the parted file."""
    return [
        sorted(line.strip() for line in page.extract_text().splitlines() if line.strip())
        for page in PdfReader(io.BytesIO(content)).pages
    ]


@pytest.fixture
def both(settings):
    def render(html, part_pages=3):
        settings.PDF_PART_PAGES = part_pages
        return render_pdf(html), render_pdf(html, in_parts=True)

    return render


@pytest.fixture
def layouts(monkeypatch):
    """How many documents WeasyPrint laid out: the parts, the front and the running heads."""
    calls = []
    real = pdfparts._lay_out

    def counted(html, *args):
        calls.append(html)
        return real(html, *args)

    monkeypatch.setattr(pdfparts, "_lay_out", counted)
    return calls


def test_parts_read_as_one_layout_page_for_page(both, layouts):
    one, parts = both(document())
    assert len(layouts) >= 6  # at least four parts, the front and the running heads
    assert parts.pages == one.pages >= 12
    assert pages_text(parts.content) == pages_text(one.content)


def test_every_row_is_printed_once_and_a_row_taller_than_a_page_is_not_lost(both):
    one, parts = both(document(rows=60, tall_row=True), part_pages=2)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(parts.content)).pages)
    for n in range(60):
        assert len(re.findall(rf"\bR{n:03d}\b", text)) == 1, n
    assert text.count("line 89") == 1
    assert pages_text(parts.content) == pages_text(one.content)


def test_rows_that_split_at_every_page_are_each_printed_once_and_whole_at_a_cut(both):
    """No page of these parts begins cleanly, so each part ends before its split row, which
    starts the next part whole: a page or two more than one long layout, nothing lost."""
    one, parts = both(document(rows=90, splits=True), part_pages=3)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(parts.content)).pages)
    for n in range(90):
        assert len(re.findall(rf"\bR{n:03d}\b", text)) == 1, n
    assert one.pages <= parts.pages <= one.pages + one.pages // 3
    assert text.count("Paragraph 44 of section two") == 1


def test_page_numbers_running_heads_and_contents(both):
    one, parts = both(document())
    texts = [page.extract_text() for page in PdfReader(io.BytesIO(parts.content)).pages]
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {parts.pages}" in text
        assert "OFFICIAL-SENSITIVE" in text
    starts = destinations(pikepdf.open(io.BytesIO(parts.content)))
    for name, opening in (
        ("one", "Opening words."),
        ("two", "Paragraph 0 of"),
        ("three", "The end"),
    ):
        page = starts[name] + 1
        assert opening in texts[page - 1]
        assert re.search(rf"{name.title()}[ .]*{page}\b", texts[1]), (name, page, texts[1])


def destinations(pdf):
    index = {page.objgen: n for n, page in enumerate(pdf.pages)}
    flat = pdf.Root.Names.Dests.Names
    return {str(flat[i]): index[flat[i + 1][0].objgen] for i in range(0, len(flat), 2)}


def outline(pdf):
    index = {page.objgen: n for n, page in enumerate(pdf.pages)}

    def walk(items, depth=0):
        for item in items:
            yield depth, item.title, index[item.destination[0].objgen]
            yield from walk(item.children, depth + 1)

    with pdf.open_outline() as tree:
        return list(walk(tree.root))


def test_links_destinations_and_outline_are_those_of_one_layout(both):
    one, parts = both(document())
    single, joined = pikepdf.open(io.BytesIO(one.content)), pikepdf.open(io.BytesIO(parts.content))
    assert destinations(joined) == destinations(single)
    assert destinations(joined)["two"] > destinations(joined)["one"] > 1
    assert outline(joined) == outline(single)
    links = [
        str(annotation.Dest)
        for annotation in joined.pages[1].obj.get("/Annots", [])
        if "/Dest" in annotation
    ]
    assert sorted(set(links)) == ["one", "three", "two"]


def struct_elements(element):
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from struct_elements(kid)


def test_the_tag_tree_is_one_tree_with_a_consistent_parent_tree(both):
    one, parts = both(document())
    single, joined = pikepdf.open(io.BytesIO(one.content)), pikepdf.open(io.BytesIO(parts.content))
    root = joined.Root.StructTreeRoot
    document_element = root.K[0]
    assert document_element.S == "/Document" and len(root.K) == 1
    assert all(kid.P.objgen == document_element.objgen for kid in document_element.K)
    tags = [str(element.S) for element in struct_elements(document_element)]
    assert tags == [str(e.S) for e in struct_elements(single.Root.StructTreeRoot.K[0])]
    nums = root.ParentTree.Nums
    entries = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    pages = {page.objgen for page in joined.pages}
    for number, page in enumerate(joined.pages):
        assert int(page.obj.StructParents) == number
        for element in entries[number]:
            assert element.Pg.objgen in pages  # marked content belongs to a page of this file
        for annotation in page.obj.get("/Annots", []):
            link = entries[int(annotation.StructParent)]
            assert link.S == "/Link"
            assert any(
                isinstance(kid, pikepdf.Dictionary) and kid.get("/Obj") == annotation
                for kid in link.K
            )
    assert int(root.ParentTreeNextKey) == max(entries) + 1
    assert joined.Root.Lang == "en-GB" and joined.Root.MarkInfo.Marked


def test_running_heads_are_artifacts_on_every_page(both):
    _, parts = both(document())
    joined = pikepdf.open(io.BytesIO(parts.content))
    for page in joined.pages:
        last = pikepdf.unparse_content_stream(pikepdf.parse_content_stream(page))
        assert re.search(rb"/Artifact BMC\s+q\s+/Running\S* Do\s+Q\s+EMC$", last.strip())


def test_a_document_without_front_matter_is_refused(settings):
    html = "<!DOCTYPE html><html lang='en'><body><p>Only a body</p></body></html>"
    with pytest.raises(ValueError, match="data-pdf-front"):
        render_pdf(html, in_parts=True)


def test_units_are_rows_headings_and_paragraphs_not_their_containers():
    tree = pdfparts.Tree(document(rows=3))
    names = [pdfparts.local_name(unit.tag) for unit in tree.units]
    assert names[:3] == ["h2", "p", "tr"] and names.count("tr") == 3
    assert "figure" in names and "table" not in names and "section" not in names
    part = tree.part(3, 4)  # the second and third rows only
    assert "R001" in part and "R002" in part and "R000" not in part
    assert "<thead>" in part and "<colgroup>" in part  # the table keeps its headings and widths
    assert "Opening words" not in part and 'class="page pdf-part-start"' in part
