"""The risk register in a real browser (Debian chromium via Playwright): an officer reviews a
risk and reads its movement in words; every risk page is scanned with axe-core and
photographed at 1280 and 375 px (/tmp/shots-risks/)."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from plans.models import Partnership, Role
from risks.demo import load_risks
from risks.models import Risk

from .test_browser import PASSWORD
from .test_browser_manage import axe_every_page, browser, new_page, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-risks"))  # noqa: S108  (looked at by hand)
WITH_ERRORS = ("risk new", "risk review")


@pytest.fixture
def officer(django_user_model):
    call_command("load_seed", verbosity=0)
    user = django_user_model.objects.create_user(
        "officer", password=PASSWORD, first_name="Olu", last_name="Officer",
        email="officer@example.org",
    )  # fmt: skip
    ncscp = Partnership.objects.get(short_name="NCSCP")
    Role.objects.create(user=user, partnership=ncscp, kind=Role.Kind.BOARD_OFFICER)
    load_risks()
    return user


def risk_pages():
    risk = Risk.objects.get(partnership__short_name="NCSCP", reference="R1")
    register = reverse("risks:risk_register", args=["NCSCP"])
    return {
        "risk register": register,
        "risk register above appetite": register + "?above=on&due=on",
        "risk page": reverse("risks:risk_detail", args=[risk.pk]),
        "risk new": reverse("risks:risk_create", args=["NCSCP"]),
        "risk edit": reverse("risks:risk_edit", args=[risk.pk]),
        "risk review": reverse("risks:risk_review", args=[risk.pk]),
        "risk archive": reverse("risks:risk_archive", args=[risk.pk]),
        "risk appetite": reverse("risks:appetite_edit", args=["NCSCP"]),
    }


def test_an_officer_reviews_a_risk_and_reads_its_movement(browser, live_server, officer):  # noqa: F811
    page = new_page(browser)
    sign_in(page, live_server, "officer")
    page.get_by_role("link", name="Risks", exact=True).click()
    page.wait_for_load_state()
    first = page.locator("table tbody tr").first
    assert "R1" in first.inner_text()  # highest score after controls first
    page.get_by_role("link", name="Partners lack capacity to attend subgroups and panels").click()
    page.get_by_role("link", name="Review this risk").click()
    page.get_by_label("Likelihood now").select_option("4")
    page.get_by_label("Impact now").select_option("5")
    page.get_by_label("Commentary").fill("Two subgroups lost quorum this cycle.")
    page.get_by_role("button", name="Save the review").click()
    page.wait_for_load_state()
    assert "Up from 16 to 20" in page.locator("main").inner_text()
    assert "up from 16 to 20" in page.locator("table").first.inner_text()
    page.context.close()


def test_every_risk_page_has_no_serious_axe_violations_at_1280_and_375(
    browser,  # noqa: F811
    live_server,
    officer,
):
    found = axe_every_page(browser, live_server, risk_pages(), SHOTS, WITH_ERRORS)
    assert {name: v for name, v in found.items() if v} == {}
