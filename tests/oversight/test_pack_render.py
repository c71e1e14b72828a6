"""The pack made in the background: a request never renders, two requests for the same pack
share one render, a failed or lost render is reported (never left waiting), and a past
meeting's pack keeps its version while a draft's changes with every update.

These tests put tasks on the database queue (django-tasks-db), as production does, and run the
worker's own `run_task` on them; the rest of the suite runs tasks at once (settings_test).
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from oversight import renders
from oversight.models import Meeting, PackRecord, PackRender
from plans.models import Rating
from tests.oversight.test_pack import build_world, pdf_pages, rate

DATABASE_QUEUE = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "packs"]}
}


@pytest.fixture
def world(ncscp, django_user_model):
    return build_world(ncscp, django_user_model)


@pytest.fixture
def queue(settings):
    settings.TASKS = DATABASE_QUEUE


def run_worker():
    """What `manage.py db_worker --queue-name packs` does with each waiting task."""
    worker = Worker(
        queue_names=["packs"], interval=0, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="test-worker", excluded_queue_names=[],
    )  # fmt: skip
    ran = 0
    while (task := DBTaskResult.objects.ready().filter(queue_name="packs").first()) is not None:
        task.claim(worker.worker_id)
        worker.run_task(task)
        ran += 1
    return ran


def urls(meeting):
    return (
        reverse("oversight:meeting_pack_pdf", args=[meeting.pk]),
        reverse("oversight:meeting_pack_render", args=[meeting.pk]),
    )


@pytest.mark.django_db
def test_two_requests_wait_for_one_render(client, world, queue, viewer, officer):
    meeting = world.meetings[1]
    pdf_url, render_url = urls(meeting)
    for user in (viewer, officer):
        client.force_login(user)
        response = client.get(pdf_url)
        assert response.status_code == 302 and response.url == render_url
    assert PackRender.objects.count() == 1
    assert DBTaskResult.objects.count() == 1  # one job on the queue, not two
    page = client.get(render_url).content.decode()
    assert "The pack is waiting to be made" in page
    assert '<meta http-equiv="refresh" content="3">' in page and "Check again" in page

    assert run_worker() == 1
    render = PackRender.objects.get()
    assert render.status == PackRender.Status.DONE and render.pages > 1
    page = client.get(render_url).content.decode()
    assert "The pack is ready" in page and "http-equiv" not in page
    assert pdf_url in page
    for user in (viewer, officer):
        client.force_login(user)
        response = client.get(pdf_url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert "BMG June 2021" in pdf_pages(response.content)[0]
    assert PackRender.objects.count() == 1 and run_worker() == 0
    assert PackRecord.objects.filter(meeting=meeting).count() == 2  # each download recorded


@pytest.mark.django_db
def test_a_failed_render_is_reported_and_can_be_tried_again(
    client, world, queue, officer, monkeypatch
):
    meeting = world.meetings[1]
    pdf_url, render_url = urls(meeting)

    def broken(html, *, variant=None, in_parts=False):
        raise RuntimeError("no fonts on this worker")

    monkeypatch.setattr(renders, "render_pdf", broken)
    client.force_login(officer)
    assert client.get(pdf_url).status_code == 302
    run_worker()
    render = PackRender.objects.get()
    assert render.status == PackRender.Status.FAILED
    page = client.get(render_url).content.decode()
    assert "The pack could not be made" in page
    assert "RuntimeError: no fonts on this worker" in page
    assert "http-equiv" not in page  # nothing to wait for
    # Asking again shows the failure rather than queueing render after render.
    assert client.get(pdf_url).url == render_url
    assert run_worker() == 0

    monkeypatch.undo()
    response = client.post(render_url)  # Try again
    assert response.status_code == 302 and response.url == render_url
    assert run_worker() == 1
    assert client.get(pdf_url).status_code == 200
    assert list(PackRender.objects.values_list("status", flat=True)) == ["done"]


@pytest.mark.django_db
def test_a_render_without_a_worker_is_reported_not_left_waiting(client, world, queue, officer):
    meeting = world.meetings[1]
    pdf_url, render_url = urls(meeting)
    client.force_login(officer)
    client.get(pdf_url)
    render = PackRender.objects.get()
    render.requested_at = timezone.now() - timedelta(minutes=11)
    render.save(update_fields=["requested_at"])
    page = client.get(render_url).content.decode()
    assert "The pack could not be made" in page
    assert "not finished within 10 minutes" in page
    assert PackRender.objects.get().status == PackRender.Status.FAILED


@pytest.mark.django_db
def test_a_past_pack_keeps_its_version_and_a_draft_changes_with_each_update(world):
    past = world.meetings[1]
    draft = Meeting.objects.create(
        group=world.bmg, date=date(2099, 1, 20), update_deadline=date(2099, 1, 6)
    )
    before = (
        renders.render_key(past, world.partnership)[0],
        renders.render_key(draft, world.partnership)[0],
    )
    rate(world.a11, Rating.GREEN, "A new update, long after June 2021", world.author, date.today())
    after = (
        renders.render_key(past, world.partnership)[0],
        renders.render_key(draft, world.partnership)[0],
    )
    assert before[0] == after[0]  # recorded after its deadline: the past pack is unchanged
    assert before[1] != after[1]  # the draft shows it: a new render


@pytest.mark.django_db
def test_a_new_render_replaces_the_stored_one(client, world, officer):
    """Renders run at once here (settings_test): the superseded PDF is not kept."""
    draft = Meeting.objects.create(
        group=world.bmg, date=date(2099, 1, 20), update_deadline=date(2099, 1, 6)
    )
    pdf_url, _ = urls(draft)
    client.force_login(officer)
    assert client.get(pdf_url).status_code == 200
    rate(world.a11, Rating.GREEN, "Another update", world.author, date.today())
    assert client.get(pdf_url).status_code == 200
    assert PackRender.objects.filter(meeting=draft).count() == 1
