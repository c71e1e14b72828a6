"""All actions as a data table: the latest comment column, columns chosen per person, the
summary of applied filters with remove links, GOV.UK date inputs, the wide layout."""

import re
from datetime import date, timedelta

import pytest
from django.http import QueryDict
from django.urls import reverse

from oversight.columns import DEFAULT, ColumnsForm
from oversight.models import ColumnChoice
from oversight.sorting import COLUMNS
from plans.models import Action
from tests.factories import make_update

URL = reverse("oversight:action_list")
CHOOSE = reverse("oversight:choose_columns")
LONG = " ".join(f"word{n}" for n in range(60))


def rows(response):
    return list(response.context["page"].object_list)


def query_of(href):
    return QueryDict(href.removeprefix("?"))


# The latest comment ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_latest_comment_is_shown_short_with_the_whole_of_it_behind_a_disclosure(
    client, seed, chair
):
    action = Action.objects.visible_to(chair).order_by("pk").first()
    make_update(
        action=action, rating="amber", comment="Old words", as_of=date(2025, 1, 1), author=chair
    )
    make_update(action=action, rating="green", comment=LONG, as_of=date(2025, 6, 1), author=chair)
    client.force_login(chair)
    html = client.get(URL, {"sort": "-updated"}).content.decode()
    assert "Latest comment" in html
    assert "Old words" not in html  # only the latest update's comment
    assert '<details class="app-comment">' in html
    assert "word19 …" in html  # shortened to 20 words in the summary
    assert "word59" in html  # the whole text is on the page, behind the summary


@pytest.mark.django_db
def test_latest_comments_cost_no_query_per_row(client, seed, chair, django_assert_max_num_queries):
    actions = list(Action.objects.visible_to(chair).order_by("pk")[:25])
    assert len(actions) == 25
    for n, action in enumerate(actions):
        make_update(
            action=action,
            rating="red",
            comment=f"Comment {n}",
            as_of=date(2025, 3, 1),
            author=chair,
        )
    client.force_login(chair)
    # As tests/plans/test_queries.py pins it for 400 actions: no query per row.
    with django_assert_max_num_queries(16):
        response = client.get(URL, {"sort": "comment"})
    html = response.content.decode()
    assert all(re.search(rf"Comment {n}\s*</td>", html) for n in range(25))


@pytest.mark.django_db
@pytest.mark.parametrize("sign", ["", "-"])
def test_the_comment_column_sorts_by_its_text(client, seed, chair, sign):
    actions = list(Action.objects.visible_to(chair).order_by("pk")[:3])
    for action, words in zip(actions, ["Beta", "Alpha", "Gamma"], strict=True):
        make_update(
            action=action, rating="green", comment=words, as_of=date(2025, 3, 1), author=chair
        )
    client.force_login(chair)
    found = [a.latest_comment for a in rows(client.get(URL, {"sort": f"{sign}comment"}))[:3]]
    assert found == (["Gamma", "Beta", "Alpha"] if sign else ["Alpha", "Beta", "Gamma"])


# Columns chosen per person ------------------------------------------------------------------


@pytest.mark.django_db
def test_everyone_sees_every_column_until_they_choose(client, seed, chair):
    client.force_login(chair)
    response = client.get(URL)
    assert [h["key"] for h in response.context["headings"]] == DEFAULT == list(COLUMNS)


@pytest.mark.django_db
def test_chosen_columns_are_remembered_with_history_and_the_way_back_keeps_the_query(
    client, seed, chair, viewer
):
    client.force_login(chair)
    response = client.post(CHOOSE, {"columns": ["rating", "due"], "query": "sort=-due&q=audit"})
    assert response.status_code == 302
    assert query_of("?" + response.url.split("?", 1)[1]).dict() == {"sort": "-due", "q": "audit"}
    assert response.url.startswith(URL)
    # Table order, and the action (the row's link) always kept.
    assert ColumnChoice.remembered(chair) == ["action", "due", "rating"]
    page = client.get(URL)
    assert [h["key"] for h in page.context["headings"]] == ["action", "due", "rating"]
    html = page.content.decode()
    assert "Latest comment" not in html.split("<table", 1)[1]
    assert 'aria-sort="none"' in html
    record = ColumnChoice.history.get()
    assert record.history_user == chair
    # Another person's page is not changed by it.
    client.force_login(viewer)
    assert len(client.get(URL).context["headings"]) == len(COLUMNS)
    # Choosing again changes the same record and adds history.
    client.force_login(chair)
    client.post(CHOOSE, {"columns": ["comment"]})
    assert ColumnChoice.remembered(chair) == ["action", "comment"]
    assert ColumnChoice.objects.count() == 1
    assert ColumnChoice.history.count() == 2


@pytest.mark.django_db
def test_the_way_back_cannot_leave_all_actions(client, seed, chair):
    client.force_login(chair)
    response = client.post(CHOOSE, {"columns": ["due"], "query": "//evil.example/?x=1"})
    assert response.status_code == 302
    assert response.url.startswith(URL + "?")


