"""Every page of the app in a real browser (Debian chromium via Playwright), as each role.

The pages are the URL patterns of tests/authz_table.py (which test_authz_matrix.py holds to
the URL resolver: a pattern without a row fails there) whose GET answers 200 for a role,
built from the same objects the matrix uses. Downloads (PDF, CSV, XLSX) and the health check
are not pages; Django's admin site is not the app's.

- No page is wider than a narrow phone (320 and 375 px), signed in as every role that may
  read it: a table wider than the screen scrolls in its own labelled, focusable region.
- axe-core finds nothing serious or critical on any page at 1280 and 375 px, read by the
  first role in READERS that may read it, and every page the agency lead reads (the lead sees
  another partnership's objects and the agency's view of them).

Screenshots of what fails go to /tmp/shots-every-page/ (looked at by hand).
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import get_resolver, reverse

from .authz_table import HOME_OF, ROLES, TABLE
from .test_authz_matrix import build_homes, make_cast
from .test_browser import axe_violations
from .test_browser_manage import browser, new_page, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-every-page"))  # noqa: S108
PASSWORD = "correct-horse-battery"  # tests/conftest.py make_user
# Patterns whose GET is a file or a probe, not a page.
NOT_PAGES = {
    "healthz",
    "oversight:action_export",
    "oversight:meeting_pack_pdf",
    "reviews:review_pdf",
    "reviews:figures_pdf",
    "reviews:figures_xlsx",
}
# The administrator signs in with a second factor and reads the app's pages as an officer
# does; the admin-only pages are Django's admin site.
WALKED = [role for role in ROLES if role != "admin"]
READERS = ["officer", "lead", "chair", "viewer", "cse_chair", "outsider", "anonymous"]
USERNAMES = {
    "viewer": "t-viewer",
    "chair": "t-chair",
    "lead": "t-lead",
    "officer": "t-officer",
    "outsider": "t-outsider",
    "cse_chair": "t-cse-chair",
}


@pytest.fixture
def homes():
    """The matrix's cast and objects, committed so the live server sees them."""
    call_command("load_seed", verbosity=0)
    return build_homes(make_cast())


def pages_of(role, homes):
    """{pattern: path} of every page `role` may read."""
    home = homes[HOME_OF[role]]
    found = {}
    for name, row in TABLE.items():
        if name in NOT_PAGES or row.expected("GET", role) != "200":
            continue
        found[name] = reverse(name, kwargs=row.url_kwargs(home) if row.url_kwargs else None)
    return found


def test_only_files_and_probes_are_left_out_of_the_walk():
    """Every pattern some role may GET is walked, but for NOT_PAGES: each of those is still
    a readable row of the matrix, and answers a file or a probe rather than a page."""
    readable = {
        name
        for name, row in TABLE.items()
        if any(row.expected("GET", role) == "200" for role in WALKED)
    }
    assert readable >= NOT_PAGES
    routes = {name: str(resolve_name(name)) for name in NOT_PAGES}
    assert all(
        route.endswith(("pdf", "xlsx", "<str:fmt>", "healthz")) for route in routes.values()
    ), routes


def resolve_name(name):
    """The route of the URL pattern `name` ("namespace:name")."""
    resolver = get_resolver()
    *namespaces, short = name.split(":")
    for namespace in namespaces:
        resolver = resolver.namespace_dict[namespace][1]
    return next(p.pattern for p in resolver.url_patterns if getattr(p, "name", None) == short)


def open_as(browser, live_server, role, width):  # noqa: F811
    page = new_page(browser, width)
    if role != "anonymous":
        sign_in(page, live_server, USERNAMES[role], PASSWORD)
    return page


def visit(page, live_server, role, name, path):
    response = page.goto(live_server.url + path)
    assert response.status == 200, f"{name} as {role}: {response.status}"


def overflow(page):
    """How many px the page is wider than the viewport (0 when it fits)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    return max(0, width - page.viewport_size["width"])


# The first elements reaching past the viewport's right edge, outside any scroll region.
WIDEST = """() => {
  const edge = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > edge + 1)
    .filter(e => !(e.parentElement && e.parentElement.closest(".app-table-wrap")))
    .slice(0, 4)
    .map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")}`
      + ` ${Math.round(e.getBoundingClientRect().right)}`);
}"""


def test_no_page_is_wider_than_a_narrow_phone(browser, live_server, homes):  # noqa: F811
    SHOTS.mkdir(exist_ok=True)
    wide = {}
    for width in (320, 375):
        for role in WALKED:
            page = open_as(browser, live_server, role, width)
            for name, path in pages_of(role, homes).items():
                visit(page, live_server, role, name, path)
                if extra := overflow(page):
                    wide[f"{name} as {role} at {width}"] = (extra, page.evaluate(WIDEST))
                    shot = SHOTS / f"wide-{name.replace(':', '-')}-{role}-{width}.png"
                    page.screenshot(path=str(shot), full_page=True)
            page.context.close()
    assert wide == {}


def test_axe_finds_nothing_serious_on_any_page_at_1280_and_375(
    browser,  # noqa: F811
    live_server,
    homes,
):
    walk = {role: {} for role in READERS}
    for role in READERS:
        for name, path in pages_of(role, homes).items():
            first = not any(name in walk[other] for other in READERS)
            if first or role == "lead":
                walk[role][name] = path
    found = {}
    for width in (1280, 375):
        for role, pages in walk.items():
            if not pages:
                continue
            page = open_as(browser, live_server, role, width)
            for name, path in pages.items():
                visit(page, live_server, role, name, path)
                if violations := axe_violations(page):
                    found[f"{name} as {role} at {width}"] = violations
            page.context.close()
    assert found == {}
