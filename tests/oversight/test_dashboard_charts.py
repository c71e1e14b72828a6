"""The dashboard's charts: ratings per priority, workstream and review as SVG with a table
beside it, the trend at past BMG deadlines read from history (as the packs had it), and this
cycle's return rate. The world is test_pack's: three BMG meetings in 2021 with updates
recorded just before and just after the June deadline."""

import re
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oversight.charts import COLOURS, Bar, contrast, ink_on, stacked_chart
from oversight.pack import build_pack
from oversight.trend import counts_at, trend_points
from plans.history import create_with_history
from plans.models import Action, Objective, RagUpdate, Rating, Role
from tests.conftest import make_user
from tests.factories import make_update as store
from tests.oversight.test_pack import at, build_world, recorded_at

R, A, G, C, NS = Rating.RED, Rating.AMBER, Rating.GREEN, Rating.COMPLETE, Rating.NOT_STARTED
TODAY = at(2021, 7, 1, 12)  # after the June deadline, before the October one


@pytest.fixture(autouse=True)
def _empty_cache():
    """Meeting ids repeat between tests (each test's rows are rolled back): start clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(ncscp, django_user_model):
    return build_world(ncscp, django_user_model)


def trend_counts(counts):
    return [counts.get(rating, 0) for rating in (R, A, G, C)]


def test_counts_at_each_deadline_come_from_history(world):
    feb, june, october = (m.update_deadline for m in world.meetings)
    found = counts_at(world.partnership, [feb, june, october])
    assert trend_counts(found[feb]) == [0, 2, 5, 0]
    assert found[feb][NS] == 1
    # a12 was rated Complete half an hour after the June deadline day ended: still Amber for
    # June (2 Amber), Complete for October. w11's update at 23:30 on the day counts for June.
    assert trend_counts(found[june]) == [2, 2, 4, 1]
    assert trend_counts(found[october]) == [2, 1, 4, 2]
    # The signed-off review's Complete action is not counted, as in the pack.
    for meeting in world.meetings:
        pack = build_pack(meeting)
        assert found[meeting.update_deadline] == {
            rating: n for rating, n in pack.overall.tally.counts.items() if n
        }


def test_trend_counts_are_cached_per_meeting(world, django_assert_num_queries):
    past = world.meetings[:2]
    first = trend_points(world.partnership, past)
    with django_assert_num_queries(2):  # the history fingerprints; no history is read again
        again = trend_points(world.partnership, past)
    assert [p.counts for p in again] == [p.counts for p in first]
    # A change recorded now does not touch a past deadline's counts, nor its cache key.
    store(action=world.a13, rating=R, comment="Now", as_of=date(2021, 7, 1), author=world.author)
    assert [p.counts for p in trend_points(world.partnership, past)] == [p.counts for p in first]


def dashboard(client, user):
    client.force_login(user)
    with recorded_at(TODAY):
        response = client.get(reverse("oversight:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def trend_rows(html, partnership):
    table = html.split(f'id="caption-trend-{partnership.pk}"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table, re.S)[1:]:
        deadline = re.search(r'scope="row"[^>]*>([^<]+)<', row).group(1)
        rows[deadline] = [int(n) for n in re.findall(r"numeric\">(\d+)<", row)]
    return rows


def test_the_dashboard_shows_the_trend_table_and_chart(client, world, officer):
    html = dashboard(client, officer)
    assert trend_rows(html, world.partnership) == {
        "3 February 2021": [0, 2, 5, 0],
        "2 June 2021": [2, 2, 4, 1],
    }  # October's deadline has not passed on 1 July
    pk = world.partnership.pk
    svg = re.search(rf'<svg[^>]*aria-labelledby="trend-{pk}-title[^>]*>.*?</svg>', html, re.S)
    svg = svg.group(0)
    assert 'role="img"' in svg and 'width="100%"' in svg
    assert "<title" in svg and "at each of the last 2 BMG update deadlines" in svg
    assert "2 Jun 2021: 2 Red, 2 Amber, 4 Green, 1 Complete" in svg  # the description
    assert f'fill="url(#trend-{pk}-red)"' in svg and f'<pattern id="trend-{pk}-red"' in svg
    assert "Not started" not in svg  # the trend counts Red, Amber, Green and Complete only
    assert "Red from 0 to 2, Amber from 2 to 2, Green from 5 to 4, Complete from 0 to 1" in html


def test_the_dashboard_shows_this_cycles_return_rate(client, world, officer, viewer):
    html = dashboard(client, officer)
    # Expected this cycle: the 8 live actions not already Complete before it; returned: a12,
    # rated at 00:30 the day after the June deadline.
    assert "1 of 8 actions expected to report has been updated after the 2 June 2021" in html
    assert re.search(r">12%<", html)
    detail = reverse("oversight:meeting_detail", args=[world.meetings[2].pk])
    assert f'href="{detail}">See who has returned updates' in html
    html = dashboard(client, viewer)  # readers see the rate, not the officers' link
    assert ">12%<" in html and "See who has returned updates" not in html


def test_ratings_per_priority_have_a_chart_and_a_table(client, world, officer):
    html = dashboard(client, officer)
    figure = html.split('id="figure-priorities"', 1)[1].split("</figure>", 1)[0]
    # Now: o1 (priority 1) a11 Red, a12 Complete, a13 Green; o2 (priority 2) a21 Amber, a22 Green.
    assert "Priority 1: Safe from harm: 1 Red, 0 Amber, 1 Green, 1 Complete" in figure
    assert "Priority 2: The right help at the right time: 0 Red, 1 Amber, 1 Green" in figure
    assert "5 actions across 2 priorities: 1 Red, 1 Amber, 2 Green, 1 Complete" in figure
    assert "Red actions are under Priority 1: Safe from harm." in figure
    assert 'role="img"' in figure and "<desc" in figure
    assert [word for word in re.findall(r"<span>([^<]+)</span></li>", figure)] == [
        "Red",
        "Amber",
        "Green",
        "Complete",
        "Not started",
        "Not yet rated",
    ]  # the key prints each rating's word beside its pattern
    table = html.split('id="caption-priorities"', 1)[1].split("</table>", 1)[0]
    assert "Priority 1: Safe from harm" in table and "Priority 2" in table
    assert 'id="figure-workstreams"' in html and 'id="figure-reviews"' in html


def test_a_chair_reached_only_through_a_shared_group_sees_no_partnership_trend(
    client, world, django_user_model, nscp, qa_group
):
    qa_group.partnerships.add(nscp)
    chair = make_user(django_user_model, "t-nscp-chair", nscp, Role.Kind.CHAIR, group=qa_group)
    html = dashboard(client, chair)
    assert f'id="caption-trend-{world.partnership.pk}"' not in html


def test_the_dashboard_queries_do_not_grow_with_actions(client, world, officer):
    def cold_queries():
        cache.clear()
        client.force_login(officer)
        with recorded_at(TODAY), CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("oversight:dashboard")).status_code == 200
        return len(queries)

    before = cold_queries()
    objective = Objective.objects.get(ref="t-o1")
    with recorded_at(at(2021, 3, 1, 9)):
        actions = create_with_history(
            Action,
            [Action(ref=f"t-more-{n}", parent=objective, position=10 + n) for n in range(40)],
        )
        create_with_history(
            RagUpdate,
            [
                RagUpdate(
                    action=a, rating=R, comment="x", as_of=date(2021, 3, 1), author=world.author
                )
                for a in Action.objects.filter(ref__startswith="t-more-")
            ],
        )
    Action.objects.filter(ref__startswith="t-more-").refresh_current_rating()
    assert len(actions) == 40
    # The to-update list loads each kind of parent it shows once, so with more actions of one
    # kind at its head it may need fewer queries, never more.
    assert cold_queries() <= before
    html = dashboard(client, officer)
    assert trend_rows(html, world.partnership)["2 June 2021"] == [42, 2, 4, 1]


def test_stacked_bars_escape_their_labels_and_fit_any_width():
    svg = str(
        stacked_chart(
            [Bar('<script>alert("x")</script> ' + "long " * 20, {R: 3, G: 30}), Bar("Two", {})],
            prefix="t",
            title="A & B",
        )
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "A &amp; B" in svg
    assert "viewBox" not in svg and 'width="100%"' in svg  # text keeps its size, bars scale
    assert "\u2026 (33)" in svg  # a long label is cut short, its total kept
    assert ">Green 30</text>" in svg and ">3</text>" in svg  # words where they fit
    assert 'x="9.091%"' in svg  # the Green segment starts after Red's 3 of 33


def test_text_on_every_rating_colour_meets_wcag_aa():
    for rating, fill in COLOURS.items():
        assert contrast(ink_on(fill), fill) >= 4.5, rating


def test_the_trend_reads_each_history_table_once_whatever_the_number_of_deadlines(
    world, django_assert_num_queries
):
    deadlines = [world.meetings[0].update_deadline + timedelta(days=n) for n in range(0, 200, 20)]
    with django_assert_num_queries(7):
        found = counts_at(world.partnership, deadlines)
    assert len(found) == 10
