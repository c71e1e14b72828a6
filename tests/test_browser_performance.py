"""The performance data set in a real browser (Debian chromium via Playwright): an officer
imports a quarter's values from a spreadsheet, checks the preview and confirms, and reads the
scorecard and a measure's trend; every data set page is scanned with axe-core and
photographed at 1280 and 375 px (/tmp/shots-performance/)."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from performance import periods
from performance.demo import load_performance
from performance.models import Measure
from plans.models import Partnership, Role

from .test_browser import PASSWORD
from .test_browser_manage import axe_every_page, browser, new_page, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-performance"))  # noqa: S108  (looked at by hand)
WITH_ERRORS = ("measure new", "import values")
RE_REFERRALS = "Re-referrals to children's social care within 12 months"


@pytest.fixture
def officer(django_user_model):
    call_command("load_seed", verbosity=0)
    user = django_user_model.objects.create_user(
        "officer", password=PASSWORD, first_name="Olu", last_name="Officer",
        email="officer@example.org",
    )  # fmt: skip
    ncscp = Partnership.objects.get(short_name="NCSCP")
    Role.objects.create(user=user, partnership=ncscp, kind=Role.Kind.BOARD_OFFICER)
    load_performance()
    return user


def performance_pages():
    measure = Measure.objects.get(partnership__short_name="NCSCP", name=RE_REFERRALS)
    return {
        "scorecard": reverse("performance:scorecard", args=["NCSCP"]),
        "measure page": reverse("performance:measure_detail", args=[measure.pk]),
        "measure new": reverse("performance:measure_create", args=["NCSCP"]),
        "measure edit": reverse("performance:measure_edit", args=[measure.pk]),
        "measure archive": reverse("performance:measure_archive", args=[measure.pk]),
        "enter values": reverse("performance:enter_values", args=["NCSCP"]),
        "import values": reverse("performance:import_values", args=["NCSCP"]),
        "data set lead": reverse("performance:lead_group_edit", args=["NCSCP"]),
    }


def test_an_officer_imports_a_quarter_and_reads_the_scorecard(
    browser,  # noqa: F811
    live_server,
    officer,
    tmp_path,
):
    from django.utils import timezone

    quarter = periods.previous(periods.start_of(timezone.localdate(), "quarter"), "quarter")
    label = periods.label(quarter, "quarter")
    upload = tmp_path / "quarter.csv"
    upload.write_text(
        "Measure,Period,Value,Commentary,Missing reason\n"
        f"{RE_REFERRALS},{label.split(' (')[0]},17.5,Lowest for two years,\n"
        f"Children discussed at the MASE panel,{label.split(' (')[0]},,,Panel did not meet\n"
    )
    page = new_page(browser)
    sign_in(page, live_server, "officer")
    page.get_by_role("link", name="Data set", exact=True).click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Import values from a spreadsheet").click()
    page.get_by_label("Upload a file").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "import-preview-1280.png"), full_page=True)
    preview = page.locator("table").first.inner_text()
    assert "17.5%" in preview and "Changed" in preview and "Panel did not meet" in preview
    page.get_by_role("button", name="Import 2 values").click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "2 values imported: 0 added, 2 changed, 0 unchanged" in main
    row = page.locator("tr", has_text=RE_REFERRALS).inner_text()
    assert "17.5%" in row and "Green" in row and "Improved: down from 19.8%" in row
    page.get_by_role("link", name=RE_REFERRALS).click()
    page.wait_for_load_state()
    assert "Lowest for two years" in page.locator("main").inner_text()
    assert page.locator("svg[role=img] title").text_content() == f"Trend of {RE_REFERRALS}"
    page.context.close()


def test_every_data_set_page_has_no_serious_axe_violations_at_1280_and_375(
    browser,  # noqa: F811
    live_server,
    officer,
):
    found = axe_every_page(browser, live_server, performance_pages(), SHOTS, WITH_ERRORS)
    assert {name: v for name, v in found.items() if v} == {}
