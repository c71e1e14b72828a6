"""Running the partnership in the app, in a real browser (Debian chromium via Playwright):
an officer sets up a plan and invites a chair, the chair follows the emailed link, sets a
password and updates, and the officer sees each step in history. Then every new page is
scanned with axe-core and photographed at 1280 and 375 px (/tmp/shots-manage/)."""

import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from oversight.models import Meeting
from plans.models import Action, Group, Objective, Partnership, Plan, Role
from reviews.models import CaseReview, Recommendation
from workstreams.models import Workstream

from .test_browser import CHROMIUM, PASSWORD, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-manage"))  # noqa: S108  (looked at by hand)
NEW_PASSWORD = "chairs-own-password-2026"
QA = "Children's Quality Assurance and Performance subgroup (Children's QA)"


@pytest.fixture
def officer(django_user_model):
    call_command("load_seed", verbosity=0)
    user = django_user_model.objects.create_user(
        "officer", password=PASSWORD, first_name="Olu", last_name="Officer",
        email="officer@example.org",
    )  # fmt: skip
    ncscp = Partnership.objects.get(short_name="NCSCP")
    Role.objects.create(user=user, partnership=ncscp, kind=Role.Kind.BOARD_OFFICER)
    return user


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def new_page(browser, width=1280):
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    return context.new_page()


