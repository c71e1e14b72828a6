"""Highlight reports and the decisions log in a real browser (Debian chromium via Playwright):
a chair follows the "Highlight report due" prompt from My actions and writes the report; every
page is scanned with axe-core and photographed at 1280 and 375 px (/tmp/shots-reports/)."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from oversight.demo_reports import load_demo_reports
from oversight.models import Decision, Meeting
from plans.models import Group, Partnership, Role

from .test_browser import PASSWORD
from .test_browser_manage import axe_every_page, browser, new_page, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-reports"))  # noqa: S108  (looked at by hand)
WITH_ERRORS = ("report write", "decision new")


def person(django_user_model, username, first, last, **role):
    user = django_user_model.objects.create_user(
        username, password=PASSWORD, first_name=first, last_name=last,
        email=f"{username}@example.org",
    )  # fmt: skip
    Role.objects.create(user=user, partnership=Partnership.objects.get(short_name="NCSCP"), **role)
    return user


@pytest.fixture
def cast(django_user_model):
    """The seed, BMG meetings two past and one coming, and the demo's reports and decisions."""
    call_command("load_seed", verbosity=0)
    bmg = Group.objects.get(slug="ncscp-bmg")
    today = timezone.localdate()
    for offset in (-179, -60, 28):
        day = today + timedelta(days=offset)
        Meeting.objects.create(
            group=bmg, date=day, update_deadline=day - timedelta(days=14), title=f"BMG {day:%B %Y}"
        )
    users = {
        "officer": person(
            django_user_model, "officer", "Olu", "Officer", kind=Role.Kind.BOARD_OFFICER
        ),
        "chair": person(
            django_user_model,
            "chair",
            "Chris",
            "Chair",
            kind=Role.Kind.CHAIR,
            group=Group.objects.get(slug="ncscp-childrens-qa"),
        ),  # fmt: skip
    }
    load_demo_reports(users)
    return users


def report_pages():
    past = Meeting.objects.filter(date__lt=timezone.localdate()).order_by("-date").first()
    decision = Decision.objects.filter(meeting=past).order_by("number").first()
    qa = ("ncscp-childrens-qa",)
    return {
        "meeting": reverse("oversight:meeting_detail", args=[past.pk]),
        "report": reverse("oversight:report_detail", args=[past.pk, *qa]),
        "report write": reverse("oversight:report_write", args=[past.pk, "ncscp-sirg"]),
        "decisions": reverse("oversight:decision_log", args=[past.pk]),
        "decision new": reverse("oversight:decision_add", args=[past.pk]),
        "decision edit": reverse("oversight:decision_edit", args=[decision.pk]),
    }


def test_a_chair_follows_the_prompt_and_writes_the_report(browser, live_server, cast):  # noqa: F811
    page = new_page(browser)
    sign_in(page, live_server, "chair")
    page.goto(live_server.url + reverse("oversight:my_actions"))
    banner = page.locator(".govuk-notification-banner", has_text="Highlight report due")
    assert "Children's Quality Assurance" in banner.inner_text()
    banner.get_by_role("link", name="Write the report").click()
    page.get_by_label("Progress since the last meeting").fill("Neglect audit done.")
    page.get_by_label("Asks of BMG").fill("Write to the ICB.")
    page.get_by_role("button", name="Save the report").click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "Neglect audit done." in main and "Write to the ICB." in main
    assert "Chris Chair" in page.locator("table").last.inner_text()  # history names the chair
    page.goto(live_server.url + reverse("oversight:my_actions"))
    assert page.locator(".govuk-notification-banner", has_text="Highlight report due").count() == 0
    page.context.close()


def test_every_report_and_decision_page_has_no_serious_axe_violations(
    browser,  # noqa: F811
    live_server,
    cast,
):
    found = axe_every_page(browser, live_server, report_pages(), SHOTS, WITH_ERRORS)
    assert {name: v for name, v in found.items() if v} == {}