@pytest.mark.django_db
def test_an_unknown_column_is_refused_and_nothing_is_stored(client, seed, chair):
    client.force_login(chair)
    assert client.post(CHOOSE, {"columns": ["password"]}).status_code == 400
    assert not ColumnChoice.objects.exists()


@pytest.mark.django_db
def test_the_columns_form_works_without_javascript(client, seed, chair):
    """A native <details> and a posted form: nothing needs a script."""
    client.force_login(chair)
    html = client.get(URL).content.decode()
    form = html.split('action="' + CHOOSE + '"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrfmiddlewaretoken"' in form
    assert form.count('type="checkbox"') == len(COLUMNS) - 1
    assert form.count(" checked") == len(COLUMNS) - 1


@pytest.mark.django_db
def test_the_columns_form_ticks_what_was_chosen_as_its_own_widget_would(client, seed, chair):
    """The page prints the checkboxes from oversight.columns.options(): the same ids, values,
    labels and ticks as the bound field's own widget gives for the person's choice."""
    client.force_login(chair)
    client.post(CHOOSE, {"columns": ["rating", "due"]})
    html = client.get(URL).content.decode()
    form = html.split('action="' + CHOOSE + '"', 1)[1].split("</form>", 1)[0]
    printed = re.findall(
        r'id="(id_columns_\d+)" name="columns" type="checkbox" value="(\w+)"( checked)?>\s*'
        r'<label class="govuk-label govuk-checkboxes__label" for="\1">([^<]+)</label>',
        form,
    )
    bound = ColumnsForm(initial={"columns": ColumnChoice.remembered(chair)})["columns"]
    assert [(id_, value, bool(ticked), label) for id_, value, ticked, label in printed] == [
        (
            option.id_for_label,
            option.data["value"],
            option.data["selected"],
            str(option.choice_label),
        )
        for option in bound
    ]
    assert [value for _id, value, ticked, _label in printed if ticked] == ["due", "rating"]


# Filters applied ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_applied_filters_are_summarised_each_with_a_remove_link(client, seed, chair):
    client.force_login(chair)
    params = {"q": "audit", "rating": "red", "overdue": "true", "sort": "-due", "page": "2"}
    applied = client.get(URL, params).context["applied"]
    summary = {item["label"]: item for item in applied["filters"]}
    assert {label: item["value"] for label, item in summary.items()} == {
        "Search": "audit",
        "Rating": "Red",
        "Overdue only": "Yes",
    }
    remove_rating = query_of(summary["Rating"]["href"])
    # The other filters and the sort are kept; the page goes back to the first.
    assert remove_rating.dict() == {"q": "audit", "overdue": "true", "sort": "-due"}
    assert query_of(applied["clear"]).dict() == {"sort": "-due"}


@pytest.mark.django_db
def test_following_a_remove_link_drops_only_that_filter(client, seed, chair):
    client.force_login(chair)
    first = client.get(URL, {"q": "audit", "source": "objective"})
    assert {i["label"] for i in first.context["applied"]["filters"]} == {"Source", "Search"}
    href = next(i["href"] for i in first.context["applied"]["filters"] if i["label"] == "Search")
    assert f'href="{href.replace("&", "&amp;")}"' in first.content.decode()
    second = client.get(URL + href)
    assert [i["label"] for i in second.context["applied"]["filters"]] == ["Source"]
    assert second.context["count"] > first.context["count"]


@pytest.mark.django_db
def test_a_date_filter_removes_its_three_boxes(client, seed, chair):
    client.force_login(chair)
    params = {"due_by_0": "1", "due_by_1": "3", "due_by_2": "2031", "rating": "red"}
    applied = client.get(URL, params).context["applied"]["filters"]
    due = next(item for item in applied if item["label"] == "Due by")
    assert due["value"] == "1 March 2031"
    assert query_of(due["href"]).dict() == {"rating": "red"}


@pytest.mark.django_db
def test_no_summary_without_filters(client, seed, chair):
    client.force_login(chair)
    response = client.get(URL, {"sort": "lead"})
    assert response.context["applied"]["filters"] == []
    assert "Filters applied" not in response.content.decode()


@pytest.mark.django_db
def test_the_sort_is_kept_when_filters_are_applied_and_filters_when_sorted(client, seed, chair):
    client.force_login(chair)
    response = client.get(URL, {"sort": "-rating", "q": "audit"})
    html = response.content.decode()
    assert '<input type="hidden" name="sort" value="-rating">' in html
    due = next(h for h in response.context["headings"] if h["key"] == "due")
    assert query_of(due["href"]).dict() == {"sort": "due", "q": "audit"}


@pytest.mark.django_db
def test_the_filter_lists_come_from_one_query_in_each_models_order(
    client, seed, officer, ncscp, nscp, django_assert_num_queries
):
    """The four lists (partnership, priority, group, agency) are read together: the options,
    their order and labels are those the models' own querysets give, the reader's scope kept."""
    from oversight.filters import ActionFilter
    from plans.models import Agency, Group, Plan, Priority

    undated = Plan.objects.create(partnership=ncscp, slug="t-undated", title="A plan")
    older = Plan.objects.create(
        partnership=ncscp, slug="t-older", title="B plan", starts_on=date(2020, 4, 1)
    )
    newer = Plan.objects.create(
        partnership=ncscp, slug="t-newer", title="C plan", starts_on=date(2024, 4, 1)
    )
    elsewhere = Plan.objects.create(partnership=nscp, slug="t-elsewhere", title="Not ours")
    for plan, numbers in [(older, [2, 1]), (newer, [3, 1]), (undated, [1]), (elsewhere, [1])]:
        for number in numbers:
            Priority.objects.create(plan=plan, number=number, title=f"{plan.title} {number}")
    filterset = ActionFilter(None, queryset=Action.objects.all(), user=officer)
    with django_assert_num_queries(1):
        lists = filterset.option_lists()
    expected = {
        "partnership": ncscp.__class__.objects.filter(pk=ncscp.pk),
        "priority": Priority.objects.filter(plan__partnership=ncscp),
        "group": Group.objects.filter(partnerships=ncscp).distinct(),
        "agency": Agency.objects.filter(partnerships=ncscp).distinct(),
    }
    for name, queryset in expected.items():
        assert lists[name] == [(item.pk, str(item)) for item in queryset], name
    dated = [
        label for _pk, label in lists["priority"] if " B plan " in label or " C plan " in label
    ]
    assert dated == [
        "Priority 1: C plan 1",
        "Priority 3: C plan 3",
        "Priority 1: B plan 1",
        "Priority 2: B plan 2",
    ]
    assert all("Not ours" not in label for _pk, label in lists["priority"])
    client.force_login(officer)
    page = client.get(URL).content.decode()
    assert '<option value="" selected>All priorities</option>' in page
    assert (
        f'<option value="{newer.priorities.get(number=3).pk}">Priority 3: C plan 3</option>' in page
    )


# Date inputs -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dates_are_typed_as_day_month_and_year(client, seed, chair):
    client.force_login(chair)
    html = client.get(URL).content.decode()
    for name in ("due_from", "due_by", "not_updated_since"):
        for part in ("_0", "_1", "_2"):
            assert f'name="{name}{part}"' in html
    assert 'type="date"' not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("31", "2", "2027"), "Due from must be a real date"),
        (("1", "", "2027"), "Due from must include a month"),
        (("1", "3", "27"), "Due from must include a year with 4 numbers, like 2027"),
        (("one", "3", "2027"), "Due from must be a real date, written in numbers"),
    ],
)
def test_a_wrong_date_says_what_is_wrong(client, seed, chair, parts, message):
    client.force_login(chair)
    params = {f"due_from_{n}": value for n, value in enumerate(parts)}
    response = client.get(URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'href="#id_due_from"' in html  # the error summary points at the day box
    assert 'id="id_due_from"' in html
    assert "govuk-form-group--error" in html


@pytest.mark.django_db
def test_due_from_and_due_by_give_a_range(client, seed, chair):
    actions = Action.objects.visible_to(chair).for_list().exclude(effective_due=None)
    days = sorted({a.effective_due for a in actions})
    assert len(days) > 3
    start, end = days[1], days[-2]
    client.force_login(chair)
    params = {
        **{f"due_from_{n}": v for n, v in enumerate((start.day, start.month, start.year))},
        **{f"due_by_{n}": v for n, v in enumerate((end.day, end.month, end.year))},
    }
    response = client.get(URL, {**params, "sort": "due"})
    found = [a.effective_due for a in response.context["page"].paginator.object_list]
    assert found and all(start <= due <= end for due in found)
    assert min(found) == start
    expected = {
        a.pk
        for a in actions.not_complete()
        if start <= a.effective_due <= end  # due_by keeps its "open actions" meaning
    }
    assert {a.pk for a in response.context["page"].paginator.object_list} == expected


@pytest.mark.django_db
def test_links_with_one_iso_date_still_filter(client, seed, chair):
    """The dashboard links to `?due_by=YYYY-MM-DD`."""
    client.force_login(chair)
    later = date.today() + timedelta(days=400)
    response = client.get(URL, {"due_by": later.isoformat()})
    assert not response.context["filter"].form.errors
    applied = response.context["applied"]["filters"]
    assert [(i["label"], query_of(i["href"]).dict()) for i in applied] == [("Due by", {})]
    assert client.get(URL, {"due_by": "soon"}).context["filter"].form.errors


# Layout ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_all_actions_uses_the_wide_container_and_the_dashboard_does_not(client, seed, chair):
    client.force_login(chair)
    assert "app-width-container--wide" in client.get(URL).content.decode()
    dashboard = client.get(reverse("oversight:dashboard")).content.decode()
    assert "app-width-container--wide" not in dashboard
