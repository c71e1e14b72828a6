"""The QA programme and Section 11: who manages, the forms and their errors, recommendations
tracked as actions with sign-off, dip tests, the Section 11 summary, history and the demo."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from plans.models import Action, ActionParent, Agency, Rating, Role
from plans.updates import record_update
from quality.demo import load_quality
from quality.models import (
    Audit,
    AuditRecommendation,
    Finding,
    ImpactEntry,
    LineOfEnquiry,
    QaGroup,
    Section11Cycle,
    SelfAssessment,
    can_manage,
)
from reviews.models import CaseReview


@pytest.fixture
def qa(ncscp, qa_group):
    return QaGroup.objects.create(partnership=ncscp, group=qa_group)


@pytest.fixture
def audit(ncscp, qa):
    return Audit.objects.create(
        partnership=ncscp,
        subject="Child Sexual Exploitation",
        year="2016/17",
        status=Audit.Status.REPORTED,
        reported_on=date(2017, 2, 1),
    )


def recommend(audit, number=1, lead_group=None):
    recommendation = AuditRecommendation.objects.create(
        audit=audit, number=number, text=f"Clarify the toolkit {number}"
    )
    action = Action.objects.create(parent=recommendation, text=f"Dip test {number}")
    if lead_group is not None:
        action.lead_groups.add(lead_group)
    return recommendation, action


def audit_data(**extra):
    return {"subject": "Children who go missing", "method": "case_file", "year": "2017/18"} | {
        "status": "planned",
        **extra,
    }


# -- Who manages ----------------------------------------------------------------------------


def test_officers_and_the_qa_groups_chair_manage_others_read(
    client, ncscp, qa, officer, chair, viewer, outsider
):
    assert can_manage(officer, ncscp) and can_manage(chair, ncscp)
    assert not can_manage(viewer, ncscp) and not can_manage(outsider, ncscp)
    url = reverse("quality:audit_create", args=["NCSCP"])
    for user, code in ((officer, 200), (chair, 200), (viewer, 403), (outsider, 404)):
        client.force_login(user)
        assert client.get(url).status_code == code, user


def test_a_chair_of_another_group_does_not_manage(client, ncscp, qa, django_user_model):
    from plans.models import Group

    other = Group.objects.create(slug="t-other", name="Another subgroup")
    other.partnerships.add(ncscp)
    user = django_user_model.objects.create_user("t-other-chair")
    Role.objects.create(user=user, partnership=ncscp, kind=Role.Kind.CHAIR, group=other)
    assert not can_manage(user, ncscp)
    client.force_login(user)
    assert client.get(reverse("quality:programme", args=["NCSCP"])).status_code == 200
    assert client.get(reverse("quality:audit_create", args=["NCSCP"])).status_code == 403


def test_without_a_qa_group_only_officers_manage(ncscp, officer, chair):
    assert can_manage(officer, ncscp)
    assert not can_manage(chair, ncscp)


def test_only_officers_name_the_qa_group(client, ncscp, qa_group, officer, chair):
    url = reverse("quality:qa_group_edit", args=["NCSCP"])
    client.force_login(chair)
    assert client.post(url, {"group": qa_group.pk}).status_code == 403
    client.force_login(officer)
    assert client.post(url, {"group": qa_group.pk}).status_code == 302
    qa = QaGroup.objects.get(partnership=ncscp)
    assert qa.group == qa_group and qa.history.first().history_user == officer


# -- The programme and its forms -------------------------------------------------------------


def test_the_chair_adds_an_audit_with_history(client, ncscp, qa, chair):
    client.force_login(chair)
    response = client.post(reverse("quality:audit_create", args=["NCSCP"]), audit_data())
    audit = Audit.objects.get(subject="Children who go missing")
    assert response.status_code == 302 and response["Location"] == audit.get_absolute_url()
    assert audit.history.get().history_user == chair


def test_form_errors_say_what_and_where(client, ncscp, qa, officer):
    client.force_login(officer)
    url = reverse("quality:audit_create", args=["NCSCP"])
    html = client.post(url, audit_data(subject="", status="reported")).content.decode()
    assert "Enter the audit&#x27;s subject" in html
    assert "Enter the date reported, as the audit is reported" in html
    assert 'href="#id_subject"' in html and "govuk-error-summary" in html
    html = client.post(url, audit_data(status="cancelled", planned_on_0="31")).content.decode()
    assert "Planned date must include a month and year" in html
    assert "Enter why the audit was cancelled or postponed" in html
    assert not Audit.objects.exists()


def test_the_programme_groups_by_quarter_and_filters(client, ncscp, qa, viewer):
    for quarter, subject, method in ((2, "SGO", "case_file"), (3, "CSE dip", "dip_test")):
        Audit.objects.create(
            partnership=ncscp, subject=subject, year="2017/18", quarter=quarter, method=method
        )
    client.force_login(viewer)
    url = reverse("quality:programme", args=["NCSCP"])
    html = client.get(url).content.decode()
    assert html.index("2017/18 Q2") < html.index("SGO") < html.index("2017/18 Q3")
    html = client.get(url, {"method": "dip_test"}).content.decode()
    assert "CSE dip" in html and "SGO" not in html and "1 audit matching" in html
    assert "Add an audit" not in html  # a viewer reads only


def test_a_dip_test_follows_up_an_earlier_audit(client, audit, officer):
    client.force_login(officer)
    url = reverse("quality:audit_create", args=["NCSCP"])
    form = client.get(url, {"follow_up_of": audit.pk}).context["form"]
    assert form.initial["follow_up_of"] == audit.pk and form.initial["method"] == "dip_test"
    assert client.get(url, {"follow_up_of": "x"}).status_code == 200  # ignored, not an error
    data = audit_data(subject="Dip test CSE", method="dip_test", follow_up_of=audit.pk)
    client.post(url, data)
    dip = Audit.objects.get(subject="Dip test CSE")
    assert dip.follow_up_of == audit
    html = client.get(audit.get_absolute_url()).content.decode()
    assert "Dip test CSE" in html


def test_findings_are_numbered_and_graded(client, audit, officer):
    client.force_login(officer)
    url = reverse("quality:finding_add", args=[audit.pk])
    assert "Select the grade" in client.post(url, {"text": "x"}).content.decode()
    client.post(url, {"text": "Toolkit unclear", "grade": "development"})
    client.post(url, {"text": "Good chronologies", "grade": "strength"})
    assert list(audit.findings.values_list("number", "grade")) == [
        (1, "development"),
        (2, "strength"),
    ]


# -- Recommendations tracked as actions --------------------------------------------------------


def test_an_audit_recommendation_is_an_action_parent_of_its_own_kind(audit):
    recommendation, action = recommend(audit)
    parent = ActionParent.objects.get(pk=recommendation.pk)
    assert parent.kind == "auditrecommendation" and parent.child == recommendation
    assert parent.partnership_id == audit.partnership_id
    assert recommendation.source_kind == "audit"
    assert recommendation.container_label == "Child Sexual Exploitation"
    assert action.display_ref == f"A{audit.pk}.R1.1"


def test_the_chair_adds_a_recommendation_and_its_action(client, audit, chair, qa_group):
    client.force_login(chair)
    response = client.post(
        reverse("quality:recommendation_add", args=[audit.pk]), {"text": "Clarify the toolkit"}
    )
    recommendation = AuditRecommendation.objects.get(audit=audit)
    assert response["Location"].endswith("#recommendation-1")
    response = client.post(
        reverse("quality:action_add", args=[recommendation.pk]),
        {"text": "Dip test compliance", "timescale": "November 2017", "lead_groups": qa_group.pk},
    )
    action = recommendation.actions.get()
    assert response.status_code == 302
    assert action.due_date == date(2017, 11, 30)
    assert action.history.first().history_user == chair


def test_a_review_recommendations_parent_is_not_managed_here(client, seed, officer):
    parent = ActionParent.objects.filter(kind="recommendation").first()
    client.force_login(officer)
    assert client.get(reverse("quality:action_add", args=[parent.pk])).status_code == 404


def test_audit_actions_show_in_all_actions_my_actions_the_update_form_and_dashboard(
    client, audit, chair, qa_group
):
    _, action = recommend(audit, lead_group=qa_group)
    client.force_login(chair)
    assert "Dip test 1" in client.get(reverse("oversight:action_list")).content.decode()
    mine = client.get(reverse("oversight:my_actions") + "?show=all").content.decode()
    assert "Audit: Child Sexual Exploitation" in mine  # the card group's title
    assert "Dip test 1" in mine
    response = client.post(
        reverse("plans:action_update", args=[action.pk]),
        {"rating": "amber", "comment": "Toolkit refresh slipped"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.current_rating == Rating.AMBER
    dashboard = client.get(reverse("oversight:dashboard")).content.decode()
    assert "Audit recommendations and Section 11" in dashboard


def test_sign_off_waits_for_every_recommendation_then_locks_them(client, audit, officer):
    recommendation, action = recommend(audit)
    second, _ = recommend(audit, 2)
    client.force_login(officer)
    sign_off = reverse("quality:audit_sign_off", args=[audit.pk])
    response = client.post(sign_off, {"note": ""})
    assert response.status_code == 400
    assert "Every recommendation must be complete or closed" in response.content.decode()
    record_update(action, rating="complete", comment="Done, evidence seen", by=officer)
    close = reverse("quality:recommendation_close", args=[second.pk])
    assert "Enter how the intent was met" in client.post(close, {"reason": ""}).content.decode()
    client.post(close, {"reason": "Covered by the new CSE strategy"})
    assert client.post(sign_off, {"note": "Agreed at QA group"}).status_code == 302
    audit.refresh_from_db()
    assert audit.is_signed_off and audit.signed_off_by == officer
    with pytest.raises(ValidationError):
        second.reopen(by=officer)
    client.post(reverse("quality:audit_reopen", args=[audit.pk]), {"reason": "New finding"})
    audit.refresh_from_db()
    assert not audit.is_signed_off
    # History keeps the sign-off that was reopened.
    assert any(row.signed_off_at for row in audit.history.all())


def test_evidence_is_recorded_by_those_who_update_the_action(
    client, audit, chair, viewer, qa_group
):
    _, action = recommend(audit, lead_group=qa_group)
    url = reverse("quality:evidence_add", args=[action.pk])
    data = {
        f"a{action.pk}-summary": "Dip test report",
        f"a{action.pk}-seen_on_0": "1",
        f"a{action.pk}-seen_on_1": "12",
        f"a{action.pk}-seen_on_2": "2017",
    }
    client.force_login(viewer)
    assert client.post(url, data).status_code == 403
    client.force_login(chair)
    bad = client.post(url, {f"a{action.pk}-summary": ""})
    assert bad.status_code == 400
    assert client.post(url, data).status_code == 302
    assert action.evidence.get().summary == "Dip test report"


# -- Impact log -------------------------------------------------------------------------------


def test_the_impact_log_links_its_audit(client, audit, chair, viewer):
    client.force_login(chair)
    url = reverse("quality:impact_create", args=["NCSCP"])
    assert client.get(url, {"audit": audit.pk}).context["form"]["audit"].value() == audit.pk
    html = client.post(url, {"change": "x"}).content.decode()
    assert "Enter the date" in html
    data = {"recorded_on_0": "1", "recorded_on_1": "3", "recorded_on_2": "2017"}
    client.post(url, {**data, "change": "Toolkit clarified", "audit": audit.pk})
    entry = ImpactEntry.objects.get()
    assert entry.audit == audit and entry.history.get().history_user == chair
    client.force_login(viewer)
    html = client.get(reverse("quality:impact_log", args=["NCSCP"])).content.decode()
    assert "Toolkit clarified" in html and "Add to the impact log" not in html


# -- Section 11 -------------------------------------------------------------------------------


@pytest.fixture
def cycle(ncscp, qa):
    return Section11Cycle.objects.create(partnership=ncscp, name="Section 11 2016")


def agency_of(partnership, name):
    agency = Agency.objects.create(name=name)
    agency.partnerships.add(partnership)
    return agency


def test_the_summary_adds_up_reported_counts_across_agencies(client, ncscp, cycle, viewer):
    for name, counts in (("CityCare", (57, 55, 2, 0)), ("Police", (40, 38, 1, 1))):
        total, compliant, partial, missing = counts
        SelfAssessment.objects.create(
            cycle=cycle,
            agency=agency_of(ncscp, name),
            submitted_on=date(2016, 6, 1),
            lines_total=total,
            compliant=compliant,
            partial=partial,
            not_compliant=missing,
        )
    # Lines without a total, and an assessment not yet submitted, stay out of the totals.
    nuh = SelfAssessment.objects.create(
        cycle=cycle, agency=agency_of(ncscp, "NUH"), submitted_on=date(2016, 5, 1)
    )
    LineOfEnquiry.objects.create(assessment=nuh, number="1", text="Fathers", rating="partial")
    SelfAssessment.objects.create(cycle=cycle, agency=agency_of(ncscp, "Late"), lines_total=10)
    client.force_login(viewer)
    html = client.get(reverse("quality:cycle_detail", args=[cycle.pk])).content.decode()
    assert "93 of 97 compliant, 3 partial, 1 not compliant" in html
    assert "3 of 4 agencies submitted" in html and "1 recorded only some lines" in html
    assert "Fathers" in html  # a line not fully compliant is listed


def test_counts_must_add_up(client, ncscp, cycle, officer):
    agency = agency_of(ncscp, "CityCare")
    client.force_login(officer)
    url = reverse("quality:assessment_add", args=[cycle.pk])
    html = client.post(
        url, {"agency": agency.pk, "lines_total": "57", "compliant": "56", "partial": "2"}
    ).content.decode()
    assert "The counts add up to more than the number of key lines of enquiry" in html
    html = client.post(url, {"agency": agency.pk, "compliant": "5"}).content.decode()
    assert "Enter the number of key lines of enquiry, or no counts" in html
    html = client.post(url, {"agency": agency.pk, "lines_total": "many"}).content.decode()
    assert "Key lines of enquiry must be a whole number, like 57" in html
    assert not SelfAssessment.objects.exists()


def test_an_agency_is_assessed_once_per_cycle_and_its_actions_are_its_leads(
    client, ncscp, cycle, officer, django_user_model
):
    agency = agency_of(ncscp, "CityCare")
    client.force_login(officer)
    url = reverse("quality:assessment_add", args=[cycle.pk])
    client.post(url, {"agency": agency.pk, "lines_total": "57", "compliant": "55", "partial": "2"})
    assessment = SelfAssessment.objects.get()
    assert assessment.kind == "selfassessment" and assessment.history.count() == 1
    again = client.post(url, {"agency": agency.pk}).content.decode()
    assert "Select agency from the list" in again
    client.post(
        reverse("quality:line_add", args=[assessment.pk]),
        {"number": "4.1", "text": "Level 2 training", "rating": "partial"},
    )
    dup = client.post(
        reverse("quality:line_add", args=[assessment.pk]),
        {"number": "4.1", "text": "Again", "rating": "partial"},
    )
    assert "Line 4.1 is already recorded" in dup.content.decode()
    client.post(
        reverse("quality:action_add", args=[assessment.pk]),
        {"text": "Submit in June 2017", "timescale": "June 2017"},
    )
    action = assessment.actions.get()
    lead = django_user_model.objects.create_user("t-citycare")
    Role.objects.create(user=lead, partnership=ncscp, kind=Role.Kind.AGENCY_LEAD, agency=agency)
    assert Action.objects.editable_by(lead).filter(pk=action.pk).exists()
    client.force_login(lead)
    page = client.get(reverse("quality:assessment_detail", args=[assessment.pk]))
    assert "Submit in June 2017" in page.content.decode()


# -- Queries ----------------------------------------------------------------------------------


def test_pages_do_not_query_per_row(client, audit, cycle, ncscp, officer, qa_group):
    for number in range(1, 13):
        recommendation, action = recommend(audit, number, lead_group=qa_group)
        Finding.objects.create(audit=audit, number=number, text="f", grade="strength")
    for n in range(12):
        Audit.objects.create(partnership=ncscp, subject=f"A{n}", year="2017/18", quarter=1 + n % 4)
        SelfAssessment.objects.create(cycle=cycle, agency=agency_of(ncscp, f"Ag{n}"))
    client.force_login(officer)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for url in (
        reverse("quality:programme", args=["NCSCP"]),
        audit.get_absolute_url(),
        reverse("quality:cycle_detail", args=[cycle.pk]),
        reverse("quality:cycle_list", args=["NCSCP"]),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) <= 30, (url, len(queries))


# -- Demo -------------------------------------------------------------------------------------


def test_the_demo_carries_the_annual_reports_programme_and_section_11(
    seed, settings, client, django_user_model
):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    call_command("load_demo_quality", verbosity=0)
    programme = Audit.objects.filter(year="2017/18")
    assert programme.count() == 6
    sgo = programme.get(subject="Children placed under SGO")
    assert (sgo.quarter, sgo.timing_text, sgo.review.code) == (2, "Q2 28September 2017", "Child J")
    dip = programme.get(subject="Dip test CSE re toolkit compliance")
    assert dip.follow_up_of.subject == "Child Sexual Exploitation"
    assert dip.theme == "Linked to findings of earlier audit"
    assert ImpactEntry.objects.count() == 7
    citycare = SelfAssessment.objects.get(agency__name="Nottingham CityCare Partnership")
    assert citycare.figures()["compliant"] == 55 and citycare.figures()["total"] == 57
    assert set(citycare.lines.values_list("number", flat=True)) == {"4.1", "9.1"}
    assert not CaseReview.objects.filter(code__icontains="family")  # a case code, no names
    assert load_quality() == []  # a second run adds nothing
    client.force_login(django_user_model.objects.get(username="viewer"))
    html = client.get(reverse("quality:programme", args=["NCSCP"])).content.decode()
    assert "Children placed under SGO" in html and "Child J" in html
    cycle = Section11Cycle.objects.get()
    html = client.get(reverse("quality:cycle_detail", args=[cycle.pk])).content.decode()
    assert "55 of 57 compliant, 2 partial" in html


def test_all_actions_filters_by_the_new_sources(client, audit, cycle, ncscp, officer):
    _, action = recommend(audit)
    assessment = SelfAssessment.objects.create(cycle=cycle, agency=agency_of(ncscp, "CityCare"))
    Action.objects.create(parent=assessment, text="Submit in June 2017")
    client.force_login(officer)
    url = reverse("oversight:action_list")
    audits = client.get(url, {"source": "auditrecommendation"}).content.decode()
    assert "Dip test 1" in audits and "Submit in June 2017" not in audits
    s11 = client.get(url, {"source": "selfassessment"}).content.decode()
    assert "Submit in June 2017" in s11 and "Dip test 1" not in s11


# -- Changing findings, recommendations and lines of enquiry after they are added --------------


def test_a_finding_is_changed_in_place_and_the_change_is_in_its_history(client, audit, officer):
    finding = Finding.objects.create(audit=audit, number=1, text="Toolkit unclr", grade="concern")
    client.force_login(officer)
    url = reverse("quality:finding_edit", args=[finding.pk])
    form = client.get(url).context["form"]
    assert form.initial == {"text": "Toolkit unclr", "grade": "concern"}
    assert (
        "Enter the finding" in client.post(url, {"text": " ", "grade": "concern"}).content.decode()
    )
    response = client.post(url, {"text": "Toolkit unclear", "grade": "development"})
    assert response.url == f"{audit.get_absolute_url()}#finding-1"
    finding.refresh_from_db()
    assert (finding.number, finding.text, finding.grade) == (1, "Toolkit unclear", "development")
    newest = finding.history.first()
    assert newest.history_type == "~" and newest.history_user == officer
    assert newest.prev_record.text == "Toolkit unclr"  # the old wording is kept, not rewritten
    html = client.get(audit.get_absolute_url()).content.decode()
    assert "Toolkit unclear" in html and url in html


def test_sending_a_change_form_back_unchanged_records_nothing(client, audit, officer):
    finding = Finding.objects.create(audit=audit, number=1, text="Same", grade="strength")
    client.force_login(officer)
    url = reverse("quality:finding_edit", args=[finding.pk])
    response = client.post(url, {"text": "Same", "grade": "strength"}, follow=True)
    assert "Finding 1 is unchanged: there was nothing to save" in response.content.decode()
    assert finding.history.count() == 1


def test_a_recommendation_is_reworded_and_relinked_within_its_own_audit(
    client, audit, ncscp, officer
):
    recommendation, _action = recommend(audit)
    finding = Finding.objects.create(audit=audit, number=1, text="Toolkit", grade="concern")
    other = Audit.objects.create(partnership=ncscp, subject="Other", year="2017/18")
    elsewhere = Finding.objects.create(audit=other, number=1, text="Elsewhere", grade="concern")
    agency = agency_of(ncscp, "CityCare")
    client.force_login(officer)
    url = reverse("quality:recommendation_edit", args=[recommendation.pk])
    refused = client.post(url, {"text": "Reworded", "finding": elsewhere.pk})
    assert "Select the finding from the list" in refused.content.decode()
    client.post(url, {"text": "Reworded", "finding": finding.pk, "agency": agency.pk})
    recommendation.refresh_from_db()
    assert (recommendation.text, recommendation.finding, recommendation.agency) == (
        "Reworded",
        finding,
        agency,
    )
    assert recommendation.number == 1 and recommendation.history.first().history_user == officer
    assert recommendation.actions.count() == 1  # its actions stay with it


def test_a_line_of_enquiry_keeps_its_number_unless_another_line_has_the_new_one(
    client, ncscp, cycle, officer
):
    assessment = SelfAssessment.objects.create(cycle=cycle, agency=agency_of(ncscp, "CityCare"))
    line = LineOfEnquiry.objects.create(
        assessment=assessment, number="4.1", text="Level 2 training", rating="partial"
    )
    LineOfEnquiry.objects.create(
        assessment=assessment, number="4.2", text="Audit", rating="compliant"
    )
    client.force_login(officer)
    url = reverse("quality:line_edit", args=[line.pk])
    same_number = {"number": "4.1", "text": "Level 3 training", "rating": "compliant"}
    assert client.post(url, same_number).status_code == 302
    clash = client.post(url, {**same_number, "number": "4.2"})
    assert "Line 4.2 is already recorded" in clash.content.decode()
    line.refresh_from_db()
    assert (line.number, line.text, line.rating) == ("4.1", "Level 3 training", "compliant")
    html = client.get(assessment.get_absolute_url()).content.decode()
    assert url in html


def test_only_managers_change_findings_and_lines(client, audit, ncscp, cycle, viewer):
    finding = Finding.objects.create(audit=audit, number=1, text="Kept", grade="strength")
    assessment = SelfAssessment.objects.create(cycle=cycle, agency=agency_of(ncscp, "CityCare"))
    line = LineOfEnquiry.objects.create(
        assessment=assessment, number="1", text="L", rating="compliant"
    )
    client.force_login(viewer)
    for url in (
        reverse("quality:finding_edit", args=[finding.pk]),
        reverse("quality:line_edit", args=[line.pk]),
    ):
        assert client.post(url, {"text": "Changed", "grade": "concern"}).status_code == 403
    assert Finding.objects.get().text == "Kept" and LineOfEnquiry.objects.get().text == "L"
    html = client.get(audit.get_absolute_url()).content.decode()
    assert reverse("quality:finding_edit", args=[finding.pk]) not in html
