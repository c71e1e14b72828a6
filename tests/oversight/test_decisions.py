"""BMG's decisions log (oversight/decisions.py, pack_decisions.py, the pages): a decision that
needs doing becomes an ordinary tracked action, listed and updated like any other, and comes
back in the next meeting's pack with its rating and latest comment as at that pack's moment."""

from datetime import date

import pytest
from django.urls import reverse

from oversight.cycle import cutoff
from oversight.decisions import record_decision
from oversight.models import Decision, Meeting
from oversight.pack import build_pack, render_pack_html
from oversight.pack_decisions import decisions_section
from plans.models import Action, ActionParent, Agency, Group, Rating
from plans.updates import record_update
from tests.oversight.test_pack import at, recorded_at


@pytest.fixture
def bmg(seed):
    return Group.objects.get(slug="ncscp-bmg")


@pytest.fixture
def meetings(bmg):
    with recorded_at(at(2021, 1, 4, 9)):
        first = Meeting.objects.create(
            group=bmg, date=date(2021, 2, 17), update_deadline=date(2021, 2, 3)
        )
        second = Meeting.objects.create(
            group=bmg, date=date(2021, 6, 16), update_deadline=date(2021, 6, 2)
        )
    return first, second


def posted(**fields):
    data = {
        "text": "Raise health representation with the ICB",
        "needs_action": "yes",
        "action_text": "Write to the ICB",
        "lead_group": Group.objects.get(slug="ncscp-childrens-qa").pk,
        "lead_agency": "",
        "due_date_0": "31",
        "due_date_1": "3",
        "due_date_2": "2021",
    }
    return data | fields


def add_url(meeting):
    return reverse("oversight:decision_add", args=[meeting.pk])


def test_an_officer_records_a_decision_that_becomes_a_tracked_action(client, officer, meetings):
    client.force_login(officer)
    response = client.post(add_url(meetings[0]), posted())
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.number, decision.needs_action, decision.kind) == (1, True, "decision")
    assert decision.history.get().history_user == officer
    action = decision.actions.get()
    assert action.text == "Write to the ICB"
    assert action.due_date == date(2021, 3, 31)
    assert [g.slug for g in action.lead_groups.all()] == ["ncscp-childrens-qa"]
    assert action.history.first().history_user == officer
    assert ActionParent.objects.get(pk=decision.pk).child == decision


def test_a_decisions_action_is_listed_and_updated_like_any_other(
    client, officer, chair, viewer, meetings
):
    client.force_login(officer)
    client.post(add_url(meetings[0]), posted(action_text="Chase the Section 11 returns"))
    action = Action.objects.get(parent__kind="decision")
    assert Action.objects.visible_to(viewer).filter(pk=action.pk).exists()
    assert Action.objects.editable_by(chair).filter(pk=action.pk).exists()  # QA leads it
    assert not Action.objects.editable_by(viewer).filter(pk=action.pk).exists()
    client.force_login(chair)
    assert (
        "Chase the Section 11 returns"
        in client.get(reverse("oversight:action_list")).content.decode()
    )
    mine = client.get(reverse("oversight:my_actions"), {"show": "all"}).content.decode()
    assert "Chase the Section 11 returns" in mine
    assert "BMG decisions, 17 February 2021" in mine
    response = client.post(
        reverse("plans:action_update", args=[action.pk]),
        {"rating": "green", "comment": "Returns chased"},
    )
    assert response.status_code == 302
    assert Action.objects.get(pk=action.pk).current_rating == Rating.GREEN
    dashboard = client.get(reverse("oversight:dashboard")).content.decode()
    assert "BMG decisions, 17 February 2021" in dashboard


