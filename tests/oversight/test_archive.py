"""Plans, workstreams and reviews are archived, never deleted, and can be restored."""

import pytest
from django.urls import reverse

from plans.models import Action, ActionParent, Objective, Plan
from reviews.models import CaseReview, Recommendation
from workstreams.models import Workstream

PLAN = "ncscp-business-plan-2019-22"


def plan_actions():
    return Action.objects.filter(parent__objective__plan__slug=PLAN)


def archive(client, kind, pk):
    return client.post(reverse("oversight:archive_object", args=[kind, pk]))


def restore(client, kind, pk):
    return client.post(reverse("oversight:restore_object", args=[kind, pk]))


def test_archiving_a_plan_hides_it_and_its_actions_and_keeps_everything(client, seed, officer):
    plan = Plan.objects.get(slug=PLAN)
    actions_before = plan_actions().count()
    history_before = Plan.history.count() + Objective.history.count()
    client.force_login(officer)
    confirm = client.get(reverse("oversight:archive_object", args=["plan", plan.pk]))
    assert "Archive this business plan?" in confirm.content.decode()

    response = archive(client, "plan", plan.pk)
    assert response.status_code == 302 and response["Location"] == reverse("oversight:archive_list")

    plan.refresh_from_db()
    assert plan.archived_at is not None
    assert plan_actions().count() == actions_before  # nothing deleted
    objectives = Objective.objects.filter(plan=plan)
    assert objectives.filter(archived_at__isnull=True).count() == 0
    # One history row for the plan and one per objective, naming the officer.
    new_rows = list(Plan.history.filter(id=plan.pk).order_by("-history_id")[:1]) + list(
        Objective.history.filter(plan_id=plan.pk, archived_at__isnull=False)
    )
    assert Plan.history.count() + Objective.history.count() == history_before + 1 + len(objectives)
    assert {row.history_user for row in new_rows} == {officer}

    assert client.get(reverse("plans:plan_detail", args=[PLAN])).status_code == 404
    assert PLAN not in client.get(reverse("plans:plan_list")).content.decode()
    listed = client.get(reverse("oversight:action_list") + "?source=objective").content.decode()
    an_action = plan_actions().first()
    assert reverse("plans:action_detail", args=[an_action.pk]) not in listed
    export = client.get(reverse("oversight:action_export", args=["csv"])).content.decode()
    assert an_action.text.splitlines()[0][:40] not in export
    assert client.get(reverse("plans:action_detail", args=[an_action.pk])).status_code == 404

    archived = client.get(reverse("oversight:archive_list")).content.decode()
    assert plan.title in archived and "t-officer" in archived


def test_restoring_brings_everything_back_as_it_was(client, seed, officer):
    plan = Plan.objects.get(slug=PLAN)
    client.force_login(officer)
    archive(client, "plan", plan.pk)
    response = restore(client, "plan", plan.pk)
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:plan_detail", args=[PLAN])
    plan.refresh_from_db()
    assert plan.archived_at is None
    assert not ActionParent.objects.filter(archived_at__isnull=False).exists()
    assert client.get(reverse("plans:plan_detail", args=[PLAN])).status_code == 200
    assert plan.history.count() >= 3  # created, archived, restored


def test_archiving_a_review_archives_its_recommendations(client, seed, django_user_model):
    from plans.models import Role

    review = CaseReview.objects.get(code="AN09")
    officer = django_user_model.objects.create_user("t-nscp-officer", password="x" * 12)
    Role.objects.create(user=officer, partnership=review.partnership, kind=Role.Kind.BOARD_OFFICER)
    client.force_login(officer)
    assert archive(client, "review", review.pk).status_code == 302
    assert not Recommendation.objects.filter(review=review, archived_at__isnull=True).exists()
    assert client.get(reverse("reviews:review_detail", args=[review.pk])).status_code == 404
    review_link = reverse("reviews:review_detail", args=[review.pk])
    assert review_link not in client.get(reverse("reviews:review_list")).content.decode()
    restore(client, "review", review.pk)
    assert client.get(reverse("reviews:review_detail", args=[review.pk])).status_code == 200


