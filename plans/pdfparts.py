"""Long PDFs laid out a part at a time, so memory stays bounded whatever the length.

WeasyPrint keeps every laid-out page in memory until the PDF is written: a 1,000-action pack
(about 280 pages) peaks near 770 MB. Here the document is cut into parts that are laid out and
written one after another, and the parts are joined with pikepdf, tag tree included:

- The body after the front matter is a list of *units* (a table row, a heading, a paragraph,
  a figure: whatever a page can break between). A part is a range of units, rebuilt as its own
  HTML document: the same head, the units' ancestors (sections, tables with their column
  widths and headings) and nothing before them, so its first page looks as it would after a
  page break in one long layout.
- A part's last page is not kept (the next part's units could have filled it): the next part
  starts with the first unit on that page. So every page but the document's last is as full
  as one long layout would make it.
- The front matter (elements marked data-pdf-front: cover and contents) is laid out last but
  one, with the contents' page numbers filled in from the parts; its links keep working
  because the joined file has one table of named destinations.
- Running heads and "Page n of N" come from one more, nearly empty document of N pages (its
  first page holds a hidden copy of the cover, whose elements set the running strings),
  drawn over each page as an artifact.

Nothing here knows about packs: a template marks its front matter and states nothing else.
Its tables should have a fixed layout (the pack's print.css does): an automatic one sizes its
columns from all its rows, and a part holds only some of them.
"""

import io
from dataclasses import dataclass, field
from html import escape

UNIT = "data-pdf-unit"
FRONT = "data-pdf-front"
PAGE = "data-pdf-page"

