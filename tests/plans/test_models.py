from datetime import date

import pytest
from django.db import IntegrityError, transaction

from oversight.models import Meeting
from plans.models import Action, ActionParent, Objective, Plan, RagUpdate, Rating, Role
from tests.factories import make_update


@pytest.fixture
def objective(ncscp):
    plan = Plan.objects.create(partnership=ncscp, slug="bp", title="Business plan")
    return Objective.objects.create(
        ref="bp-obj-1", kind="objective", partnership=ncscp, plan=plan, number=1, text="Aim"
    )


def refused(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


@pytest.mark.django_db
def test_an_action_with_no_parent_is_refused_by_the_database(objective):
    refused(lambda: Action.objects.create(ref="orphan", parent=None, text="x"))
    assert not Action.objects.filter(ref="orphan").exists()


@pytest.mark.django_db
def test_an_action_has_one_parent_column_so_it_cannot_name_two():
    parent_fields = [
        f.name
        for f in Action._meta.get_fields()
        if f.is_relation
        and f.related_model is not None
        and issubclass(f.related_model, ActionParent)
    ]
    assert parent_fields == ["parent"]
    assert not Action._meta.get_field("parent").null


@pytest.mark.django_db
def test_two_actions_cannot_share_a_position_under_one_parent(objective):
    Action.objects.create(ref="a1", parent=objective, position=1, text="x")
    refused(lambda: Action.objects.create(ref="a2", parent=objective, position=1, text="y"))


@pytest.mark.django_db
def test_a_revised_due_date_needs_a_reason(objective):
    refused(
        lambda: Action.objects.create(
            ref="a1", parent=objective, text="x", revised_due_date=date(2020, 1, 1)
        )
    )


@pytest.mark.django_db
def test_ratings_outside_the_scale_are_refused(objective, admin_user):
    action = Action.objects.create(ref="a1", parent=objective, text="x")
    refused(
        lambda: make_update(
            action=action, rating="purple", as_of=date(2020, 1, 1), author=admin_user
        )
    )


@pytest.mark.django_db
def test_a_chair_role_must_name_a_group(ncscp, django_user_model):
    user = django_user_model.objects.create_user("someone")
    refused(lambda: Role.objects.create(user=user, partnership=ncscp, kind=Role.Kind.CHAIR))


@pytest.mark.django_db
def test_a_meeting_deadline_cannot_follow_the_meeting(qa_group):
    refused(
        lambda: Meeting.objects.create(
            group=qa_group, date=date(2020, 6, 1), update_deadline=date(2020, 6, 2)
        )
    )


@pytest.mark.django_db
def test_the_current_rating_is_the_latest_update(objective, admin_user):
    action = Action.objects.create(ref="a1", parent=objective, text="x")
    for as_of, rating in [
        (date(2020, 1, 1), Rating.RED),
        (date(2020, 3, 1), Rating.GREEN),
        (date(2020, 2, 1), Rating.AMBER),
    ]:
        make_update(action=action, rating=rating, as_of=as_of, author=admin_user)
    listed = Action.objects.for_list().get(pk=action.pk)
    assert (listed.latest_rating, listed.latest_as_of) == (Rating.GREEN, date(2020, 3, 1))


@pytest.mark.django_db
def test_the_latest_update_pointer_follows_saves_bulk_writes_and_deletes(objective, admin_user):
    from plans.history import create_with_history

    action = Action.objects.create(ref="a1", parent=objective, text="x")
    older = make_update(action=action, rating=Rating.RED, as_of=date(2020, 5, 1), author=admin_user)
    # Saved later but speaking for an earlier date: not the current rating.
    make_update(action=action, rating=Rating.GREEN, as_of=date(2020, 4, 1), author=admin_user)
    action.refresh_from_db()
    assert action.latest_update == older
    (bulk,) = create_with_history(
        RagUpdate,
        [RagUpdate(action=action, rating=Rating.AMBER, as_of=date(2020, 6, 1), author=admin_user)],
        user=admin_user,
    )
    assert Action.objects.for_list().get(pk=action.pk).latest_rating == Rating.AMBER
    RagUpdate.objects.get(rating=Rating.AMBER).delete()
    assert Action.objects.for_list().get(pk=action.pk).latest_rating == Rating.RED
    RagUpdate.objects.filter(action=action).delete()
    assert Action.objects.for_list().get(pk=action.pk).latest_rating is None
