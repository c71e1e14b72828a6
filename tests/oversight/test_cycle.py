"""The BMG cycle: deadlines in UK time, which meetings open and close a cycle, return rates by
group and agency, and who sees them."""

from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from oversight.cycle import (
    Cycle,
    current_cycle,
    cutoff,
    cycle_for_meeting,
    latest_bmg_meeting,
    previous_meeting,
    return_rates,
)
from oversight.models import Meeting
from plans.history import create_with_history
from plans.models import (
    Action,
    Agency,
    Group,
    Objective,
    Plan,
    Rating,
    Role,
)
from reviews.models import CaseReview, Recommendation
from tests.factories import make_update

LONDON = ZoneInfo("Europe/London")


@contextmanager
def recorded_at(*args):
    with mock.patch("django.utils.timezone.now", return_value=datetime(*args, tzinfo=LONDON)):
        yield


def test_a_deadline_day_ends_at_midnight_uk_time():
    assert cutoff(date(2026, 6, 3)) == datetime(2026, 6, 3, 23, 0, tzinfo=UTC)  # summer time
    assert cutoff(date(2027, 2, 3)) == datetime(2027, 2, 4, 0, 0, tzinfo=UTC)


@pytest.fixture
def bmg(ncscp):
    group = Group.objects.create(slug="t-bmg", name="Business Management Group", kind="bmg")
    group.partnerships.add(ncscp)
    return group


@pytest.fixture
def meetings(bmg):
    return [
        Meeting.objects.create(group=bmg, date=d, update_deadline=dl)
        for d, dl in [
            (date(2021, 2, 17), date(2021, 2, 3)),
            (date(2021, 6, 16), date(2021, 6, 2)),
            (date(2021, 10, 13), date(2021, 9, 29)),
        ]
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "today, opened, closed",
    [
        (date(2021, 1, 1), None, 0),
        (date(2021, 2, 3), None, 0),  # the deadline day still belongs to its cycle
        (date(2021, 2, 4), 0, 1),
        (date(2021, 6, 2), 0, 1),
        (date(2021, 7, 1), 1, 2),
        (date(2022, 1, 1), 2, None),
    ],
)
def test_the_current_cycle_runs_from_one_bmg_deadline_to_the_next(
    ncscp, meetings, today, opened, closed
):
    cycle = current_cycle(ncscp, today)
    assert cycle.opened_by == (meetings[opened] if opened is not None else None)
    assert cycle.closed_by == (meetings[closed] if closed is not None else None)


@pytest.mark.django_db
def test_previous_and_latest_meetings(ncscp, meetings, bmg):
    other = Group.objects.create(slug="t-sub", name="Sub-group")
    other.partnerships.add(ncscp)
    Meeting.objects.create(group=other, date=date(2021, 5, 1), update_deadline=date(2021, 4, 20))
    assert previous_meeting(meetings[1]) == meetings[0]
    assert previous_meeting(meetings[0]) is None
    assert cycle_for_meeting(meetings[2]) == Cycle(meetings[1], meetings[2])
    assert latest_bmg_meeting(ncscp, date(2021, 7, 1)) == meetings[1]
    assert latest_bmg_meeting(ncscp, date(2020, 1, 1)) == meetings[0]  # none yet: the first


class Setup:
    pass


