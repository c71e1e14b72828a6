"""Sub-group highlight reports to BMG (oversight/highlights.py, pack_reports.py, the pages):
which groups owe one, who may write it and until when, officers' marked corrections, the
missing list, and the pack's section as at its moment."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from oversight.cycle import cutoff
from oversight.highlights import permission, reporting_groups, reports_due_for
from oversight.models import HighlightReport, Meeting
from oversight.pack import build_pack, render_pack_html
from oversight.pack_reports import reports_section
from plans.models import Group, Role
from tests.conftest import make_user
from tests.oversight.test_pack import at, recorded_at

DEADLINE = date(2021, 6, 2)


def group(name, kind, parent, *partnerships):
    made = Group.objects.create(name=name, kind=kind, parent=parent)
    made.partnerships.set(partnerships)
    return made


class Tree:
    """A partnership's groups: BMG, and under it an OMG, two sub-groups (one with a working
    group below it) and a panel; a cross-authority sub-group under no group; a free-standing
    working group. Recorded in January 2021, before any meeting."""


@pytest.fixture
def tree(ncscp, nscp, django_user_model):
    t = Tree()
    with recorded_at(at(2021, 1, 4, 9)):
        t.board = group("Board", Group.Kind.BOARD, None, ncscp)
        t.bmg = group("BMG", Group.Kind.BMG, t.board, ncscp)
        t.omg = group("OMG", Group.Kind.OMG, t.bmg, ncscp)
        t.qa = group("QA subgroup", Group.Kind.SUBGROUP, t.bmg, ncscp)
        t.training = group("Training subgroup", Group.Kind.SUBGROUP, t.qa, ncscp)
        t.cdop = group("CDOP", Group.Kind.PANEL, t.bmg, ncscp)
        t.cse = group("Cross-authority CSE group", Group.Kind.SUBGROUP, None, ncscp, nscp)
        t.loose = group("Loose working group", Group.Kind.WORKING_GROUP, None, ncscp)
        t.other_bmg = group("Other BMG", Group.Kind.BMG, None, nscp)
        t.past = Meeting.objects.create(
            group=t.bmg, date=date(2021, 6, 16), update_deadline=DEADLINE
        )
    today = timezone.localdate()
    t.coming = Meeting.objects.create(
        group=t.bmg, date=today + timedelta(days=30), update_deadline=today + timedelta(days=16)
    )
    t.partnership = ncscp
    t.officer = make_user(django_user_model, "t-officer", ncscp, Role.Kind.BOARD_OFFICER)
    t.chair = make_user(django_user_model, "t-chair", ncscp, Role.Kind.CHAIR, group=t.qa)
    t.cse_chair = make_user(django_user_model, "t-cse", ncscp, Role.Kind.CHAIR, group=t.cse)
    t.viewer = make_user(django_user_model, "t-viewer", ncscp, Role.Kind.VIEWER)
    t.outsider = make_user(django_user_model, "t-outsider", nscp, Role.Kind.BOARD_OFFICER)
    return t


def names(groups):
    return [g["name"] for g in groups]


def write_url(meeting, group):
    return reverse("oversight:report_write", args=[meeting.pk, group.slug])


FIELDS = {
    "progress": "Audit of neglect cases done",
    "risks": "Late returns",
    "escalations": "Health attendance",
    "asks": "Write to the ICB",
}


# -- Who owes a report ------------------------------------------------------------------------


def test_the_groups_directly_under_bmg_and_free_standing_sub_groups_owe_a_report(tree):
    owing = names(reporting_groups(tree.past, tree.partnership))
    # Not the OMG, the board, a group under a sub-group, or a free-standing working group.
    assert owing == ["CDOP", "Cross-authority CSE group", "QA subgroup"]


def test_the_owing_groups_are_read_as_the_tree_stood_at_the_moment(tree):
    with recorded_at(at(2021, 7, 1, 9)):
        tree.cdop.parent = tree.qa  # reorganised after the June deadline
        tree.cdop.save()
    assert "CDOP" in names(reporting_groups(tree.past, tree.partnership, cutoff(DEADLINE)))
    assert "CDOP" not in names(reporting_groups(tree.past, tree.partnership))


# -- Who may write it, and until when ------------------------------------------------------------


def test_the_chair_writes_their_groups_report_before_the_deadline(client, tree):
    client.force_login(tree.chair)
    response = client.post(write_url(tree.coming, tree.qa), FIELDS)
    assert response.status_code == 302
    report = HighlightReport.objects.get(meeting=tree.coming, group=tree.qa)
    assert report.progress == FIELDS["progress"]
    record = report.history.get()
    assert record.history_user == tree.chair
    assert record.history_change_reason is None  # not a correction


def test_the_chair_changes_it_until_the_deadline_and_history_keeps_both(client, tree):
    client.force_login(tree.chair)
    client.post(write_url(tree.coming, tree.qa), FIELDS)
    client.post(write_url(tree.coming, tree.qa), FIELDS | {"progress": "Second go"})
    report = HighlightReport.objects.get(meeting=tree.coming, group=tree.qa)
    assert report.progress == "Second go"
    assert [r.progress for r in report.history.order_by("history_date")] == [
        FIELDS["progress"],
        "Second go",
    ]


def test_a_chair_cannot_write_another_groups_report(client, tree):
    client.force_login(tree.chair)
    assert client.get(write_url(tree.coming, tree.cdop)).status_code == 403
    assert client.post(write_url(tree.coming, tree.cdop), FIELDS).status_code == 403
    assert not HighlightReport.objects.exists()


def test_after_the_deadline_the_chair_is_refused_and_told_to_ask_an_officer(client, tree):
    client.force_login(tree.chair)
    response = client.post(write_url(tree.past, tree.qa), FIELDS)
    assert response.status_code == 403
    assert not HighlightReport.objects.exists()
    allowed = permission(tree.chair, tree.past, tree.partnership, tree.qa)
    assert not allowed.allowed and "board officer" in allowed.reason


def test_the_deadline_day_counts_in_full(tree):
    last_minute = cutoff(tree.coming.update_deadline) - timedelta(minutes=1)
    assert permission(tree.chair, tree.coming, tree.partnership, tree.qa, now=last_minute).allowed
    too_late = cutoff(tree.coming.update_deadline)
    assert not permission(tree.chair, tree.coming, tree.partnership, tree.qa, now=too_late).allowed


def test_an_officers_change_after_the_deadline_is_a_marked_correction(client, tree):
    with recorded_at(at(2021, 5, 20, 9)):
        HighlightReport(meeting=tree.past, group=tree.qa, **FIELDS).save_by(tree.chair)
    client.force_login(tree.officer)
    response = client.post(write_url(tree.past, tree.qa), FIELDS | {"progress": "Corrected"})
    assert response.status_code == 302
    records = HighlightReport.objects.get().history.order_by("history_date")
    assert [r.history_change_reason for r in records] == [None, HighlightReport.CORRECTION]
    assert records.last().history_user == tree.officer
    page = client.get(reverse("oversight:report_detail", args=[tree.past.pk, tree.qa.slug]))
    assert "Correction after the deadline" in page.content.decode()


def test_an_officer_before_the_deadline_writes_without_a_correction_mark(client, tree):
    client.force_login(tree.officer)
    client.post(write_url(tree.coming, tree.cdop), FIELDS)
    assert HighlightReport.objects.get().history.get().history_change_reason is None


@pytest.mark.parametrize(("who", "code"), [("viewer", 403), ("outsider", 404)])
def test_readers_and_other_partnerships_cannot_write(client, tree, who, code):
    client.force_login(getattr(tree, who))
    assert client.post(write_url(tree.coming, tree.qa), FIELDS).status_code == code
    assert not HighlightReport.objects.exists()


def test_a_group_that_owes_no_report_has_no_report_page(client, tree):
    client.force_login(tree.officer)
    assert client.get(write_url(tree.coming, tree.training)).status_code == 404
    assert client.get(write_url(tree.coming, tree.omg)).status_code == 404


def test_an_empty_progress_gets_a_clear_message(client, tree):
    client.force_login(tree.chair)
    response = client.post(write_url(tree.coming, tree.qa), FIELDS | {"progress": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter the group&#x27;s progress since the last meeting" in html
    assert 'href="#id_progress"' in html
    assert not HighlightReport.objects.exists()


# -- The meeting page and My actions --------------------------------------------------------


def test_the_meeting_page_lists_reports_received_and_missing(client, tree):
    HighlightReport(meeting=tree.coming, group=tree.cdop, **FIELDS).save_by(tree.officer)
    client.force_login(tree.viewer)
    html = client.get(reverse("oversight:meeting_detail", args=[tree.coming.pk])).content.decode()
    assert "3 groups report to BMG; 2 reports missing." in html
    section = html[html.index("Highlight reports from the sub-groups") :]
    assert section.count("Received") == 1 and section.count("Missing") == 2
    assert "Highlight report due" not in html  # the viewer chairs nothing


def test_the_chair_is_prompted_until_the_report_is_written(client, tree):
    client.force_login(tree.chair)
    meeting_url = reverse("oversight:meeting_detail", args=[tree.coming.pk])
    assert "Highlight report due" in client.get(meeting_url).content.decode()
    my_actions = client.get(reverse("oversight:my_actions")).content.decode()
    assert "Highlight report due" in my_actions
    assert write_url(tree.coming, tree.qa) in my_actions
    client.post(write_url(tree.coming, tree.qa), FIELDS)
    assert "Highlight report due" not in client.get(meeting_url).content.decode()
    assert (
        "Highlight report due" not in client.get(reverse("oversight:my_actions")).content.decode()
    )


def test_reports_due_names_only_the_chairs_groups(tree):
    due = reports_due_for(tree.cse_chair)
    assert [(d["meeting"], d["name"]) for d in due] == [(tree.coming, "Cross-authority CSE group")]
    assert reports_due_for(tree.viewer) == []


# -- The pack ---------------------------------------------------------------------------------


def test_the_pack_prints_reports_as_at_its_moment_and_lists_the_missing(tree):
    with recorded_at(at(2021, 5, 20, 9)):
        HighlightReport(meeting=tree.past, group=tree.qa, **FIELDS).save_by(tree.chair)
    with recorded_at(at(2021, 6, 5, 9)):  # after the deadline: a correction, and a late one
        report = HighlightReport.objects.get()
        report.progress = "Corrected later"
        report.save_by(tree.officer, correction=True)
        HighlightReport(meeting=tree.past, group=tree.cdop, **FIELDS).save_by(tree.officer)
    section = reports_section(tree.past, tree.partnership, cutoff(DEADLINE))
    assert [(r["group"], r["progress"], r["corrected"]) for r in section["reports"]] == [
        ("QA subgroup", FIELDS["progress"], False)
    ]
    assert section["missing"] == ["CDOP", "Cross-authority CSE group"]
    later = reports_section(tree.past, tree.partnership, cutoff(date(2021, 6, 10)))
    assert [(r["group"], r["progress"], r["corrected"]) for r in later["reports"]] == [
        ("CDOP", FIELDS["progress"], False),
        ("QA subgroup", "Corrected later", True),
    ]
    assert later["missing"] == ["Cross-authority CSE group"]


def test_a_past_pack_reads_the_same_after_later_changes(tree):
    with recorded_at(at(2021, 5, 20, 9)):
        HighlightReport(meeting=tree.past, group=tree.qa, **FIELDS).save_by(tree.chair)
    now = at(2021, 7, 1, 9)
    before = render_pack_html(build_pack(tree.past, partnership=tree.partnership, now=now))
    with recorded_at(at(2021, 6, 20, 9)):
        report = HighlightReport.objects.get()
        report.asks = "A later ask"
        report.save_by(tree.officer, correction=True)
    after = render_pack_html(build_pack(tree.past, partnership=tree.partnership, now=now))
    assert before == after
    assert "Write to the ICB" in after and "A later ask" not in after
    assert "Reports missing (2)" in after


def test_a_pack_with_no_reporting_groups_says_nothing_to_report(nscp, tree):
    with recorded_at(at(2021, 1, 4, 9)):
        lone = group("Lone BMG", Group.Kind.BMG, None, nscp)
        meeting = Meeting.objects.create(
            group=lone, date=date(2021, 6, 16), update_deadline=DEADLINE
        )
    # The cross-authority CSE group serves NSCP too, and is under no group: it owes a report.
    with recorded_at(at(2021, 1, 5, 9)):
        tree.cse.partnerships.set([tree.partnership])
    html = render_pack_html(build_pack(meeting, partnership=nscp, now=at(2021, 7, 1, 9)))
    section = html[html.index('id="highlight-reports"') :]
    section = section[: section.index("</section>")]
    assert "No sub-group reports to this meeting: nothing to report." in section
    assert "<table" not in section
