"""The QA programme and Section 11 in a real browser (Debian chromium via Playwright): the QA
group's chair adds a finding and a recommendation to an audit from the demo programme and
schedules its dip test; every quality page is scanned with axe-core and photographed at 1280
and 375 px (/tmp/shots-quality/)."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from plans.models import Group, Partnership, Role
from quality.demo import load_quality
from quality.models import Audit, Section11Cycle, SelfAssessment

from .test_browser import PASSWORD
from .test_browser_manage import axe_every_page, browser, new_page, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-quality"))  # noqa: S108  (looked at by hand)
WITH_ERRORS = ("audit new", "section 11 new", "line add")


@pytest.fixture
def officer(django_user_model):
    call_command("load_seed", verbosity=0)
    ncscp = Partnership.objects.get(short_name="NCSCP")
    user = django_user_model.objects.create_user(
        "officer", password=PASSWORD, first_name="Olu", last_name="Officer",
        email="officer@example.org",
    )  # fmt: skip
    Role.objects.create(user=user, partnership=ncscp, kind=Role.Kind.BOARD_OFFICER)
    chair = django_user_model.objects.create_user(
        "chair", password=PASSWORD, first_name="Liz", last_name="Chair",
        email="chair@example.org",
    )  # fmt: skip
    qa = Group.objects.get(slug="ncscp-childrens-qa")
    Role.objects.create(user=chair, partnership=ncscp, kind=Role.Kind.CHAIR, group=qa)
    load_quality()
    return user


def quality_pages():
    cse = Audit.objects.get(subject="Child Sexual Exploitation")
    cycle = Section11Cycle.objects.get()
    citycare = SelfAssessment.objects.get(agency__name="Nottingham CityCare Partnership")
    programme = reverse("quality:programme", args=["NCSCP"])
    return {
        "programme": programme,
        "programme filtered": programme + "?year=2017%2F18&method=dip_test",
        "audit": cse.get_absolute_url(),
        "audit new": reverse("quality:audit_create", args=["NCSCP"]),
        "impact log": reverse("quality:impact_log", args=["NCSCP"]),
        "section 11": reverse("quality:cycle_list", args=["NCSCP"]),
        "section 11 cycle": cycle.get_absolute_url(),
        "section 11 new": reverse("quality:cycle_create", args=["NCSCP"]),
        "assessment": citycare.get_absolute_url(),
        "line add": reverse("quality:line_add", args=[citycare.pk]),
    }


def test_the_chair_records_a_finding_and_schedules_a_dip_test(browser, live_server, officer):  # noqa: F811
    page = new_page(browser)
    sign_in(page, live_server, "chair")
    page.get_by_role("link", name="Quality", exact=True).click()
    page.wait_for_load_state()
    assert "Children placed under SGO" in page.locator("main").inner_text()
    page.get_by_role("link", name="Medical Neglect").first.click()
    page.get_by_role("link", name="Add a finding").click()
    page.get_by_label("Finding").fill("Medical chronologies used in most referrals.")
    page.get_by_label("Grade").select_option("strength")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "F2. Strength: Medical chronologies" in page.locator("main").inner_text()
    page.get_by_role("link", name="Schedule a dip test from its findings").click()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "Dip test: Medical Neglect" in main and "Follows up" in main
    page.context.close()


def test_every_quality_page_has_no_serious_axe_violations_at_1280_and_375(
    browser,  # noqa: F811
    live_server,
    officer,
):
    found = axe_every_page(browser, live_server, quality_pages(), SHOTS, WITH_ERRORS)
    assert {name: v for name, v in found.items() if v} == {}