@pytest.fixture
def returns(ncscp, meetings, django_user_model, qa_group, chair):
    """June 2021's cycle: from the end of 3 Feb to the end of 2 June 2021."""
    s = Setup()
    s.author = django_user_model.objects.create_user("t-author")
    s.qa, s.chair = qa_group, chair
    s.cdop = Group.objects.create(slug="t-cdop", name="CDOP")
    s.cdop.partnerships.add(ncscp)
    s.police = Agency.objects.create(name="Test Police", kind="police")
    s.health = Agency.objects.create(name="Test Health", kind="health")
    s.police_lead = django_user_model.objects.create_user(
        "t-police", first_name="Pat", last_name="Police", email="pat@example.org"
    )
    Role.objects.create(
        user=s.police_lead, partnership=ncscp, kind=Role.Kind.AGENCY_LEAD, agency=s.police
    )
    plan = Plan.objects.create(partnership=ncscp, slug="t-plan", title="Plan")
    objective = Objective.objects.create(
        ref="t-o1", kind="objective", partnership=ncscp, plan=plan, number=1, text="Aim"
    )
    review = CaseReview.objects.create(partnership=ncscp, code="QN17", kind="scr")
    recommendation = Recommendation.objects.create(
        ref="t-r1", kind="recommendation", partnership=ncscp, review=review, number=1,
        agency=s.health, text="Recommendation",
    )  # fmt: skip

    def action(position, text, parent=objective):
        return Action.objects.create(
            ref=f"t-{parent.pk}-{position}", parent=parent, position=position, text=text
        )

    with recorded_at(2021, 1, 10, 12):  # the actions were there before the cycle
        s.x1 = action(1, "Updated in the cycle")
        s.x2 = action(2, "Not updated")
        s.x3 = action(3, "Updated before the cycle only")
        s.x4 = action(4, "Complete before the cycle")
        s.x5 = action(1, "Under a recommendation to Test Health", parent=recommendation)
        s.x6 = action(6, "Updated on the deadline day, late evening")
        s.x7 = action(7, "Updated just after the deadline day")
    s.x1.lead_groups.add(s.qa)
    s.x2.lead_groups.add(s.qa)
    s.x4.lead_groups.add(s.qa)
    s.x6.lead_groups.add(s.qa)
    s.x7.lead_groups.add(s.qa)
    s.x3.lead_groups.add(s.cdop)
    s.x3.lead_agencies.add(s.police)

    def rate(action, rating):
        make_update(action=action, rating=rating, as_of=date(2021, 1, 1), author=s.author)

    with recorded_at(2021, 1, 20, 12):
        for a in (s.x1, s.x2, s.x3, s.x6, s.x7):
            rate(a, Rating.GREEN)
        rate(s.x4, Rating.COMPLETE)
    with recorded_at(2021, 4, 1, 12):
        rate(s.x1, Rating.AMBER)
    with recorded_at(2021, 6, 2, 23, 30):
        rate(s.x6, Rating.GREEN)
    with recorded_at(2021, 6, 3, 0, 30):
        rate(s.x7, Rating.GREEN)
    return s


@pytest.mark.django_db
def test_return_rates_by_group_and_agency(ncscp, meetings, returns):
    rates = return_rates(ncscp, cycle_for_meeting(meetings[1]))
    s = returns

    assert (rates.total.owned, rates.total.returned, rates.total.rate) == (6, 2, 33)
    groups = {row.name: row for row in rates.groups}
    assert set(groups) == {"Children's QA subgroup", "CDOP"}
    qa = groups["Children's QA subgroup"]
    # x4 was complete before the cycle: not chased. x6 came in on the deadline day: in time.
    assert [a.pk for a in qa.actions] == [s.x1.pk, s.x2.pk, s.x6.pk, s.x7.pk]
    assert (qa.owned, qa.returned, qa.rate) == (4, 2, 50)
    assert [a.pk for a in qa.outstanding] == [s.x2.pk, s.x7.pk]
    assert qa.contacts == ["t-chair"]
    assert (groups["CDOP"].owned, groups["CDOP"].returned, groups["CDOP"].contacts) == (1, 0, [])

    agencies = {row.name: row for row in rates.agencies}
    assert [a.pk for a in agencies["Test Police"].outstanding] == [s.x3.pk]
    assert agencies["Test Police"].contacts == ["Pat Police"]
    assert [a.pk for a in agencies["Test Health"].actions] == [s.x5.pk]  # via its recommendation


@pytest.mark.django_db
def test_a_past_meeting_does_not_chase_an_action_added_after_its_deadline(ncscp, meetings, returns):
    """June 2021's deadline was 2 June: an action added on 10 June was never asked for."""
    with recorded_at(2021, 6, 10, 12):
        late = Action.objects.create(
            ref="t-late", parent=returns.x1.parent, position=50, text="Added after the deadline"
        )
    late.lead_groups.add(returns.qa)
    june = {a.pk for a in return_rates(ncscp, cycle_for_meeting(meetings[1])).total.actions}
    assert late.pk not in june
    assert returns.x2.pk in june
    # The next meeting asks for it.
    october = return_rates(ncscp, cycle_for_meeting(meetings[2])).total
    assert late.pk in {a.pk for a in october.outstanding}


