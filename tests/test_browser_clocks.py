"""The intake register, its clocks and the yearly figures in a real browser (Debian chromium
via Playwright): every page scanned with axe-core (no serious or critical violations) and
photographed at 1280 and 375 px (/tmp/shots-clocks/), the case form with an impossible date
order too. An officer records a case through the form and then sees its clocks."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from plans.models import Action, Partnership, Rating, Role
from reviews.clocks import add_working_days
from reviews.models import CaseReview, IntakeCase, ReCheck, Recommendation
from tests.factories import make_update

from .test_browser import PASSWORD, axe_violations
from .test_browser_manage import browser, new_page, save, sign_in  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-clocks"))  # noqa: S108  (looked at by hand)


@pytest.fixture
def officer(django_user_model):
    call_command("load_seed", verbosity=0)
    user = django_user_model.objects.create_user(
        "officer", password=PASSWORD, first_name="Olu", last_name="Officer",
        email="officer@example.org",
    )  # fmt: skip
    ncscp = Partnership.objects.get(short_name="NCSCP")
    Role.objects.create(user=user, partnership=ncscp, kind=Role.Kind.BOARD_OFFICER)
    today = timezone.localdate()
    for code, learned, notified, extra in (
        ("NC-RUNNING", today - timedelta(days=3), today - timedelta(days=1), {}),
        ("NC-SOON", today - timedelta(days=4), None, {}),
        ("NC-LATE", today - timedelta(days=40), today - timedelta(days=38), {}),
        (
            "NC-LCSPR",
            today - timedelta(days=90),
            today - timedelta(days=88),
            {
                "rapid_review_meeting_on": today - timedelta(days=80),
                "rapid_review_submitted_on": today - timedelta(days=75),
                "lcspr_decision": "yes",
                "lcspr_decided_on": today - timedelta(days=60),
            },
        ),
    ):
        IntakeCase.objects.create(
            partnership=ncscp,
            code=code,
            incident_on=learned - timedelta(days=1),
            learned_on=learned,
            notified_on=notified,
            **extra,
        )
    review = CaseReview.objects.create(partnership=ncscp, code="NC-RC", kind="lcspr")
    recommendation = Recommendation.objects.create(
        ref="nc-rc-r1", kind="recommendation", partnership=ncscp, review=review, number=1,
        source="overview", text="Revise the neglect pathway", position=1,
    )  # fmt: skip
    action = Action.objects.create(
        ref="nc-rc-r1-1", parent=recommendation, position=1, text="Publish the revised pathway"
    )
    make_update(action=action, rating=Rating.COMPLETE, comment="Done", author=user, as_of=today)
    ReCheck.objects.create(
        action=action, kind="dip_test", due_on=today - timedelta(days=1), scheduled_by=user
    )
    return user


def test_intake_pages_have_no_serious_axe_violations_at_1280_and_375(
    browser,  # noqa: F811
    live_server,
    officer,
):
    SHOTS.mkdir(exist_ok=True)
    case = IntakeCase.objects.get(code="NC-LCSPR")
    recommendation = Recommendation.objects.get(ref="nc-rc-r1")
    pages = {
        "intake register": "/reviews/intake/",
        "clocks": "/reviews/intake/clocks/",
        "case": f"/reviews/intake/{case.pk}/",
        "case edit": f"/reviews/intake/{case.pk}/edit/",
        "case new": "/reviews/intake/new/NCSCP/",
        "recommendation with re-checks": f"/reviews/recommendations/{recommendation.pk}/",
        "dashboard with re-checks": "/",
    }
    found = {}
    for width in (1280, 375):
        page = new_page(browser, width)
        sign_in(page, live_server, "officer")
        for name, path in pages.items():
            response = page.goto(live_server.url + path)
            assert response.status == 200, f"{name}: {response.status}"
            found[f"{name} at {width}"] = axe_violations(page)
            page.screenshot(
                path=str(SHOTS / f"{name.replace(' ', '-')}-{width}.png"), full_page=True
            )
        # The new-case form with an impossible order: notified before learning of it.
        page.goto(live_server.url + pages["case new"])
        page.locator("#id_code").fill(f"NC-ERR-{width}")
        for field, day in (("incident_on", "2"), ("learned_on", "10"), ("notified_on", "5")):
            page.locator(f"#id_{field}").fill(day)
            page.locator(f"#id_{field}-month").fill("1")
            page.locator(f"#id_{field}-year").fill("2026")
        save(page, "Save the case")
        summary = page.locator(".govuk-error-summary")
        assert summary.is_visible()
        assert (
            "Date the Panel was notified must be the same as or after the date the partnership"
            in summary.inner_text()
        )
        found[f"case with errors at {width}"] = axe_violations(page)
        page.screenshot(path=str(SHOTS / f"case-errors-{width}.png"), full_page=True)
        page.context.close()
    assert {name: v for name, v in found.items() if v} == {}


def test_an_officer_records_a_case_and_sees_its_clock(browser, live_server, officer):  # noqa: F811
    today = timezone.localdate()
    page = new_page(browser)
    sign_in(page, live_server, "officer")
    page.goto(live_server.url + "/reviews/")
    page.get_by_role("link", name="intake register").click()
    page.get_by_role("button", name="Add a case (NCSCP)").click()
    page.locator("#id_code").fill("NC-NEW")
    for field, day in (("incident_on", today - timedelta(days=1)), ("learned_on", today)):
        page.locator(f"#id_{field}").fill(str(day.day))
        page.locator(f"#id_{field}-month").fill(str(day.month))
        page.locator(f"#id_{field}-year").fill(str(day.year))
    save(page, "Save the case")
    assert page.get_by_text("Case NC-NEW added to the intake register").is_visible()
    due = add_working_days(today, 5)
    row = page.get_by_role("row", name="Notify the Panel")
    assert f"{due.day} {due:%b %Y}" in row.inner_text()
    assert "5 working days left" in row.inner_text() and "On track" in row.inner_text()
