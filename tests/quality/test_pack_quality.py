"""The pack's quality-assurance section: what it reports, read from history as the data stood
at the end of the pack's day, so a later change never alters a past pack."""

from contextlib import contextmanager
from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from oversight.models import Meeting
from oversight.pack import build_pack, render_pack_html
from oversight.pack_quality import quality_section
from plans.models import Agency, Group
from quality.models import (
    Audit,
    AuditRecommendation,
    Finding,
    ImpactEntry,
    LineOfEnquiry,
    Section11Cycle,
    SelfAssessment,
)

LONDON = ZoneInfo("Europe/London")


@contextmanager
def recorded_at(*when):
    """Everything saved inside looks recorded at `when` (history_date included)."""
    with mock.patch("django.utils.timezone.now", return_value=datetime(*when, tzinfo=LONDON)):
        yield


@pytest.fixture
def meetings(ncscp):
    bmg = Group.objects.create(slug="t-bmg", name="BMG", kind=Group.Kind.BMG)
    bmg.partnerships.add(ncscp)
    first = Meeting.objects.create(
        group=bmg, date=date(2017, 2, 15), update_deadline=date(2017, 2, 1)
    )
    second = Meeting.objects.create(
        group=bmg, date=date(2017, 6, 14), update_deadline=date(2017, 6, 1)
    )
    return first, second


@pytest.fixture
def history(ncscp):
    """An audit and an impact recorded before the February deadline (the February pack saw
    them); an audit reported in the cycle, a dip test, Section 11 and an impact recorded in
    May 2017; then changes recorded after the June deadline."""
    with recorded_at(2017, 1, 25, 9):
        earlier = Audit.objects.create(
            partnership=ncscp,
            subject="Medical Neglect",
            year="2016/17",
            status="reported",
            reported_on=date(2017, 1, 20),
        )
        ImpactEntry.objects.create(
            partnership=ncscp, recorded_on=date(2017, 1, 2), change="Data set agreed"
        )
    with recorded_at(2017, 5, 10, 9):
        cse = Audit.objects.create(
            partnership=ncscp,
            subject="Child Sexual Exploitation",
            year="2016/17",
            status="reported",
            reported_on=date(2017, 3, 1),
            summary="Toolkit use unclear",
        )
        Finding.objects.create(audit=cse, number=1, text="Toolkit unclear", grade="development")
        Finding.objects.create(audit=cse, number=2, text="Good voice", grade="strength")
        AuditRecommendation.objects.create(audit=cse, number=1, text="Clarify the toolkit")
        Audit.objects.create(
            partnership=ncscp,
            subject="Dip test CSE re toolkit compliance",
            year="2017/18",
            method="dip_test",
            planned_on=date(2017, 5, 1),
            follow_up_of=cse,
        )
        cycle = Section11Cycle.objects.create(
            partnership=ncscp, name="Section 11 2016", deadline=date(2016, 6, 30)
        )
        citycare = Agency.objects.create(name="Nottingham CityCare Partnership")
        assessment = SelfAssessment.objects.create(
            cycle=cycle,
            agency=citycare,
            submitted_on=date(2016, 6, 30),
            lines_total=57,
            compliant=55,
            partial=2,
            not_compliant=0,
        )
        LineOfEnquiry.objects.create(
            assessment=assessment, number="4.1", text="Level 2 training", rating="partial"
        )
        ImpactEntry.objects.create(
            partnership=ncscp, recorded_on=date(2017, 4, 2), change="CSE toolkit clarified"
        )
    with recorded_at(2017, 6, 20, 9):  # after the June deadline
        assessment.compliant, assessment.partial = 57, 0
        assessment.save()
        cse.summary = "Rewritten later"
        cse.save()
        Audit.objects.create(
            partnership=ncscp,
            subject="Children who go missing",
            year="2017/18",
            status="reported",
            reported_on=date(2017, 5, 20),
        )
    return earlier, cse


def test_the_section_reports_the_cycle_since_the_last_meeting(ncscp, meetings, history):
    first, second = meetings
    section = quality_section(ncscp, second.update_deadline, first)
    assert section["since"] == date(2017, 2, 2)
    assert [a["subject"] for a in section["reported"]] == ["Child Sexual Exploitation"]
    cse = section["reported"][0]
    assert cse["findings"] == 2 and cse["recommendations"] == 1
    assert cse["grades"] == [("Strength", 1), ("Area for development", 1)]
    assert cse["summary"] == "Toolkit use unclear"  # as it stood at the deadline
    dip = section["dip_tests"][0]
    assert dip["follows"] == "Child Sexual Exploitation" and dip["overdue"] is True
    s11 = section["section11"]
    assert s11["totals"]["compliant"] == 55 and s11["totals"]["partial"] == 2
    assert s11["totals"]["total"] == 57
    assert [gap["number"] for gap in s11["gaps"]] == ["4.1"]
    assert [e["change"] for e in section["impact"]] == ["CSE toolkit clarified"]


def test_a_past_pack_is_unchanged_by_later_edits_and_a_later_pack_sees_them(
    ncscp, meetings, history
):
    first, second = meetings
    later = quality_section(ncscp, date(2017, 7, 1), second)
    # Reported on 20 May but recorded after the June deadline: the July pack reports it.
    assert [a["subject"] for a in later["reported"]] == ["Children who go missing"]
    assert later["section11"]["totals"]["compliant"] == 57
    before = quality_section(ncscp, first.update_deadline)
    assert [a["subject"] for a in before["reported"]] == ["Medical Neglect"]
    assert before["section11"] is None and before["dip_tests"] == []  # not recorded yet


def test_the_pack_prints_the_section(ncscp, meetings, history):
    first, second = meetings
    html = render_pack_html(build_pack(second, partnership=ncscp))
    section = html[html.index('id="quality"') :]
    assert "Quality assurance and Section 11" in section
    assert "55 of 57 key lines of enquiry compliant, 2 partial, 0 not compliant" in section
    assert "Dip test CSE re toolkit compliance" in section and "Overdue" in section
    assert "Rewritten later" not in html
