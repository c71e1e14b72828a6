"""The data tables in a real browser (Debian chromium via Playwright): an officer sorts All
actions, filters it, removes one filter and chooses columns; All actions, the plan page and
the workstreams are scanned with axe-core and photographed at 1280 and 375 px
(/tmp/shots-tables/)."""

import os
import re
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse

from oversight.sorting import COLUMNS
from plans.models import Action, Partnership, Role
from tests.factories import make_update

from .test_browser import PASSWORD
from .test_browser_manage import axe_every_page, browser, new_page, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
RATINGS = ["red", "amber", "green", "complete"]
COMMENTS = [
    "Audit booked for March.",
    "Threshold document revised and circulated to all partner agencies; training for front-line"
    " staff is planned across the spring, with a second round in the autumn for those who miss"
    " it, and the QA subgroup will audit take-up and report to BMG in June.",
    "Slipped: the lead left in December and a replacement is being recruited.",
]
SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-tables"))  # noqa: S108  (looked at by hand)


@pytest.fixture
def officer(django_user_model):
    call_command("load_seed", verbosity=0)
    user = django_user_model.objects.create_user(
        "officer", password=PASSWORD, first_name="Olu", last_name="Officer",
        email="officer@example.org",
    )  # fmt: skip
    for short_name in ("NCSCP", "NSCP"):
        partnership = Partnership.objects.get(short_name=short_name)
        Role.objects.create(user=user, partnership=partnership, kind=Role.Kind.BOARD_OFFICER)
    for n, action in enumerate(Action.objects.order_by("pk")[:24]):
        make_update(
            action=action,
            rating=RATINGS[n % len(RATINGS)],
            comment=COMMENTS[n % len(COMMENTS)],
            as_of=date(2026, 1, 1) + timedelta(days=7 * n),
            author=user,
        )
    return user


def query(page):
    return parse_qs(urlsplit(page.url).query)


def test_an_officer_sorts_filters_removes_a_filter_and_chooses_columns(
    browser,  # noqa: F811
    live_server,
    officer,
):
    page = new_page(browser)
    sign_in(page, live_server, "officer")
    page.get_by_role("link", name="All actions", exact=True).click()
    page.locator("thead").get_by_role("link", name=re.compile(r"^Rating\W+sort ascending")).click()
    page.wait_for_load_state()
    heading = page.locator("th", has_text="Rating")
    assert heading.get_attribute("aria-sort") == "ascending"
    assert "Red" in page.locator("table tbody tr").first.inner_text()
    # The date filters are GOV.UK date inputs: day and month two characters wide, the year four,
    # side by side in the filter column (a site-wide max-width once stretched each to the column).
    day, month, year = (
        page.locator(f"#id_due_from{part}").bounding_box() for part in ("", "-month", "-year")
    )
    assert day["width"] == month["width"] < year["width"] < 2 * day["width"] < 150
    assert day["y"] == month["y"]
    # Filters keep the sort.
    page.get_by_label("Search").fill("audit")
    page.get_by_label("Source").select_option(label="Business plan")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert query(page)["sort"] == ["rating"]
    summary = page.get_by_role("region", name="Filters applied")
    assert "Search: audit" in summary.inner_text()
    assert "Source: Business plan" in summary.inner_text()
    # Removing one filter keeps the other and the sort.
    summary.get_by_role("link", name="Remove filter Search: audit").click()
    page.wait_for_load_state()
    assert query(page) == {"sort": ["rating"], "source": ["objective"]}
    assert "Search" not in page.get_by_role("region", name="Filters applied").inner_text()
    assert page.locator("th", has_text="Rating").get_attribute("aria-sort") == "ascending"
    # A column left out stays out on the next visit.
    page.get_by_text("Columns", exact=True).click()
    # Each column's name reads on one line (the row of boxes once squeezed them a letter a line).
    lines = page.eval_on_selector_all(
        ".app-columns__choices label",
        """labels => labels.map(label => {
            const range = document.createRange();
            range.selectNodeContents(label);
            return new Set([...range.getClientRects()].map(box => Math.round(box.top))).size;
        })""",
    )
    assert lines == [1] * (len(COLUMNS) - 1)
    page.get_by_label("From", exact=True).uncheck()
    page.get_by_role("button", name="Show these columns").click()
    page.wait_for_load_state()
    assert query(page) == {"sort": ["rating"], "source": ["objective"]}
    page.goto(live_server.url + reverse("oversight:action_list"))
    headings = page.locator("table thead th").all_inner_texts()
    assert not any(text.startswith("From") for text in headings)
    assert any(text.startswith("Latest comment") for text in headings)
    page.context.close()


def test_the_tables_have_no_serious_axe_violations_at_1280_and_375(
    browser,  # noqa: F811
    live_server,
    officer,
):
    actions = reverse("oversight:action_list")
    plan = reverse("plans:plan_detail", args=["ncscp-business-plan-2019-22"])
    pages = {
        "all actions": actions,
        "all actions filtered": actions + "?sort=-rating&source=objective&due_by_0=1"
        "&due_by_1=1&due_by_2=2031&q=the",
        "all actions wrong date": actions + "?due_from_0=31&due_from_1=2&due_from_2=2027",
        "plan": plan,
        "plan sorted by rating": plan + "?sort=rating",
        "workstreams sorted": reverse("workstreams:workstream_list", args=["NSCP"])
        + "?sort=-rating",
    }
    found = axe_every_page(browser, live_server, pages, SHOTS)
    assert {name: v for name, v in found.items() if v} == {}