def sign_in(page, live_server, username, password=PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def save(page, name="Save"):
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def add_action(page, text, timescale):
    page.get_by_label("How are we going to do it?").fill(text)
    page.get_by_label("Who will lead? (as written)").fill("Children's QA subgroup")
    page.get_by_label(QA, exact=True).check()
    page.get_by_label("When are we going to achieve this? (as written)").fill(timescale)
    save(page, "Add the action")


def test_officer_sets_up_a_plan_invites_a_chair_who_updates_and_history_shows_it(
    browser, live_server, officer
):
    found = {}
    page = new_page(browser)
    sign_in(page, live_server, "officer")
    page.get_by_role("link", name="Plans").first.click()
    page.get_by_role("link", name="Create a business plan for NCSCP").click()
    page.get_by_label("Title").fill("NCSCP Business Plan 2026-29")
    save(page, "Create the plan")
    found["new plan page"] = axe_violations(page)
    page.get_by_role("link", name="Add a priority").click()
    page.get_by_label("Priority", exact=True).fill("Neglect: children are seen and helped sooner")
    save(page)
    page.get_by_role("link", name="Add an objective").click()
    page.get_by_label("What do we want to achieve?").fill("Fewer children wait for help")
    page.get_by_label("Priority it serves").select_option(
        label="Priority 1: Neglect: children are seen and helped sooner"
    )
    save(page)
    page.get_by_role("link", name="Add an action to objective 1").click()
    add_action(page, "Audit neglect referrals", "June 2027 Oct 2027")
    assert page.get_by_text("Action 1.1 is added").is_visible()
    page.goto(f"{live_server.url}/plans/ncscp-business-plan-2026-29/")
    page.get_by_role("link", name="Add an action to objective 1").click()
    add_action(page, "Train front-door staff on neglect", "By 31/03/2027")
    plan = Plan.objects.get(title="NCSCP Business Plan 2026-29")
    objective = Objective.objects.get(plan=plan)
    assert [a.text for a in objective.actions.order_by("position")] == [
        "Audit neglect referrals",
        "Train front-door staff on neglect",
    ]

    # Invite a chair and give them the group.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="People").click()
    page.get_by_role("button", name="Invite a person to NCSCP").click()
    found["invite"] = axe_violations(page)
    page.get_by_label("Email address").fill("nia.chair@example.org")
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Chair")
    page.get_by_label("Group chair").check()
    page.locator("#id_group").select_option(label=QA)
    save(page, "Send the invitation")
    assert page.get_by_text("Invitation sent to nia.chair@example.org").is_visible()
    (email,) = mail.outbox
    link = urlsplit(re.search(r"(http\S+/accounts/invitation/\S+/)", email.body)[1]).path

    # The chair follows the link, sets a password, signs in and updates.
    chair = new_page(browser)
    chair.goto(live_server.url + link)
    found["set your password"] = axe_violations(chair)
    chair.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    chair.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    save(chair, "Set my password")
    assert chair.get_by_text("Your password is set").is_visible()
    sign_in(chair, live_server, "nia.chair@example.org", NEW_PASSWORD)
    action = Action.objects.get(text="Audit neglect referrals")
    chair.goto(f"{live_server.url}/actions/{action.pk}/")
    chair.get_by_role("button", name="Update this action").click()
    chair.get_by_label("Amber").check()
    chair.get_by_label("Progress comment").fill("Audit tool agreed; first sample due in June")
    save(chair, "Save update")
    assert chair.get_by_text("Update saved for action 1.1").is_visible()

    # The officer sees each step in history.
    page.goto(f"{live_server.url}/plans/{plan.slug}/")
    changes = page.locator("#changes + div table").inner_text()
    for step in ("Added the plan", "Added priority 1", "Added objective 1", "Added action 1.1"):
        assert step in changes, step
    assert "Olu Officer" in changes
    found["plan with changes"] = axe_violations(page)
    person = Role.objects.get(user__email="nia.chair@example.org").user
    page.goto(f"{live_server.url}/people/{person.pk}/")
    history = page.locator("main").inner_text()
    assert f"Given: Group chair, {QA}" in history
    assert "Set a password from the invitation" in history and "Olu Officer" in history
    page.goto(f"{live_server.url}/actions/{action.pk}/")
    assert "Audit tool agreed" in page.locator(".app-timeline").inner_text()
    assert "Nia Chair" in page.locator(".app-timeline").inner_text()
    assert {name: v for name, v in found.items() if v} == {}


def every_new_page(officer):
    """(name, path) of every page this work added, with objects to show."""
    ncscp = Partnership.objects.get(short_name="NCSCP")
    nscp_officer_role = Role.objects.create(
        user=officer, partnership=Partnership.objects.get(short_name="NSCP"), kind="board_officer"
    )
    plan = Plan.objects.get(partnership=ncscp)
    objective = plan.objectives.order_by("number").first()
    action = objective.actions.order_by("position").first()
    priority = plan.priorities.first()
    workstream = Workstream.objects.order_by("number").first()
    recommendation = Recommendation.objects.order_by("pk").first()
    review = CaseReview.objects.get(pk=recommendation.review_id)
    qa = Group.objects.get(slug="ncscp-childrens-qa")
    bmg = Group.objects.get(slug="ncscp-bmg")
    today = timezone.localdate()
    meeting = Meeting.objects.create(
        group=bmg, date=today + timedelta(days=28), update_deadline=today + timedelta(days=14)
    )
    chair = officer.__class__.objects.create_user(
        "chris", email="chris@example.org", first_name="Chris", last_name="Chair"
    )
    role = Role.objects.create(user=chair, partnership=ncscp, kind="chair", group=qa)
    from plans.people import invite_link

    agency = ncscp.agencies.first() or ncscp.groups.first()
    del nscp_officer_role
    return {
        "plan new": reverse("plans:plan_create", args=["NCSCP"]),
        "plan edit": reverse("plans:plan_edit", args=[plan.slug]),
        "plan manage": reverse("plans:plan_detail", args=[plan.slug]) + "#manage",
        "priority add": reverse("plans:priority_add", args=[plan.slug]),
        "priority edit": reverse("plans:priority_edit", args=[priority.pk]),
        "objective add": reverse("plans:objective_add", args=[plan.slug]),
        "objective": reverse("plans:objective_edit", args=[objective.pk]),
        "action add": reverse("plans:action_add", args=[objective.pk]),
        "action edit": reverse("plans:action_edit", args=[action.pk]),
        "action move": reverse("plans:action_move", args=[action.pk]),
        "workstreams": reverse("workstreams:workstream_list", args=["NSCP"]),
        "workstream new": reverse("workstreams:workstream_create", args=["NSCP"]),
        "workstream edit": reverse("workstreams:workstream_edit", args=[workstream.pk]),
        "recommendation add": reverse("reviews:recommendation_add", args=[review.pk]),
        "recommendation edit": reverse("reviews:recommendation_edit", args=[recommendation.pk]),
        "recommendation withdraw": reverse(
            "reviews:recommendation_withdraw", args=[recommendation.pk]
        ),
        "meetings": reverse("oversight:meeting_list"),
        "meeting new": reverse("oversight:meeting_create", args=["NCSCP"]),
        "meeting pattern": reverse("oversight:meeting_plan", args=["NCSCP"]),
        "meeting edit": reverse("oversight:meeting_edit", args=[meeting.pk]),
        "meeting chasing": reverse("oversight:meeting_detail", args=[meeting.pk]),
        "people": reverse("plans:people_list"),
        "person": reverse("plans:person_detail", args=[chair.pk]),
        "invite": reverse("plans:person_invite", args=["NCSCP"]),
        "role add": reverse("plans:role_add", args=[chair.pk, "NCSCP"]),
        "role remove": reverse("plans:role_remove", args=[role.pk]),
        "deactivate": reverse("plans:person_deactivate", args=[chair.pk]),
        "groups and agencies": reverse("plans:group_list", args=["NCSCP"]),
        "group new": reverse("plans:group_create", args=["NCSCP"]),
        "group edit": reverse("plans:group_edit", args=[qa.pk]),
        "agency new": reverse("plans:agency_create", args=["NCSCP"]),
        "agency edit": reverse("plans:agency_edit", args=[agency.pk]),
        "set your password": urlsplit(invite_link(chair)).path,
    }


# Forms sent empty, to scan and photograph the error summary too.
WITH_ERRORS = ("plan new", "action add", "invite", "meeting new")


def test_every_new_page_has_no_serious_axe_violations_at_1280_and_375(
    browser, live_server, officer
):
    found = axe_every_page(browser, live_server, every_new_page(officer), SHOTS, WITH_ERRORS)
    assert {name: v for name, v in found.items() if v} == {}


def axe_every_page(browser, live_server, pages, shots, with_errors=()):
    """axe-core's serious and critical findings on each page at 1280 and 375 px, signed in
    as the officer, with a screenshot of each; the pages in `with_errors` are also sent empty
    and checked showing their errors. {"name at width": [violations]}."""
    shots.mkdir(exist_ok=True)
    found = {}
    for width in (1280, 375):
        page = new_page(browser, width)
        sign_in(page, live_server, "officer")
        for name, path in pages.items():
            response = page.goto(live_server.url + path)
            assert response.status == 200, f"{name}: {response.status}"
            found[f"{name} at {width}"] = axe_violations(page)
            shot = name.replace(" ", "-")
            page.screenshot(path=str(shots / f"{shot}-{width}.png"), full_page=True)
            if name in with_errors:
                page.locator("main form button[type=submit]").last.click()
                page.wait_for_load_state()
                assert page.locator(".govuk-error-summary").is_visible(), name
                found[f"{name} with errors at {width}"] = axe_violations(page)
                page.screenshot(path=str(shots / f"{shot}-errors-{width}.png"), full_page=True)
        page.context.close()
    return found