def test_archived_workstream_leaves_the_workstreams_page(client, seed, django_user_model):
    from plans.models import Role

    workstream = Workstream.objects.order_by("number").first()
    officer = django_user_model.objects.create_user("t-nscp-officer", password="x" * 12)
    Role.objects.create(
        user=officer, partnership=workstream.partnership, kind=Role.Kind.BOARD_OFFICER
    )
    client.force_login(officer)
    url = reverse("workstreams:workstream_list", args=[workstream.partnership.short_name])
    section = f'id="ws-{workstream.number}"'
    assert section in client.get(url).content.decode()
    archive(client, "workstream", workstream.pk)
    assert section not in client.get(url).content.decode()


@pytest.mark.parametrize("who", ["viewer", "chair"])
def test_only_officers_archive(client, seed, request, who):
    user = request.getfixturevalue(who)
    plan = Plan.objects.get(slug=PLAN)
    client.force_login(user)
    assert archive(client, "plan", plan.pk).status_code == 403
    assert client.get(reverse("oversight:archive_list")).status_code == 403
    plan.refresh_from_db()
    assert plan.archived_at is None


def test_another_partnerships_plan_is_not_found(client, seed, outsider):
    plan = Plan.objects.get(slug=PLAN)
    client.force_login(outsider)
    assert archive(client, "plan", plan.pk).status_code == 404
    assert client.get(reverse("oversight:archive_object", args=["user", 1])).status_code == 404


def test_archived_plan_is_left_out_of_later_packs_but_not_earlier_ones(seed):
    from datetime import timedelta
    from unittest import mock

    from django.utils import timezone

    from oversight.models import Meeting
    from oversight.pack import build_pack
    from plans.models import Group

    plan = Plan.objects.get(slug=PLAN)
    bmg = Group.objects.create(slug="t-bmg", name="BMG", kind="bmg")
    bmg.partnerships.add(plan.partnership)
    today = timezone.localdate()
    first = Meeting.objects.create(
        group=bmg, date=today + timedelta(days=14), update_deadline=today
    )
    second = Meeting.objects.create(
        group=bmg, date=today + timedelta(days=60), update_deadline=today + timedelta(days=40)
    )
    refs = {item.row["id"] for item in build_pack(first).items}
    # Archived ten days after the first deadline (history dated then).
    later = timezone.now() + timedelta(days=10)
    with mock.patch("django.utils.timezone.now", return_value=later):
        plan.archive()
    plan_refs = set(plan_actions().values_list("pk", flat=True))
    assert plan_refs and plan_refs <= refs
    assert {item.row["id"] for item in build_pack(first).items} == refs
    assert not {item.row["id"] for item in build_pack(second).items} & plan_refs


@pytest.mark.parametrize(
    "url_name,model",
    [
        ("admin:plans_plan_delete", Plan),
        ("admin:reviews_casereview_delete", CaseReview),
        ("admin:workstreams_workstream_delete", Workstream),
        ("admin:plans_action_delete", Action),
    ],
)
def test_the_admin_cannot_delete_anything_with_history(client, seed, admin_user, url_name, model):
    obj = model.objects.first()
    client.force_login(admin_user)
    assert client.post(reverse(url_name, args=[obj.pk]), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()
    changelist = url_name.replace("_delete", "_changelist")
    response = client.post(
        reverse(changelist), {"action": "delete_selected", "_selected_action": [obj.pk]}
    )
    assert model.objects.filter(pk=obj.pk).exists()
    assert response.status_code in {200, 302}


def test_people_are_made_inactive_not_deleted(client, seed, admin_user, viewer):
    client.force_login(admin_user)
    response = client.post(reverse("admin:auth_user_delete", args=[viewer.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert type(viewer).objects.filter(pk=viewer.pk).exists()
    assert viewer.roles.exists()