@pytest.mark.django_db
def test_the_next_cycle_starts_empty(ncscp, meetings, returns):
    rates = return_rates(ncscp, cycle_for_meeting(meetings[2]))
    assert rates.total.returned == 1  # x7, recorded after June's deadline day
    assert {a.pk for a in rates.total.outstanding} >= {returns.x1.pk, returns.x6.pk}


def rates_url(meeting):
    return reverse("oversight:meeting_detail", args=[meeting.pk])


@pytest.mark.django_db
def test_officers_see_who_has_not_returned(client, ncscp, meetings, returns, officer):
    client.force_login(officer)
    response = client.get(rates_url(meetings[1]))
    assert response.status_code == 200
    rates = response.context["rates"]
    assert rates.total.rate == 33
    html = response.content.decode()
    assert "Return rates" in html
    assert "Children&#x27;s QA subgroup" in html and "t-chair" in html
    assert "50%" in html
    assert "Not updated" in html  # x2 is listed as outstanding
    assert reverse("plans:action_detail", args=[returns.x2.pk]) in html
    # Two not returned are listed as they are; a long list folds (see the next test).
    assert "not returned by Children&#x27;s QA subgroup" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["viewer", "chair"])
def test_other_readers_see_the_meeting_but_not_return_rates(
    client, meetings, returns, role, request
):
    client.force_login(request.getfixturevalue(role))
    response = client.get(rates_url(meetings[1]))
    assert response.status_code == 200
    assert "rates" not in response.context
    assert "Return rates" not in response.content.decode()


@pytest.mark.django_db
def test_meeting_page_queries_do_not_grow_with_actions(
    client, ncscp, meetings, returns, officer, django_assert_max_num_queries
):
    parent = returns.x1.parent
    with recorded_at(2021, 1, 10, 12):
        create_with_history(
            Action,
            [
                Action(ref=f"t-many-{n}", parent=parent, position=100 + n, text="x")
                for n in range(200)
            ],
        )
    for action in Action.objects.filter(ref__startswith="t-many-"):
        action.lead_groups.add(returns.qa)
    client.force_login(officer)
    with django_assert_max_num_queries(25):
        response = client.get(rates_url(meetings[1]))
    assert response.context["rates"].total.owned == 206
    html = response.content.decode()
    folded = html.split("not returned by Children&#x27;s QA subgroup", 1)
    assert len(folded) == 2
    assert folded[0].rsplit("<summary", 1)[1].count("202 actions") == 1
    assert reverse("plans:action_detail", args=[returns.x2.pk]) in folded[1]


@pytest.mark.django_db
def test_meeting_list(
    client, ncscp, nscp, meetings, officer, outsider, viewer, django_assert_max_num_queries
):
    for n in range(30):  # more meetings do not mean more queries
        Meeting.objects.create(
            group=meetings[0].group, date=date(2030, 1, 1) + timedelta(days=7 * n),
            update_deadline=date(2029, 12, 1) + timedelta(days=7 * n),
        )  # fmt: skip
    client.force_login(officer)
    with (
        mock.patch("django.utils.timezone.localdate", return_value=date(2021, 7, 1)),
        django_assert_max_num_queries(20),
    ):
        response = client.get(reverse("oversight:meeting_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Current cycle: updates after the 2 June 2021 deadline" in html
    assert rates_url(meetings[2]) in html  # who has not returned, on October's page
    assert reverse("oversight:meeting_pack_pdf", args=[meetings[1].pk]) in html  # a past pack

    client.force_login(outsider)
    html = client.get(reverse("oversight:meeting_list")).content.decode()
    assert "NSCP has no Business Management Group" in html
    assert rates_url(meetings[1]) not in html

    client.force_login(viewer)
    response = client.get(reverse("oversight:meeting_list"))
    assert response.status_code == 200
    assert "Current cycle" not in response.content.decode()
