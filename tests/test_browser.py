"""Real-browser tests: Debian chromium driven by Playwright against the live test server.

They cover what only a browser shows: signing in and updating by mouse and by keyboard alone,
what a viewer sees, and an axe-core accessibility scan of the pages chairs use.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from plans.models import Action, Group, Partnership, RagUpdate, Role

CHROMIUM = "/usr/bin/chromium"
AXE = Path(settings.BASE_DIR) / "static" / "build" / "axe.min.js"
PASSWORD = "a-long-test-password-2026"
QA_ACTION = "ncscp-bp-2019-22-2-1"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are ordinary blocking calls, so allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def people(django_user_model):
    call_command("load_seed", verbosity=0)
    ncscp = Partnership.objects.get(short_name="NCSCP")
    qa = Group.objects.get(slug="ncscp-childrens-qa")
    users = {}
    for username, kind, group in [
        ("chair", Role.Kind.CHAIR, qa),
        ("viewer", Role.Kind.VIEWER, None),
    ]:
        user = django_user_model.objects.create_user(
            username, password=PASSWORD, first_name=username.title(), last_name="Tester"
        )
        Role.objects.create(user=user, partnership=ncscp, kind=kind, group=group)
        users[username] = user
    return users


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


@pytest.fixture
def page(browser):
    # bypass_csp lets the test inject axe-core; the app's own pages need no such leave.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def action_url(live_server, ref, suffix=""):
    return f"{live_server.url}/actions/{Action.objects.get(ref=ref).pk}/{suffix}"


def test_chair_rates_an_action_amber_and_sees_it_in_the_history(page, live_server, people):
    sign_in(page, live_server, "chair")
    page.goto(action_url(live_server, QA_ACTION))
    page.get_by_role("button", name="Update this action").click()
    page.get_by_label("Amber").check()
    page.get_by_label("Progress comment").fill("Quarterly report came in late")
    page.get_by_role("button", name="Save update").click()
    page.wait_for_url(action_url(live_server, QA_ACTION))
    assert page.get_by_text("Update saved for action 2.1").is_visible()
    timeline = page.locator(".app-timeline")
    assert "Quarterly report came in late" in timeline.inner_text()
    assert "Amber" in timeline.inner_text()
    assert RagUpdate.objects.get().author == people["chair"]


def test_viewer_sees_no_update_button_and_a_forged_post_is_refused(page, live_server, people):
    sign_in(page, live_server, "viewer")
    page.goto(action_url(live_server, QA_ACTION))
    assert page.get_by_role("heading", name="Action 2.1").is_visible()
    assert page.get_by_role("button", name="Update this action").count() == 0
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        action_url(live_server, QA_ACTION, "update/"),
        form={"rating": "green", "comment": "forged", "csrfmiddlewaretoken": token},
        headers={"Referer": live_server.url + "/"},
    )
    assert response.status == 403
    assert not RagUpdate.objects.exists()


def test_another_partnerships_action_answers_404(page, live_server, people):
    sign_in(page, live_server, "chair")
    nscp_action = Action.objects.filter(parent__partnership__short_name="NSCP").first()
    response = page.goto(f"{live_server.url}/actions/{nscp_action.pk}/")
    assert response.status == 404


def test_the_update_flow_works_with_the_keyboard_alone(page, live_server, people):
    page.goto(f"{live_server.url}/accounts/login/")
    # The username box has focus on arrival (autofocus).
    assert page.evaluate("document.activeElement.id") == "id_username"
    page.keyboard.type("chair")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(action_url(live_server, QA_ACTION, "update/"))
    page.keyboard.press("Tab")  # the first stop on every page is the skip link
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    for _ in range(40):  # Tab through the page to the first radio ("Not started")
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_rating":
            break
    assert page.evaluate("document.activeElement.id") == "id_rating"
    for _ in range(2):
        page.keyboard.press("ArrowDown")  # arrow keys move and select within the radio group
    assert page.locator("input[name=rating]:checked").get_attribute("value") == "amber"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_comment"
    page.keyboard.type("Typed without a mouse")
    for _ in range(10):
        if page.evaluate("document.activeElement.textContent").strip() == "Save update":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(action_url(live_server, QA_ACTION))
    assert RagUpdate.objects.get().comment == "Typed without a mouse"


def axe_violations(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_axe_finds_no_serious_violations_on_the_chairs_pages(page, live_server, people):
    assert AXE.exists(), "run `npm run build` (make test does) to copy axe-core"
    page.goto(f"{live_server.url}/accounts/login/")
    found = {"sign-in": axe_violations(page)}
    sign_in(page, live_server, "chair")
    pages = {
        "dashboard": "/",
        "action list": "/actions/",
        "action page": f"/actions/{Action.objects.get(ref=QA_ACTION).pk}/",
        "update form": f"/actions/{Action.objects.get(ref=QA_ACTION).pk}/update/",
        "my actions": "/my-actions/",
    }
    for name, path in pages.items():
        page.goto(live_server.url + path)
        found[name] = axe_violations(page)
    # The update form with errors showing, too.
    page.goto(live_server.url + pages["update form"])
    page.get_by_role("button", name="Save update").click()
    found["update form with errors"] = axe_violations(page)
    assert {name: v for name, v in found.items() if v} == {}


def test_administrator_sets_up_two_step_then_archives_and_restores_a_plan(
    page, live_server, people, django_user_model
):
    """The administrator's first sign-in: the QR-code page, the recovery codes, then archiving
    a plan and restoring it, with axe-core run on every new page on the way."""
    from base64 import b32decode

    from django_otp.oath import totp

    ncscp = Partnership.objects.get(short_name="NCSCP")
    admin = django_user_model.objects.create_user("admin", password=PASSWORD, is_staff=True)
    Role.objects.create(user=admin, partnership=ncscp, kind=Role.Kind.ADMINISTRATOR)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(f"{live_server.url}/accounts/two-factor/set-up/**")
    found = {"two-step set-up": axe_violations(page)}
    assert page.get_by_role("img", name="QR code for your authenticator app").is_visible()
    # No way round the step: the navigation is hidden and pages send you back here.
    assert page.get_by_role("link", name="All actions").count() == 0
    key = "".join(page.locator(".app-secret-key span").all_inner_texts())
    page.get_by_label("Code").fill(f"{totp(b32decode(key)):06d}")
    page.get_by_role("button", name="Turn on two-step verification").click()
    assert page.get_by_role("heading", name="Your recovery codes").is_visible()
    assert page.locator(".app-recovery-codes li").count() == 10
    found["recovery codes"] = axe_violations(page)
    page.get_by_role("link", name="I have saved my recovery codes").click()

    page.goto(f"{live_server.url}/plans/ncscp-business-plan-2019-22/")
    page.get_by_role("link", name="Archive this plan").click()
    found["archive confirmation"] = axe_violations(page)
    page.get_by_role("button", name="Archive business plan").click()
    assert page.get_by_text("NCSCP Business Plan 2019-22 is archived").is_visible()
    found["archive"] = axe_violations(page)
    page.get_by_role("button", name="Restore NCSCP Business Plan 2019-22").click()
    page.wait_for_url(f"{live_server.url}/plans/ncscp-business-plan-2019-22/")
    assert page.get_by_text("is restored").is_visible()
    assert {name: v for name, v in found.items() if v} == {}


def test_the_lockout_page_is_clear_and_accessible(page, live_server, people):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("viewer")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", name="Too many attempts to sign in").is_visible()
    assert axe_violations(page) == []


def test_a_warning_comes_before_the_idle_sign_out_and_typing_keeps_the_session(
    page, live_server, people
):
    """Playwright's clock runs the page's timers forward; the server's clock is real, so the
    'Stay signed in' request is a real request that the server notes."""
    page.clock.install()
    sign_in(page, live_server, "chair")
    page.goto(action_url(live_server, QA_ACTION, "update/"))
    warning = page.locator("#app-timeout-warning")
    assert warning.is_hidden()
    page.clock.run_for(27 * 60 * 1000)
    assert warning.is_hidden()
    page.clock.run_for(90 * 1000)  # 28.5 minutes without doing anything
    assert warning.is_visible()
    assert page.get_by_role("heading", name="You will be signed out soon").is_visible()
    assert axe_violations(page) == []
    with page.expect_response(lambda r: r.url.endswith("/accounts/keepalive/")) as answer:
        page.get_by_role("button", name="Stay signed in").click()
    assert answer.value.status == 204
    page.wait_for_function("document.getElementById('app-timeout-warning').hidden")
    # Typing counts as being there: after a long spell of typing, no warning.
    comment = page.get_by_label("Comment")
    for _ in range(6):
        comment.press_sequentially("still here ")
        page.clock.run_for(5 * 60 * 1000)
    assert warning.is_hidden()


def test_a_board_officers_whole_menu_is_one_line_at_1280_px(page, live_server, django_user_model):
    """Ten items for a board officer: at 1280 px they sit on one line (a second line pushed
    every page down by 65 px); at 375 px they fold behind the Menu button."""
    call_command("load_seed", verbosity=0)
    officer = django_user_model.objects.create_user("officer", password=PASSWORD)
    Role.objects.create(
        user=officer,
        partnership=Partnership.objects.get(short_name="NCSCP"),
        kind=Role.Kind.BOARD_OFFICER,
    )
    sign_in(page, live_server, "officer")
    items = page.locator(".govuk-service-navigation__item")
    assert items.count() == 10
    tops = {round(box["y"]) for box in (items.nth(i).bounding_box() for i in range(10))}
    assert len(tops) == 1, tops
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 375, "height": 800})
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()  # GOV.UK Frontend shows it when the media query changes
    expect(items.first).to_be_hidden()
    menu.click()
    expect(items.nth(9)).to_be_visible()
