"""The pack's risk section (oversight/pack_risks.py): risks above appetite and every change to
the register since the previous meeting, as the register stood at the pack's moment."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from oversight.cycle import cutoff
from oversight.models import Meeting
from oversight.pack import build_pack, render_pack_html
from oversight.pack_risks import risks_section
from plans.models import Group
from risks.models import RiskAppetite
from tests.oversight.test_pack import recorded_at
from tests.risks.test_risks import make_risk

LONDON = ZoneInfo("Europe/London")
PREVIOUS = cutoff(date(2021, 2, 3))
DEADLINE = cutoff(date(2021, 6, 2))


def at(*args):
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
def register(ncscp, django_user_model):
    """Before the previous deadline: R1 (16 after controls), R2 (9), R3 (20, closed later).
    Between the deadlines: R4 added (15), R1 reviewed down to 12, R2 reviewed unchanged,
    R3 closed. After this deadline: R5 added and R2 rescored (neither may show)."""
    officer = django_user_model.objects.create_user("t-officer")
    with recorded_at(at(2021, 1, 10, 9)):
        RiskAppetite.set_for(ncscp, 10, by=officer)
        r1 = make_risk(ncscp, "R1", after=(4, 4))
        r2 = make_risk(ncscp, "R2", after=(3, 3))
        r3 = make_risk(ncscp, "R3", after=(4, 5))
    with recorded_at(at(2021, 3, 1, 9)):
        make_risk(ncscp, "R4", after=(3, 5))
        r1.record_review(
            by=officer, on=date(2021, 3, 1), likelihood=3, impact=4,
            commentary="Extra panel capacity agreed",
        )  # fmt: skip
        r2.record_review(
            by=officer, on=date(2021, 3, 1), likelihood=3, impact=3, commentary="Holding steady"
        )
        r3.archive(by=officer)
    with recorded_at(at(2021, 6, 10, 9)):
        make_risk(ncscp, "R5", after=(5, 5))
        r2.record_review(
            by=officer, on=date(2021, 6, 10), likelihood=5, impact=5, commentary="Later news"
        )
        RiskAppetite.set_for(ncscp, 20, by=officer)
    return ncscp


def test_above_appetite_lists_the_register_as_it_stood_highest_first(register):
    section = risks_section(register, DEADLINE, PREVIOUS)
    assert section["appetite"] == 10  # raised to 20 after the deadline: not yet
    assert section["count"] == 3  # R1, R2, R4; R3 closed, R5 added later
    assert [(r["reference"], r["residual"]) for r in section["above"]] == [("R4", 15), ("R1", 12)]
    assert section["above"][1]["latest_review"]["commentary"] == "Extra panel capacity agreed"


def test_changes_since_the_previous_meeting_are_worded(register):
    changes = {r["reference"]: r for r in risks_section(register, DEADLINE, PREVIOUS)["changes"]}
    assert changes["R1"]["change"] == "score down from 16 to 12"
    assert changes["R2"]["change"] == "reviewed; score unchanged at 9"
    assert [r["commentary"] for r in changes["R2"]["reviews"]] == ["Holding steady"]
    assert changes["R3"]["change"] == "closed (taken off the register)"
    assert changes["R4"]["change"] == "new risk, scored 15 after controls"
    assert "R5" not in changes


def test_a_later_moment_sees_the_later_changes(register):
    later = risks_section(register, cutoff(date(2021, 9, 29)), DEADLINE)
    changes = {r["reference"]: r["change"] for r in later["changes"]}
    assert changes == {"R2": "score up from 9 to 25", "R5": "new risk, scored 25 after controls"}
    assert later["appetite"] == 20


def test_a_first_meeting_reports_no_changes_as_new(register):
    first = risks_section(register, PREVIOUS, None)
    assert [r["reference"] for r in first["above"]] == ["R3", "R1"]
    assert first["changes"] == []


def test_the_pack_prints_the_section_and_an_empty_register_says_so(register, ncscp):
    bmg = Group.objects.create(slug="t-bmg", name="Business Management Group", kind="bmg")
    bmg.partnerships.add(ncscp)
    Meeting.objects.create(group=bmg, date=date(2021, 2, 17), update_deadline=date(2021, 2, 3))
    june = Meeting.objects.create(
        group=bmg, date=date(2021, 6, 16), update_deadline=date(2021, 6, 2)
    )
    html = render_pack_html(build_pack(june))
    assert "9. Risk register" in html
    assert "Above appetite (2)" in html
    assert "score down from 16 to 12" in html
    assert "R5" not in html
    empty = build_pack(june, as_of=date(2020, 12, 1))
    assert "No risks on the register at 1 December 2020: nothing to report." in render_pack_html(
        empty
    )
