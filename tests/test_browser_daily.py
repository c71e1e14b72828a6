"""The pages chairs use every cycle, in a real browser (Debian chromium via Playwright): My actions
with 100 actions saved card by card without losing what is typed elsewhere, the update form's
pre-selection and one-pass checks; axe-core and the page width at 1280 and 375 px, with
screenshots in /tmp/shots-daily/."""

import os
import re
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from plans.history import create_with_history
from plans.models import Action, Group, Objective, Partnership, Plan, RagUpdate, Role
from plans.updates import record_update

from .test_browser import AXE, PASSWORD, QA_ACTION, axe_violations, browser, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-daily"))  # noqa: S108  (looked at by hand)


@pytest.fixture
def chair(django_user_model):
    """The QA subgroup's chair, with 100 more actions led by the subgroup."""
    call_command("load_seed", verbosity=0)
    ncscp = Partnership.objects.get(short_name="NCSCP")
    qa = Group.objects.get(slug="ncscp-childrens-qa")
    user = django_user_model.objects.create_user(
        "chair", password=PASSWORD, first_name="Chris", last_name="Chair"
    )
    Role.objects.create(user=user, partnership=ncscp, kind=Role.Kind.CHAIR, group=qa)
    plan = Plan.objects.get(slug="ncscp-business-plan-2019-22")
    actions = []
    for n in range(10):
        objective = Objective.objects.create(
            ref=f"daily-obj-{n}", kind="objective", partnership=ncscp, plan=plan,
            number=200 + n, text=f"Daily objective {n}",
        )  # fmt: skip
        actions += [
            Action(
                ref=f"daily-{n}-{k}",
                parent=objective,
                position=k,
                text=f"Daily action {n}.{k}",
                lead_text="Children's QA subgroup",
                timescale="June 2027",
                due_date=date(2027, 6, 30),
            )  # fmt: skip
            for k in range(1, 11)
        ]
    create_with_history(Action, actions, user=user)
    for action in Action.objects.filter(ref__startswith="daily-"):
        action.lead_groups.add(qa)
    return user


def new_page(browser, width):  # noqa: F811
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    return context.new_page()


def check_page(page, name, found):
    """axe-core, the page width and a screenshot, at the page's current viewport width."""
    width = page.viewport_size["width"]
    found[f"{name} at {width}"] = axe_violations(page)
    overflow = page.evaluate("document.documentElement.scrollWidth")
    if overflow > width:
        found[f"{name} at {width}"].append(f"page is {overflow} px wide")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=width > 400)


def card(page, action):
    return page.locator(f"#action-{action.pk}")


def test_my_actions_with_100_actions_saves_one_card_and_keeps_the_others(
    browser,  # noqa: F811
    live_server,
    chair,
):
    assert AXE.exists(), "run `npm run build` (make test does) to copy axe-core"
    found = {}
    page = new_page(browser, 1280)
    sign_in(page, live_server, "chair")
    page.goto(f"{live_server.url}/my-actions/?show=all")
    assert page.locator("section.app-card").count() >= 100
    check_page(page, "my-actions", found)
    first, second = Action.objects.filter(ref__in=["daily-3-4", "daily-7-2"]).order_by("ref")
    card(page, second).get_by_label(re.compile("Progress comment")).fill("Half typed, not saved")
    card(page, first).get_by_label("Green", exact=True).check()
    card(page, first).get_by_label(re.compile("Progress comment")).fill("On track")
    card(page, first).get_by_role("button", name=re.compile("Save this update")).click()
    page.wait_for_load_state()
    assert page.url.endswith(f"#action-{first.pk}")
    assert RagUpdate.objects.get().action == first
    assert "Your update for this action is saved." in card(page, first).inner_text()
    typed = card(page, second).get_by_label(re.compile("Progress comment")).input_value()
    assert typed == "Half typed, not saved"
    # Nothing typed elsewhere now: the save goes back to the list, at the card just saved.
    card(page, second).get_by_label("Green", exact=True).check()
    card(page, second).get_by_role("button", name=re.compile("Save this update")).click()
    page.wait_for_url(re.compile(rf"kept={second.pk}#action-{second.pk}$"))
    assert "2 updates saved" not in page.content() and RagUpdate.objects.count() == 2
    assert card(page, second).is_visible()
    # The filters, applied and summarised.
    page.goto(f"{live_server.url}/my-actions/")
    page.get_by_label("Show").select_option(label="All my actions")
    page.get_by_label("Current rating").select_option(label="Green")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert page.locator("section.app-card").count() == 2
    check_page(page, "my-actions-filtered", found)
    narrow = new_page(browser, 375)
    sign_in(narrow, live_server, "chair")
    narrow.goto(f"{live_server.url}/my-actions/?show=all")
    check_page(narrow, "my-actions", found)
    assert {name: v for name, v in found.items() if v} == {}


def test_the_update_form_keeps_the_current_rating_and_checks_everything_at_once(
    browser,  # noqa: F811
    live_server,
    chair,
):
    action = Action.objects.get(ref=QA_ACTION)
    record_update(action, rating="green", comment="On track", by=chair)
    found = {}
    for width in (1280, 375):
        page = new_page(browser, width)
        sign_in(page, live_server, "chair")
        page.goto(f"{live_server.url}/actions/{action.pk}/update/")
        assert page.get_by_label("Green", exact=True).is_checked()
        check_page(page, "update-form", found)
    page.get_by_label("Red", exact=True).check()
    page.get_by_text("Change the due date").click()
    page.get_by_label("Day").fill("30")
    page.get_by_label("Month").fill("6")
    page.get_by_label("Year").fill("2027")
    page.get_by_role("button", name="Save update").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Enter a progress comment to explain the Red rating" in summary
    assert "Enter the reason the due date has changed" in summary
    check_page(page, "update-form-errors", found)
    # Keeping Green with only a new due date and its reason: no new comment needed.
    page.get_by_label("Green", exact=True).check()
    page.get_by_label("Reason for the new due date").fill("Data team vacancy")
    page.get_by_role("button", name="Save update").click()
    page.wait_for_url(re.compile(rf"/actions/{action.pk}/$"))
    action.refresh_from_db()
    assert action.revised_due_date == date(2027, 6, 30)
    assert {name: v for name, v in found.items() if v} == {}


def test_all_actions_sorts_by_a_heading_and_says_so(browser, live_server, chair):  # noqa: F811
    action = Action.objects.get(ref="daily-5-5")
    record_update(action, rating="red", comment="Stuck", by=chair)
    found = {}
    for width in (1280, 375):
        page = new_page(browser, width)
        sign_in(page, live_server, "chair")
        page.goto(f"{live_server.url}/actions/")
        page.locator("th a[href='?sort=rating']").click()
        page.wait_for_url(re.compile(r"sort=rating"))
        heading = page.locator("th[aria-sort='ascending']")
        assert heading.inner_text().startswith("Rating")
        first_row = page.locator("#caption-actions ~ tbody tr").first.inner_text()
        assert "Daily action 5.5" in first_row and "Red" in first_row
        check_page(page, "all-actions-sorted", found)
    page.locator("th a[href='?sort=-rating']").click()
    page.wait_for_url(re.compile(r"sort=-rating"))
    assert page.locator("th[aria-sort='descending']").count() == 1
    assert {name: v for name, v in found.items() if v} == {}