def test_a_decision_needing_no_action_is_in_the_log_only(client, officer, meetings):
    client.force_login(officer)
    client.post(
        add_url(meetings[0]), posted(text="The annual report is approved", needs_action="no")
    )
    decision = Decision.objects.get()
    assert not decision.actions.exists()
    log = client.get(reverse("oversight:decision_log", args=[meetings[0].pk])).content.decode()
    assert "The annual report is approved" in log
    assert "No action: recorded for the log only." in log


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"lead_group": ""}, "lead_group", "Select the group or agency that will lead it"),
        (
            {"due_date_0": "", "due_date_1": "", "due_date_2": ""},
            "due_date",
            "Enter the date it is due by",
        ),
        ({"due_date_0": "31", "due_date_1": "2"}, "due_date", "Due date must be a real date"),
        ({"text": ""}, "text", "Enter the decision"),
        ({"needs_action": ""}, "needs_action", "Select whether the decision needs doing"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    client, officer, meetings, fields, field, message
):
    client.force_login(officer)
    response = client.post(add_url(meetings[0]), posted(**fields))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'href="#id_{field}"' in html
    assert (
        not Decision.objects.exists()
        and not Action.objects.filter(parent__kind="decision").exists()
    )


def test_an_agency_may_lead_instead_of_a_group(client, officer, meetings):
    agency = Agency.objects.filter(partnerships__short_name="NCSCP").first()
    client.force_login(officer)
    client.post(add_url(meetings[0]), posted(lead_group="", lead_agency=agency.pk))
    action = Action.objects.get(parent__kind="decision")
    assert list(action.lead_agencies.all()) == [agency]
    assert action.lead_text == agency.name


def test_editing_brings_the_action_up_to_date_and_refuses_to_drop_it(client, officer, meetings):
    client.force_login(officer)
    client.post(add_url(meetings[0]), posted())
    decision = Decision.objects.get()
    url = reverse("oversight:decision_edit", args=[decision.pk])
    form = client.get(url).content.decode()
    assert "Write to the ICB" in form  # the action's words come back in the form
    client.post(url, posted(action_text="Write to the ICB again", due_date_1="4", due_date_0="30"))
    action = decision.actions.get()
    assert (action.text, action.due_date) == ("Write to the ICB again", date(2021, 4, 30))
    response = client.post(url, posted(needs_action="no"))
    assert "already has a tracked action" in response.content.decode()
    assert Decision.objects.get().needs_action


@pytest.mark.parametrize("who", ["chair", "viewer"])
def test_only_officers_record_or_change_decisions(client, request, officer, meetings, who):
    decision = record_decision(
        meetings[0], meetings[0].group.partnerships.get(), posted_data(), by=officer
    )
    client.force_login(request.getfixturevalue(who))
    assert client.post(add_url(meetings[0]), posted()).status_code == 403
    edit = reverse("oversight:decision_edit", args=[decision.pk])
    assert client.post(edit, posted(text="Changed")).status_code == 403
    assert Decision.objects.get().text == "Raise health representation with the ICB"
    assert client.get(reverse("oversight:decision_log", args=[meetings[0].pk])).status_code == 200


def test_another_partnerships_officer_gets_404(client, outsider, officer, meetings):
    client.force_login(outsider)
    assert client.get(reverse("oversight:decision_log", args=[meetings[0].pk])).status_code == 404
    assert client.post(add_url(meetings[0]), posted()).status_code == 404


def posted_data(**fields):
    return {
        "text": "Raise health representation with the ICB",
        "needs_action": "yes",
        "action_text": "Write to the ICB",
        "lead_group": Group.objects.get(slug="ncscp-childrens-qa"),
        "lead_agency": None,
        "due_date": date(2021, 3, 31),
    } | fields


# -- Back in the next meeting's pack ----------------------------------------------------------


@pytest.fixture
def decided(meetings, officer, django_user_model):
    """Two decisions at the February meeting (one needing doing), rated Amber in May, then
    Green after the June deadline; a decision recorded after the deadline that the pack must
    not see."""
    first, _second = meetings
    partnership = first.group.partnerships.get()
    with recorded_at(at(2021, 2, 19, 9)):
        doing = record_decision(first, partnership, posted_data(), by=officer)
        record_decision(
            first,
            partnership,
            posted_data(text="Annual report approved", needs_action="no"),
            by=officer,
        )
    action = doing.actions.get()
    with recorded_at(at(2021, 5, 10, 9)):
        record_update(action, rating=Rating.AMBER, comment="Letter sent", by=officer)
    with recorded_at(at(2021, 6, 10, 9)):
        record_update(action, rating=Rating.GREEN, comment="Reply received", by=officer)
        record_decision(first, partnership, posted_data(text="Late entry"), by=officer)
    return meetings


