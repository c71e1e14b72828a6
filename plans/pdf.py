"""HTML to PDF with WeasyPrint, reading nothing but the app's own static files.

The pack's HTML is rendered with a made-up base URL; the fetcher answers only URLs under that
base's STATIC_URL, from the static files on disk, and refuses everything else (other hosts,
file: and data: URLs, paths that climb out of the static folders). A template that one day
carried a user-supplied URL could then not make the server fetch it.
"""

import mimetypes
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.utils.http import content_disposition_header

BASE_URL = "https://pack.invalid/"

# settings.PDF_VARIANT, by default "pdf/ua-1": a tagged PDF (structure, reading order, alt
# text) for screen-reader users. WeasyPrint's PDF/UA-1 output looks the same as the plain
# one (checked with pdftoppm) but takes about 12% longer and more memory on long packs.


def StaticFilesOnly():  # noqa: N802  (it makes a fetcher, as a class would)
    """A WeasyPrint URL fetcher that serves the app's static files and nothing else.

    WeasyPrint (and its font and layout libraries) load only when a PDF is made, not with the
    URLconf: most processes never make one.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: PLC0415

    class Fetcher(URLFetcher):
        def fetch(self, url, headers=None):
            path = static_path(url)
            if path is None:
                raise ValueError(f"The pack may only use the app's static files, not {url[:80]}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return Fetcher()


def static_path(url):
    """The file on disk for a static URL under BASE_URL, or None if the URL is anything else."""
    prefix = urlsplit(BASE_URL)
    parts = urlsplit(url)
    static_url = "/" + settings.STATIC_URL.strip("/") + "/"
    if (parts.scheme, parts.netloc) != (prefix.scheme, prefix.netloc):
        return None
    if not parts.path.startswith(static_url):
        return None
    name = unquote(parts.path[len(static_url) :])
    if not name or name != posixpath.normpath(name) or name.startswith(("/", "..")):
        return None
    found = finders.find(name)
    if found:
        return Path(found)
    # Production serves hashed copies collected into STATIC_ROOT.
    if staticfiles_storage.exists(name):
        return Path(staticfiles_storage.path(name))
    return None


def pdf_response(content, filename, *, attachment):
    """A PDF download whose file name cannot break out of the Content-Disposition header:
    names come from review codes and partnership names, which users type."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-.") or "document.pdf"
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(attachment, safe)
    return response


@dataclass
class RenderedPdf:
    content: bytes
    pages: int


def render_pdf(html, *, variant=None, in_parts=False):
    """Lay out and write `html`; returns the bytes and the page count.

    in_parts: lay out a long document about settings.PDF_PART_PAGES pages at a time, so its
    peak memory does not grow with its length (plans.pdfparts; the template marks its front
    matter with data-pdf-front)."""
    from weasyprint import HTML  # noqa: PLC0415  (see StaticFilesOnly)

    variant = variant if variant is not None else (settings.PDF_VARIANT or None)
    if in_parts:
        from plans.pdfparts import render_in_parts  # noqa: PLC0415

        content, pages = render_in_parts(
            html,
            variant=variant,
            base_url=BASE_URL,
            url_fetcher=StaticFilesOnly(),
            part_pages=settings.PDF_PART_PAGES,
        )
        return RenderedPdf(content, pages)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly()).render()
    return RenderedPdf(document.write_pdf(pdf_variant=variant), len(document.pages))