CONTAINERS = {"body", "section", "table", "tbody", "tfoot", "div", "main", "article", "nav"}
FURNITURE = {"colgroup", "thead"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
RAW = {"style", "script"}
NAMESPACE_PREFIXES = {
    "http://www.w3.org/1999/xlink": "xlink:",
    "http://www.w3.org/XML/1998/namespace": "xml:",
}
MARGIN_BOXES = [
    f"@{edge}-{place}"
    for edge in ("top", "bottom")
    for place in ("left-corner", "left", "center", "right", "right-corner")
] + [f"@{side}-{place}" for side in ("left", "right") for place in ("top", "middle", "bottom")]

# Parts carry no running heads (the overlay draws them); a part's first unit sits at the top
# of a page as it would after a break, where one long layout drops the margin above it.
PART_CSS = (
    "@page { " + " ".join(f"{box} {{ content: none }}" for box in MARGIN_BOXES) + " }\n"
    ".pdf-part-start { margin-top: 0 !important; }\n"
)
FRONT_CSS = PART_CSS + f"a[{PAGE}]::after {{ content: leader('. ') attr({PAGE}) !important; }}\n"
OVERLAY_CSS = (
    ".pdf-running { visibility: hidden; height: 0; overflow: hidden; }\n"
    ".pdf-page { break-before: page; }\n"
)


def local_name(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else None


def attribute_name(key):
    if key.startswith("{"):
        namespace, name = key[1:].split("}", 1)
        return NAMESPACE_PREFIXES.get(namespace, "") + name
    return key


class Tree:
    """The parsed document, its units and, for each element, the range of units inside it."""

    def __init__(self, html):
        import tinyhtml5  # noqa: PLC0415  (a WeasyPrint dependency; loads with it)

        self.root = tinyhtml5.parse(html, namespace_html_elements=False)
        self.head = self.root.find("head")
        self.body = self.root.find("body")
        self.front = [child for child in self.body if child.get(FRONT) is not None]
        self.units = []
        self.span = {}
        for child in self.body:
            if isinstance(child.tag, str) and child.get(FRONT) is None:
                self._walk(child)
        self.sizes = [sum(len(text) for text in unit.itertext()) + 40 for unit in self.units]

    def _walk(self, element):
        name = local_name(element.tag)
        children = [child for child in element if isinstance(child.tag, str)]
        loose_text = (element.text or "").strip() or any(
            (child.tail or "").strip() for child in element
        )
        first = len(self.units)
        if name in CONTAINERS and children and not loose_text:
            for child in children:
                if name == "table" and local_name(child.tag) in FURNITURE:
                    continue
                self._walk(child)
        else:
            element.set(UNIT, str(first))
            self.units.append(element)
        if len(self.units) > first:
            self.span[element] = (first, len(self.units) - 1)

    # Serialising ------------------------------------------------------------------------

    def document(self, body_html, css, *, body_class=""):
        head = serialize(self.head) if self.head is not None else "<head></head>"
        head = head.replace("</head>", f"<style>{css}</style></head>", 1)
        lang = self.root.get("lang", "")
        body = open_tag(self.body, extra_class=body_class) if self.body is not None else "<body>"
        return f'<!DOCTYPE html><html lang="{escape(lang)}">{head}{body}{body_html}</body></html>'

    def part(self, first, last, css=PART_CSS):
        """The HTML of units first..last (inclusive) with their ancestors and table furniture."""
        out = []
        for child in self.body:
            if child in self.span:
                self._write_range(child, first, last, out)
        # The body's own top margin is only on the document's first page.
        return self.document("".join(out), css, body_class="pdf-part-start")

    def _write_range(self, element, first, last, out):
        low, high = self.span[element]
        if high < first or low > last:
            return
        name = local_name(element.tag)
        starts = low <= first <= high
        if element.get(UNIT) is not None:
            out.append(serialize(element, starts_part=starts))
            return
        # An element begun in an earlier part keeps no id here: its anchor (the contents'
        # link target, its named destination) is where it begins.
        out.append(open_tag(element, starts_part=starts, keep_id=low >= first))
        out.append(escape(element.text or "", quote=False))
        for child in element:
            if not isinstance(child.tag, str):
                continue
            if name == "table" and local_name(child.tag) in FURNITURE:
                out.append(serialize(child))
            elif child in self.span:
                self._write_range(child, first, last, out)
        out.append(f"</{name}>")

    def front_html(self, pages, css=FRONT_CSS):
        """The front matter alone; links to places in the parts show the page numbers given
        (target id -> number) and carry the target's name as their own id, so they resolve
        in this file and, once joined, to the real place."""
        out = []
        for element in self.front:
            links = [a for a in element.iter("a") if (a.get("href") or "").startswith("#")]
            kept = [dict(link.attrib) for link in links]
            for link in links:
                target = link.get("href")[1:]
                link.set(PAGE, str(pages.get(target, "")))
                link.set("id", target)
            out.append(serialize(element))
            for link, attributes in zip(links, kept, strict=True):
                link.attrib.clear()
                link.attrib.update(attributes)
        return self.document("".join(out), css)

    def overlay_html(self, pages):
        cover = serialize(self.front[0]) if self.front else ""
        body = f'<div class="pdf-running" aria-hidden="true">{cover}</div>' + (
            '<div class="pdf-page"></div>' * (pages - 1)
        )
        return self.document(body, OVERLAY_CSS)

    def link_targets(self):
        return {
            a.get("href")[1:]
            for element in self.front
            for a in element.iter("a")
            if (a.get("href") or "").startswith("#")
        }


def open_tag(element, *, starts_part=False, keep_id=True, extra_class=""):
    attributes = dict(element.attrib)
    if not keep_id:
        attributes.pop("id", None)
    if starts_part:
        extra_class = "pdf-part-start"
    if extra_class:
        attributes["class"] = (attributes.get("class", "") + " " + extra_class).strip()
    text = "".join(f' {attribute_name(key)}="{escape(value)}"' for key, value in attributes.items())
    return f"<{local_name(element.tag)}{text}>"


def serialize(element, *, starts_part=False):
    out = []
    _serialize(element, out, starts_part)
    return "".join(out)


def _serialize(element, out, starts_part=False):
    name = local_name(element.tag)
    if name is None:  # a comment or processing instruction: not needed in a PDF
        out.append(escape(element.tail or "", quote=False))
        return
    out.append(open_tag(element, starts_part=starts_part))
    if name in VOID:
        out.append(escape(element.tail or "", quote=False))
        return
    if name in RAW:
        out.append(element.text or "")
    else:
        out.append(escape(element.text or "", quote=False))
    for child in element:
        _serialize(child, out)
    out.append(f"</{name}>")
    out.append(escape(element.tail or "", quote=False))


# Laying out ---------------------------------------------------------------------------------


@dataclass
class Part:
    pdf: bytes
    pages: int
    bookmarks: list = field(default_factory=list)  # (page in part, level, label, x, y)
    anchors: dict = field(default_factory=dict)  # target id -> page in part


def _units_on(page):
    """The units with a box on this laid-out page, in order (WeasyPrint's page box tree)."""
    seen = []
    for box in page._page_box.descendants():
        element = getattr(box, "element", None)
        if element is None:
            continue
        unit = element.get(UNIT)
        if unit is not None and (not seen or seen[-1] != int(unit)):
            seen.append(int(unit))
    return seen


def cut(pages):
    """(pages to keep, first unit of the next part, unit split at the last page) for a part
    that is not the last one.

    The last page is given back to the next part; so is a page that a unit continues onto
    from the one before (a unit is laid out again whole, never printed in two halves). When
    every page of the part begins inside a unit (rows that split at each page), there is no
    clean place to cut: (None, None, the unit split at the last page)."""
    index, split = len(pages) - 1, None
    on_page = _units_on(pages[index])
    while index > 0 and on_page:
        before = _units_on(pages[index - 1])
        if on_page[0] not in before:
            return index, on_page[0], None
        split = on_page[0] if split is None else split
        index, on_page = index - 1, before
    return None, None, split


def _lay_out(html, base_url, url_fetcher):
    from weasyprint import HTML  # noqa: PLC0415

    return HTML(string=html, base_url=base_url, url_fetcher=url_fetcher).render()


def _collect(pages, targets):
    part_bookmarks, part_anchors = [], {}
    for number, page in enumerate(pages):
        for level, label, (x, y), _state in page.bookmarks:
            part_bookmarks.append((number, level, label, x, y))
        for name in page.anchors:
            if name in targets and name not in part_anchors:
                part_anchors[name] = number
    return part_bookmarks, part_anchors


def lay_out_parts(tree, *, variant, base_url, url_fetcher, part_pages):
    """The body's parts, laid out and written one at a time."""
    targets = tree.link_targets()
    parts = []
    first, count = 0, len(tree.units)
    # Characters of text in the first part (a dense page holds about 1,500); then sized from
    # what the parts before gave.
    budget = part_pages * 1_500
    while first < count:
        size, last = 0, first
        while last < count and (last == first or size + tree.sizes[last] <= budget):
            size += tree.sizes[last]
            last += 1
        document = _lay_out(tree.part(first, last - 1), base_url, url_fetcher)
        pages = document.pages
        if last < count and len(pages) < 2:  # a part gives back its last page: take more
            budget *= 2
            del pages, document
            continue
        keep, following, split = (len(pages), last, None) if last >= count else cut(pages)
        if keep is None and split is not None and split > first:
            # No clean page break: end this part before the split unit, which then starts
            # the next part's first page whole.
            del pages, document
            document = _lay_out(tree.part(first, split - 1), base_url, url_fetcher)
            pages = document.pages
            keep, following = len(pages), split
        if keep is None or following is None or following <= first:
            keep, following = len(pages), last
        kept = pages[:keep]
        bookmarks, anchors = _collect(kept, targets)
        pdf = document.copy(kept).write_pdf(pdf_variant=variant)
        parts.append(Part(pdf, len(kept), bookmarks, anchors))
        used = sum(tree.sizes[first:following])
        budget = max(1_000, int(used / max(len(kept), 1) * part_pages))
        first = following
        del document, pages, kept
    return parts


def render_in_parts(html, *, variant, base_url, url_fetcher, part_pages=40):
    """(PDF bytes, page count) for `html`, laid out about `part_pages` pages at a time."""
    tree = Tree(html)
    if not tree.front:
        raise ValueError(
            "A document laid out in parts marks its front matter (data-pdf-front): the cover "
            "holds the running heads' strings"
        )
    parts = lay_out_parts(
        tree, variant=variant, base_url=base_url, url_fetcher=url_fetcher, part_pages=part_pages
    )
    # The front's length decides every later page number; numbers are written into it, so
    # lay it out until its length stops changing (once, in practice).
    front_pages, front = 0, None
    for _ in range(3):
        numbers = page_numbers(parts, front_pages)
        document = _lay_out(tree.front_html(numbers), base_url, url_fetcher)
        if len(document.pages) == front_pages:
            front = document
            break
        front_pages = len(document.pages)
    if front is None:
        raise RuntimeError("The front matter's length did not settle")
    bookmarks, _ = _collect(front.pages, set())
    front_part = Part(front.write_pdf(pdf_variant=variant), front_pages, bookmarks)
    del front, document
    total = front_pages + sum(part.pages for part in parts)
    overlay = _lay_out(tree.overlay_html(total), base_url, url_fetcher).write_pdf()
    return join([front_part, *parts], overlay), total


def page_numbers(parts, front_pages):
    numbers, offset = {}, front_pages
    for part in parts:
        for name, number in part.anchors.items():
            numbers.setdefault(name, offset + number + 1)
        offset += part.pages
    return numbers


# Joining ------------------------------------------------------------------------------------


def join(parts, overlay):
    """One PDF from the parts' files, in order: pages, tag trees (one Document element, the
    parent tree renumbered), named destinations, outline, then the running heads drawn over
    every page as an artifact."""
    import pikepdf  # noqa: PLC0415

    target = pikepdf.open(io.BytesIO(parts[0].pdf))
    tags = Tags(target)
    names = {}
    tags.add_pages(target, target, range(len(target.pages)))
    _collect_names(target, target, names)
    for part in parts[1:]:
        source = pikepdf.open(io.BytesIO(part.pdf))
        first = len(target.pages)
        target.pages.extend(source.pages)
        tags.add_pages(target, source, range(first, first + len(source.pages)))
        _collect_names(target, source, names)
    tags.finish(target)
    _write_names(target, names)
    _write_outline(target, parts)
    _draw_overlay(target, pikepdf.open(io.BytesIO(overlay)))
    out = io.BytesIO()
    target.save(out)
    return out.getvalue()


class Tags:
    """The joined tag tree: the first part's Document element takes the others' children."""

    def __init__(self, target):
        import pikepdf  # noqa: PLC0415

        self.pikepdf = pikepdf
        root = target.Root.get("/StructTreeRoot")
        self.root = root
        self.document = root.K[0] if root is not None else None
        self.page_entries = {}
        self.other_entries = []
        self.annotations = []  # (annotation, index into other_entries)

    def add_pages(self, target, source, page_range):
        """Take in the tags of `source`'s pages, now at `page_range` in the target."""
        if self.root is None:
            return
        source_root = source.Root.get("/StructTreeRoot")
        if source_root is None:
            raise ValueError("A part has no tag tree though the first part has one")
        nums = source_root.ParentTree.Nums
        entries = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        if source is not target:
            self._adopt(target, list(source_root.K[0].K))

        def here(obj):
            return obj if source is target else target.copy_foreign(obj)

        for index, page_number in enumerate(page_range):
            value = entries.get(index)
            if value is not None:
                self.page_entries[page_number] = self.pikepdf.Array([here(r) for r in value])
            target.pages[page_number].obj.StructParents = page_number
        # Keys after the pages' are the link annotations' (WeasyPrint numbers them so).
        new_keys = {}
        for key, value in entries.items():
            if key >= len(page_range):
                new_keys[key] = len(self.other_entries)
                self.other_entries.append(here(value))
        self._renumber_annotations(target, page_range, new_keys)

    def _adopt(self, target, elements):
        """The part's top-level elements become children of the joined Document element
        (their old parent is dropped first, so copying does not drag the old tree along)."""
        for element in elements:
            del element["/P"]
        for element in elements:
            copied = target.copy_foreign(element)
            copied.P = self.document
            self.document.K.append(copied)

    def _renumber_annotations(self, target, page_range, new_keys):
        for page_number in page_range:
            for annotation in target.pages[page_number].obj.get("/Annots", []):
                key = annotation.get("/StructParent")
                if key is not None and int(key) in new_keys:
                    self.annotations.append((annotation, new_keys[int(key)]))

    def finish(self, target):
        if self.root is None:
            return
        pikepdf = self.pikepdf
        pages = len(target.pages)
        nums = pikepdf.Array()
        for page_number in range(pages):
            nums.append(page_number)
            nums.append(self.page_entries.get(page_number, pikepdf.Array()))
        for index, value in enumerate(self.other_entries):
            nums.append(pages + index)
            nums.append(value)
        for annotation, index in self.annotations:
            annotation.StructParent = pages + index
        self.root.ParentTree = target.make_indirect(pikepdf.Dictionary(Nums=nums))
        self.root.ParentTreeNextKey = pages + len(self.other_entries)


def _collect_names(target, source, names):
    import pikepdf  # noqa: PLC0415

    dests = source.Root.get("/Names", {}).get("/Dests")
    if dests is None:
        return
    flat = dests.get("/Names", [])
    for i in range(0, len(flat), 2):
        name = str(flat[i])
        destination = flat[i + 1]
        if source is not target:
            destination = pikepdf.Array(
                [target.copy_foreign(destination[0]), *list(destination)[1:]]
            )
        names[name] = destination  # later parts win: the front only holds stand-ins


def _write_names(target, names):
    import pikepdf  # noqa: PLC0415

    flat = pikepdf.Array()
    for name in sorted(names):
        flat.append(pikepdf.String(name))
        flat.append(names[name])
    if "/Names" not in target.Root:
        target.Root.Names = pikepdf.Dictionary()
    target.Root.Names.Dests = target.make_indirect(pikepdf.Dictionary(Names=flat))


def _write_outline(target, parts):
    import pikepdf  # noqa: PLC0415

    entries, offset = [], 0
    for part in parts:
        for number, level, label, x, y in part.bookmarks:
            entries.append((offset + number, level, label, x, y))
        offset += part.pages
    with target.open_outline() as outline:
        outline.root.clear()
        stack = []  # (level, item)
        for page_number, level, label, x, y in entries:
            height = float(target.pages[page_number].mediabox[3])
            item = pikepdf.OutlineItem(
                label, page_number, "XYZ", left=x * 0.75, top=height - y * 0.75
            )
            while stack and stack[-1][0] >= level:
                stack.pop()
            (stack[-1][1].children if stack else outline.root).append(item)
            stack.append((level, item))


def _draw_overlay(target, overlay):
    import pikepdf  # noqa: PLC0415

    if len(overlay.pages) != len(target.pages):
        raise RuntimeError(
            f"Running heads for {len(overlay.pages)} pages, but the document has "
            f"{len(target.pages)}"
        )
    for page, heads in zip(target.pages, overlay.pages, strict=True):
        form = target.copy_foreign(heads.as_form_xobject())
        name = page.add_resource(form, pikepdf.Name.XObject, prefix="Running")
        page.contents_add(b"q\n", prepend=True)
        page.contents_add(b"\nQ\n/Artifact BMC q " + bytes(name) + b" Do Q EMC\n")
