"""The seed documents load completely, exactly once, and as the timescale parser reads them."""

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError

from plans.models import (
    Action,
    Agency,
    FocusCohort,
    Group,
    Milestone,
    Objective,
    Partnership,
    Plan,
    Priority,
    RagUpdate,
)
from plans.timescales import parse_timescale
from reviews.models import CaseReview, Recommendation
from tests.factories import make_update
from workstreams.models import Workstream

FIXTURES = sorted((Path(settings.BASE_DIR) / "fixtures").glob("*.json"))
PLAN = "ncscp-business-plan-2019-22"


def all_row_counts():
    """Rows in every table, history included: what a second load must not change."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_fixtures_name_rows_by_natural_key_only():
    for path in FIXTURES:
        for obj in json.loads(path.read_text()):
            assert "pk" not in obj, f"{path.name}: {obj['model']} has a primary key"


def test_no_personal_data_about_children_in_fixtures():
    for path in FIXTURES:
        assert "ethnicity" not in path.read_text().lower(), path.name


@pytest.mark.django_db
def test_structure_loads(seed):
    assert set(Partnership.objects.values_list("short_name", flat=True)) == {"NCSCP", "NSCP"}
    assert Agency.objects.count() == 15
    assert Group.objects.count() == 18
    csecag = Group.objects.get(slug="csecag")
    assert {p.short_name for p in csecag.partnerships.all()} == {"NCSCP", "NSCP"}
    assert Group.objects.get(slug="ncscp-bmg").parent.slug == "ncscp-strategic-board"


@pytest.mark.django_db
def test_business_plan_loads_completely(seed):
    plan = Plan.objects.get(slug=PLAN)
    assert plan.partnership.short_name == "NCSCP"
    assert Priority.objects.filter(plan=plan).count() == 3
    assert FocusCohort.objects.filter(plan=plan).count() == 14
    per_objective = Counter(
        Action.objects.filter(parent__objective__plan=plan).values_list(
            "parent__objective__number", flat=True
        )
    )
    assert [per_objective[n] for n in range(1, 14)] == [1, 3, 2, 3, 3, 1, 3, 1, 1, 1, 3, 2, 5]
    # Nothing invented: the source does not say which priority an objective serves.
    assert not Objective.objects.filter(plan=plan, priority__isnull=False).exists()


@pytest.mark.django_db
def test_business_plan_rows_split_across_pages_are_joined(seed):
    objective = Objective.objects.get(plan__slug=PLAN, number=2)
    assert objective.text.endswith(
        "in line with the Family Support Pathway by all agencies across the partnership."
    )
    first = objective.actions.get(position=1)
    assert "Early Help Assessment process against the four quadrants" in first.text
    assert first.milestones.count() == 3
    assert first.due_date.isoformat() == "2020-02-29"
    thirteen = Objective.objects.get(plan__slug=PLAN, number=13).actions.order_by("position")
    assert thirteen.last().text.startswith("Undertake further work with schools")
    assert "ncscp-childrens-qa" in first.lead_groups.values_list("slug", flat=True)


@pytest.mark.django_db
def test_workstreams_load_completely(seed):
    workstreams = Workstream.objects.filter(partnership__short_name="NSCP").order_by("number")
    assert workstreams.count() == 7
    counts = [ws.actions.count() for ws in workstreams]
    assert counts == [5, 7, 10, 3, 4, 3, 1]
    assert sum(counts) == 33
    cse = workstreams.get(number=1)
    assert cse.title == "Child Sexual Exploitation"
    assert list(cse.reviews.values_list("code", flat=True)) == ["QN17"]
    strategy = workstreams.get(title="Strategy discussions")
    assert "MN15" in strategy.reviews.values_list("code", flat=True)


@pytest.mark.django_db
def test_an09_loads_every_agency_section(seed):
    review = CaseReview.objects.get(partnership__short_name="NSCP", code="AN09")
    recs = Recommendation.objects.filter(review=review)
    assert recs.count() == 58
    assert Action.objects.filter(parent__recommendation__review=review).count() == 84
    sections = Counter(rec.section_label for rec in recs.select_related("agency"))
    assert sections == {
        "Broxtowe Borough Council": 7,
        "Framework Housing Association": 4,
        "Nottingham University Hospitals NHS Trust": 4,
        "Nottinghamshire Children and Young People's Services": 9,
        "Nottinghamshire HealthCare NHS Trust": 8,
        "NHS Nottinghamshire County": 5,
        "CitiHealth NHS Nottingham": 6,
        "Sherwood Forest Hospitals NHS Foundation Trust": 2,
        "Barnardo's": 3,
        "Derbyshire Children and Younger Adults": 2,
        "Derbyshire Police": 1,
        "Overview report": 7,
    }
    added = recs.filter(source=Recommendation.Source.ADDED)
    assert added.count() == 3
    assert all("Ofsted evaluation letter June 2010" in rec.provenance for rec in added)


@pytest.mark.django_db
def test_an09_split_rows_and_bullets(seed):
    recs = Recommendation.objects.filter(review__code="AN09")
    joined = recs.get(text__startswith="Amend Broxtowe Child Protection procedure")
    assert "Safeguarding Children Information Management Team whenever" in joined.text
    following = recs.get(number=joined.number + 1)
    assert following.text == "Improve system for recording all issues of concern."
    assert following.actions.get().lead_text == "Strategy and Performance Manager"
    framework = recs.filter(agency__name="Framework Housing Association").order_by("number")
    assert framework.first().actions.count() == 3  # one action per bullet
    pathway = Action.objects.get(
        parent__recommendation__agency__name="Barnardo's",
        text__icontains="pathway plan",
        text__contains="\n- ",
    )
    assert pathway.text.count("\n- ") >= 3  # the parts of one action stay together
    assert "<" not in "".join(Action.objects.values_list("text", flat=True))


@pytest.mark.django_db
def test_due_dates_and_milestones_are_the_parsers(seed):
    milestones = {}
    for action_id, due in Milestone.objects.values_list("action_id", "due"):
        milestones.setdefault(action_id, set()).add(due)
    for action in Action.objects.all():
        parsed = parse_timescale(action.timescale)
        assert action.due_date == parsed.due, action.ref
        assert milestones.get(action.pk, set()) == set(parsed.dates), action.ref


@pytest.mark.django_db
def test_progress_columns_stay_empty_and_loaded_rows_have_history(seed):
    assert RagUpdate.objects.count() == 0
    assert Action.history.values("id").distinct().count() == Action.objects.count()
    assert Objective.history.count() >= 13


@pytest.mark.django_db
def test_loading_twice_creates_nothing(seed):
    before = all_row_counts()
    call_command("load_seed", verbosity=0)
    call_command("loaddata", *[str(p) for p in FIXTURES], verbosity=0)
    assert all_row_counts() == before


@pytest.mark.django_db
def test_loading_again_keeps_what_was_recorded_since(seed, django_user_model):
    """`make run` loads the seed on every start: a second start must not put the seed's
    empty ratings and dates back over the updates and revised dates recorded since."""
    user = django_user_model.objects.create_user("t-officer")
    action = Action.objects.order_by("pk").first()
    make_update(action=action, rating="amber", as_of=date(2026, 1, 5), author=user)
    action.refresh_from_db()
    action.revised_due_date, action.revision_reason = date(2027, 3, 31), "Agreed at BMG"
    action._history_user = user
    action.save()
    call_command("load_seed", verbosity=0)
    action.refresh_from_db()
    assert (action.current_rating, action.revised_due_date) == ("amber", date(2027, 3, 31))
    # Asked for, the seed is loaded over what is stored.
    call_command("load_seed", "--reload", verbosity=0)
    action.refresh_from_db()
    assert action.revised_due_date is None


@pytest.mark.django_db
def test_a_malformed_fixture_fails_and_leaves_the_database_as_it_was(seed, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            [
                {"model": "plans.partnership", "fields": {"short_name": "NEW", "name": "New one"}},
                {
                    "model": "plans.action",
                    "fields": {"ref": "x-1", "parent": ["no-such-parent"], "text": "Orphan"},
                },
            ]
        )
    )
    before = all_row_counts()
    with pytest.raises((DatabaseError, CommandError, Exception)) as error:
        call_command("loaddata", str(bad), verbosity=0)
    assert "Problem installing fixture" in str(error.value) or "does not exist" in str(error.value)
    assert all_row_counts() == before
    assert not Partnership.objects.filter(short_name="NEW").exists()


@pytest.mark.django_db
def test_a_theme_leads_from_the_review_that_raised_it_to_the_workstream_answering_it(seed):
    from plans.models import Theme

    theme = Theme.objects.get(slug="strategy-discussions")
    assert list(theme.reviews.values_list("code", flat=True)) == ["MN15"]
    assert list(theme.workstreams.values_list("title", flat=True)) == ["Strategy discussions"]
    assert not Workstream.history.filter(ref="").exists()  # history rows carry the parent fields