def test_the_next_pack_lists_the_actions_with_rating_and_comment_as_at_its_deadline(decided):
    _first, second = decided
    section = decisions_section(decided[0], cutoff(second.update_deadline))
    assert [d["text"] for d in section["decisions"]] == ["Raise health representation with the ICB"]
    (row,) = section["decisions"][0]["actions"]
    assert (row["rating"], row["comment"], row["lead"]) == (
        Rating.AMBER,
        "Letter sent",
        "Children's Quality Assurance and Performance subgroup (Children's QA)",
    )
    later = decisions_section(decided[0], cutoff(date(2021, 6, 20)))
    assert later["decisions"][0]["actions"][0]["comment"] == "Reply received"
    assert len(later["decisions"]) == 2  # the late entry, once recorded


def test_the_pack_prints_the_section_and_reads_the_same_later(decided):
    _first, second = decided
    partnership = second.group.partnerships.get()
    now = at(2021, 7, 1, 9)
    html = render_pack_html(build_pack(second, partnership=partnership, now=now))
    section = html[html.index('id="last-meeting-actions"') :]
    section = section[: section.index("</section>")]
    assert "Actions from the last meeting" in section
    assert "Write to the ICB" in section and "Letter sent" in section and "Amber" in section
    assert "Annual report approved" not in section  # needed no doing: in the log only
    assert "Late entry" not in section and "Reply received" not in section
    with recorded_at(at(2021, 6, 25, 9)):
        Decision.objects.filter(text="Late entry").get().actions.get().withdraw(
            "Not needed", by=None
        )
    assert render_pack_html(build_pack(second, partnership=partnership, now=now)) == html


def test_a_first_meeting_has_nothing_to_report_back(decided):
    first, _second = decided
    partnership = first.group.partnerships.get()
    html = render_pack_html(build_pack(first, partnership=partnership, now=at(2021, 7, 1, 9)))
    section = html[html.index('id="last-meeting-actions"') :]
    section = section[: section.index("</section>")]
    assert "No previous meeting recorded: nothing to report." in section


def test_the_log_shows_the_history_with_the_acting_user(client, officer, decided):
    client.force_login(officer)
    html = client.get(reverse("oversight:decision_log", args=[decided[0].pk])).content.decode()
    history = html[html.index("Change history") :]
    assert officer.get_username() in history or officer.get_full_name() in history
    assert "Added decision 1" in history


def test_a_decision_of_another_kind_of_meeting_has_no_log(client, officer, seed):
    omg = Group.objects.get(slug="ncscp-omg")
    meeting = Meeting.objects.create(
        group=omg, date=date(2021, 6, 16), update_deadline=date(2021, 6, 2)
    )
    client.force_login(officer)
    assert client.get(reverse("oversight:decision_log", args=[meeting.pk])).status_code == 404


def test_once_its_action_is_withdrawn_a_decision_may_need_no_doing(client, officer, meetings):
    client.force_login(officer)
    client.post(add_url(meetings[0]), posted())
    decision = Decision.objects.get()
    decision.actions.get().withdraw("Overtaken by the new plan", by=officer)
    url = reverse("oversight:decision_edit", args=[decision.pk])
    assert client.post(url, posted(needs_action="no")).status_code == 302
    assert not Decision.objects.get().needs_action
    client.post(url, posted(action_text="A fresh action"))
    live = decision.actions.filter(withdrawn_on__isnull=True)
    assert [a.text for a in live] == ["A fresh action"]
    assert decision.actions.count() == 2  # the withdrawn one stays, with its reason


def test_a_long_decision_is_shortened_to_whole_words_in_its_label(client, officer, meetings):
    """Cards and headings name a decision by its first words, with an ellipsis when cut."""
    client.force_login(officer)
    long_text = (
        "Health representation at the subgroup to be raised with the ICB by the chair, "
        "with a reply reported to the next meeting"
    )
    client.post(add_url(meetings[0]), posted(text=long_text))
    label = Decision.objects.get().section_label
    assert label == (
        "Decision 1: Health representation at the subgroup to be raised with the ICB by the chair,…"
    )
    client.post(add_url(meetings[0]), posted(text="Agree the plan"))
    assert Decision.objects.get(number=2).section_label == "Decision 2: Agree the plan"
