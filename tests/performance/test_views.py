"""The data set's pages: who reads and who manages, the scorecard, a measure's trend and
history, entering a period's values, and the demo."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from performance.demo import load_performance
from performance.models import Measure, MeasureValue, can_manage

from .conftest import make_measure

Q1, Q2, Q3 = date(2016, 4, 1), date(2016, 7, 1), date(2016, 10, 1)


@pytest.fixture
def measure(ncscp, officer):
    found = make_measure(ncscp)
    found.record(Q1, by=officer, value=Decimal("22.4"), commentary="Above target")
    found.record(Q2, by=officer, missing_reason="Case-management system change")
    found.record(Q3, by=officer, value=Decimal("19.5"))
    return found


def test_recording_keeps_history_with_the_person_and_says_what_changed(measure, officer, chair):
    row = measure.values.get(period_start=Q3)
    assert row.history.count() == 1 and row.history.get().history_user == officer
    _, what = measure.record(Q3, by=chair, value=Decimal("19.5"), commentary="")
    assert what == "unchanged"
    _, what = measure.record(Q3, by=chair, value=Decimal("18"), commentary="Corrected")
    assert what == "changed"
    assert [h.history_user for h in row.history.order_by("history_id")] == [officer, chair]
    assert [h.value for h in row.history.order_by("history_id")] == [Decimal("19.5"), 18]


def test_a_missing_value_must_say_why(measure, officer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Say why the value is missing"):
        measure.record(date(2017, 1, 1), by=officer, value=None, missing_reason="")
    assert not measure.values.filter(period_start=date(2017, 1, 1)).exists()


def test_the_tolerance_must_sit_on_the_worse_side_of_the_target(ncscp):
    from django.core.exceptions import ValidationError

    wrong = Measure(partnership=ncscp, name="X", definition="d", higher_is_better=True)
    wrong.target, wrong.amber_threshold = Decimal(85), Decimal(90)
    with pytest.raises(ValidationError, match="below the target"):
        wrong.full_clean()


def test_who_manages(ncscp, data_set, officer, chair, viewer, outsider, admin_user):
    assert can_manage(officer, ncscp) and can_manage(chair, ncscp) and can_manage(admin_user, ncscp)
    assert not can_manage(viewer, ncscp) and not can_manage(outsider, ncscp)
    data_set.lead_group = None
    data_set.save()
    assert not can_manage(chair, ncscp)  # a chair of another group


def test_the_scorecard_shows_the_latest_period_rating_and_movement(client, measure, viewer):
    client.force_login(viewer)
    html = client.get(reverse("performance:scorecard", args=["NCSCP"])).content.decode()
    assert "Q3 2016/17 (Oct to Dec 2016)" in html
    assert "19.5%" in html and "20% (amber to 23%)" in html
    assert "Green</strong>" in html
    assert "No previous value" in html  # Q2 was missing: no movement is made up
    assert "Enter values for a period" not in html  # a viewer reads only


def test_the_scorecard_takes_a_fixed_number_of_queries(
    client, ncscp, officer, viewer, django_assert_max_num_queries
):
    for n in range(12):
        extra = make_measure(ncscp, name=f"Measure {n}")
        for start in (Q1, Q2, Q3):
            extra.record(start, by=officer, value=Decimal(n))
    client.force_login(viewer)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("performance:scorecard", args=["NCSCP"])).status_code == 200


def test_the_measure_page_draws_the_trend_in_words_and_a_table(client, measure, viewer):
    client.force_login(viewer)
    html = client.get(reverse("performance:measure_detail", args=[measure.pk])).content.decode()
    assert "<svg" in html and 'role="img"' in html
    assert "Q2 2016/17 (Jul to Sep 2016): missing" in html  # the chart's description
    assert "Case-management system change" in html and "Above target" in html
    assert "Target 20%" in html  # the labelled target line
    assert "Change history" in html and "Added value for q1 2016/17" in html
    assert "The dashed line is the target" in html


def test_a_measure_without_a_target_does_not_point_at_a_target_line(client, measure, viewer):
    measure.target = measure.amber_threshold = None
    measure.save()
    client.force_login(viewer)
    html = client.get(reverse("performance:measure_detail", args=[measure.pk])).content.decode()
    assert "The dashed line" not in html and "dotted line" not in html
    assert "The table below gives the same figures." in html


def test_access_is_by_role(client, measure, data_set, viewer, chair, outsider):
    edit = reverse("performance:measure_edit", args=[measure.pk])
    client.force_login(viewer)
    assert client.get(edit).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("performance:measure_detail", args=[measure.pk])).status_code == 404
    client.force_login(chair)
    assert client.get(edit).status_code == 200


def test_an_officer_adds_a_measure_with_the_objectives_it_evidences(client, seed, officer):
    from plans.models import Objective, Partnership

    ncscp = Partnership.objects.get(short_name="NCSCP")
    objective = Objective.objects.filter(partnership=ncscp).first()
    client.force_login(officer)
    response = client.post(
        reverse("performance:measure_create", args=["NCSCP"]),
        {
            "name": "Assessments within 45 days",
            "definition": "Single assessments completed within 45 working days",
            "unit": "percent",
            "direction": "higher",
            "target": "85",
            "amber_threshold": "75",
            "frequency": "quarter",
            "objectives": [objective.pk],
        },
    )
    measure = Measure.objects.get(name="Assessments within 45 days")
    assert response.status_code == 302
    assert measure.higher_is_better is True and list(measure.objectives.all()) == [objective]
    assert {h.history_user for h in measure.history.all()} == {officer}


def test_the_measure_form_says_what_is_wrong(client, ncscp, officer):
    make_measure(ncscp, name="Taken")
    client.force_login(officer)
    response = client.post(
        reverse("performance:measure_create", args=["NCSCP"]),
        {"name": "taken", "unit": "percent", "direction": "none", "target": "abc"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert "A measure called &quot;taken&quot; already exists" in html
    assert "Enter the measure&#x27;s definition" in html
    assert "Target must be a number, like 85 or 21.5" in html
    assert 'href="#id_target"' in html


def test_one_form_enters_every_measure_of_a_period(client, ncscp, officer):
    first = make_measure(ncscp, name="First")
    second = make_measure(
        ncscp, name="Second", higher_is_better=True, target=90, amber_threshold=80
    )
    third = make_measure(ncscp, name="Third")
    url = reverse("performance:enter_values", args=["NCSCP"]) + "?period=quarter:2016-04-01"
    client.force_login(officer)
    response = client.post(
        url,
        {
            f"m{first.pk}_value": "21.5%",
            f"m{first.pk}_commentary": "Down on last year",
            f"m{second.pk}_missing": "Report not rebuilt yet",
        },
    )
    assert response.status_code == 302
    assert first.values.get(period_start=Q1).value == Decimal("21.5")
    missing = second.values.get(period_start=Q1)
    assert missing.value is None and missing.missing_reason == "Report not rebuilt yet"
    assert not third.values.exists()  # both left empty: nothing recorded, not a zero


def test_the_values_form_refuses_bad_values_and_stores_none_of_them(client, ncscp, officer):
    first = make_measure(ncscp, name="First")
    second = make_measure(ncscp, name="Second")
    first.record(Q1, by=officer, value=Decimal(20))
    url = reverse("performance:enter_values", args=["NCSCP"]) + "?period=quarter:2016-04-01"
    client.force_login(officer)
    response = client.post(
        url, {f"m{first.pk}_value": "", f"m{second.pk}_value": "lots", f"m{second.pk}_missing": ""}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter the value of First, or say why it is missing" in html
    assert "Second: &quot;lots&quot; is not a number" in html
    assert first.values.get().value == 20 and not second.values.exists()


def test_an_archived_measure_leaves_the_scorecard_and_can_be_restored(client, measure, officer):
    client.force_login(officer)
    client.post(reverse("performance:measure_archive", args=[measure.pk]))
    measure.refresh_from_db()
    assert measure.archived_at is not None
    assert measure.history.first().history_user == officer
    client.post(reverse("performance:measure_restore", args=[measure.pk]))
    measure.refresh_from_db()
    assert measure.archived_at is None


def test_the_demo_loads_a_data_set_with_missing_values(seed, settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    call_command("load_demo_performance", verbosity=0)
    measures = Measure.objects.filter(partnership__short_name="NCSCP")
    assert measures.count() == 11
    assert MeasureValue.objects.filter(measure__in=measures).count() == 10 * 8 + 12
    missing = MeasureValue.objects.filter(value=None)
    assert missing.count() == 5 and all(row.missing_reason for row in missing)
    assert measures.filter(objectives__isnull=False).distinct().count() == 11
    assert load_performance() == []  # a second run adds nothing


def test_the_measure_page_takes_a_fixed_number_of_queries(
    client, measure, officer, viewer, django_assert_max_num_queries
):
    for year in range(2017, 2023):
        for month in (1, 4, 7, 10):
            measure.record(date(year, month, 1), by=officer, value=Decimal(month))
    client.force_login(viewer)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("performance:measure_detail", args=[measure.pk]))
    assert response.status_code == 200 and response.content.decode().count("<circle") == 26


def test_officers_choose_which_groups_chairs_manage_the_data_set(
    client, ncscp, qa_group, officer, chair
):
    assert not can_manage(chair, ncscp)
    client.force_login(chair)
    url = reverse("performance:lead_group_edit", args=["NCSCP"])
    assert client.post(url, {"lead_group": qa_group.pk}).status_code == 403
    client.force_login(officer)
    assert client.post(url, {"lead_group": qa_group.pk}).status_code == 302
    chair = type(chair).objects.get(pk=chair.pk)  # a fresh request's scope
    assert can_manage(chair, ncscp)
    assert ncscp.data_set.history.get().history_user == officer
    html = client.get(reverse("performance:scorecard", args=["NCSCP"])).content.decode()
    assert "Managed by the board officers and the chairs of Children&#x27;s QA subgroup" in html
