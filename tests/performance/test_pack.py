"""The pack's performance section (oversight/pack_performance.py): the data set as it stood at
the pack's day, so a past pack reproduces; missing values are printed as missing."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from oversight.models import Meeting
from oversight.pack import build_pack, render_pack_html
from oversight.pack_performance import performance_section
from plans.models import Group
from tests.oversight.test_pack import recorded_at

from .conftest import make_measure

LONDON = ZoneInfo("Europe/London")
Q3, Q4 = date(2020, 10, 1), date(2021, 1, 1)


def at(*args):
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
def meetings(ncscp):
    bmg = Group.objects.create(slug="t-bmg", name="Business Management Group", kind="bmg")
    bmg.partnerships.add(ncscp)
    february = Meeting.objects.create(
        group=bmg, date=date(2021, 2, 17), update_deadline=date(2021, 2, 3)
    )
    june = Meeting.objects.create(
        group=bmg, date=date(2021, 6, 16), update_deadline=date(2021, 6, 2)
    )
    return february, june


@pytest.fixture
def data(ncscp, officer):
    """Before February's deadline: Q3 recorded (22%); between the deadlines: Q4 recorded
    (19%) and the assessments measure added with Q4 missing; after June's deadline: Q4
    corrected to 24% and a third measure added. Neither of the last may show in June's pack."""
    with recorded_at(at(2021, 1, 20, 9)):
        re_referrals = make_measure(ncscp)
        re_referrals.record(Q3, by=officer, value=Decimal(22), commentary="Above target")
    with recorded_at(at(2021, 4, 20, 9)):
        re_referrals.record(Q4, by=officer, value=Decimal(19), commentary="Back on target")
        assessments = make_measure(ncscp, name="Assessments", higher_is_better=True, target=85,
                                   amber_threshold=75)  # fmt: skip
        assessments.record(Q4, by=officer, missing_reason="Report not rebuilt yet")
    with recorded_at(at(2021, 6, 10, 9)):
        re_referrals.record(Q4, by=officer, value=Decimal(24), commentary="Corrected")
        make_measure(ncscp, name="Added later")
    return ncscp


def test_the_section_reads_the_data_set_as_it_stood(data, meetings):
    february, june = meetings
    section = performance_section(data, june.update_deadline, february)
    rows = {row["measure"].name: row for row in section["rows"]}
    assert set(rows) == {"Re-referrals within 12 months", "Assessments"}
    latest = rows["Re-referrals within 12 months"]["latest"]
    assert (latest.shown, latest.rating.word, latest.commentary) == (
        "19%",
        "Green",
        "Back on target",
    )
    assert latest.movement.words == "improved: down from 22%"
    assert rows["Re-referrals within 12 months"]["new"] is True
    missing = rows["Assessments"]["latest"]
    assert missing.value is None and missing.shown == "missing"
    assert rows["Assessments"]["rating"].word == "Missing"


def test_an_earlier_pack_shows_what_was_known_then(data, meetings):
    february, _ = meetings
    section = performance_section(data, february.update_deadline, None)
    [row] = section["rows"]
    assert (row["latest"].label, row["latest"].shown) == ("Q3 2020/21 (Oct to Dec 2020)", "22%")
    assert row["latest"].movement.words == "no previous value" and row["new"] is False


def test_the_pack_prints_the_section_with_missing_as_missing(data, meetings):
    _, june = meetings
    html = render_pack_html(build_pack(june))
    part = html[html.index('id="performance"') :]
    part = part[: part.index("</section>")]
    assert "Performance data set" in part and "2 measures" in part
    assert "Q4 2020/21 (Jan to Mar 2021) (new)" in part
    assert "Missing: Report not rebuilt yet" in part
    assert "Improved: down from 22%" in part and "20% (amber to 23%)" in part
    assert "24%" not in part and "Added later" not in part  # recorded after the deadline
    empty = render_pack_html(build_pack(june, as_of=date(2020, 12, 1)))
    assert "No measures in the data set at 1 December 2020: nothing to report." in empty
