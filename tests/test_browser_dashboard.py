"""The dashboard's charts in a real browser (Debian chromium via Playwright), signed in as a
board officer and as a chair, at 1280 and 375 px: no serious axe-core finding, no part of the
page (the SVG charts included) wider than the screen, and a screenshot of each
(/tmp/shots-dashboard/)."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from plans.models import Group, Partnership, Role

from .oversight.test_pack import build_world
from .test_browser import PASSWORD, axe_violations
from .test_browser_manage import browser, new_page, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-dashboard"))  # noqa: S108  (looked at by hand)


@pytest.fixture
def people(django_user_model):
    call_command("load_seed", verbosity=0)
    ncscp = Partnership.objects.get(short_name="NCSCP")
    build_world(ncscp, django_user_model)
    qa = Group.objects.get(slug="ncscp-childrens-qa")
    for username, kind, group in (
        ("officer", Role.Kind.BOARD_OFFICER, None),
        ("chair", Role.Kind.CHAIR, qa),
    ):
        user = django_user_model.objects.create_user(
            username, password=PASSWORD, first_name=username.title(), last_name="Tester"
        )
        Role.objects.create(user=user, partnership=ncscp, kind=kind, group=group)


def test_the_dashboard_charts_fit_and_pass_axe_at_1280_and_375(browser, live_server, people):  # noqa: F811
    SHOTS.mkdir(exist_ok=True)
    found = {}
    for username in ("officer", "chair"):
        for width in (1280, 375):
            page = new_page(browser, width)
            sign_in(page, live_server, username)
            charts = page.locator("svg.app-chart")
            assert charts.count() >= 2, "the ratings chart and the trend chart"
            assert page.get_by_text("Return rate this cycle").is_visible()
            page.screenshot(path=str(SHOTS / f"dashboard-{username}-{width}.png"), full_page=True)
            page_width = page.evaluate("document.documentElement.scrollWidth")
            assert page_width <= width, f"{username} at {width}: the page is {page_width} px"
            for index in range(charts.count()):
                box = charts.nth(index).bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= width, (username, width)
            found[f"{username} at {width}"] = axe_violations(page)
            page.context.close()
    assert {name: v for name, v in found.items() if v} == {}
