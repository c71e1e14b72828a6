"""BMG pack PDFs made in the background: one render per meeting and version of the data, by a
worker, kept in the database and served from there.

A web request never lays out a pack. Asking for one (`request_render`) either finds the render
for the current version of the data, finished or on its way, or creates one and puts it on the
"packs" queue of Django's tasks framework (django-tasks-db's DatabaseBackend: the queue is a
table, so any app server may ask and any worker may run it). The worker (`manage.py db_worker
--queue-name packs`) makes the PDF and stores the bytes on the render; the page polls it.

The version: the newest history row of every tracked table recorded before the pack's cutoff,
whether the pack is still a draft, and LAYOUT. A past meeting's pack keeps its version (later
rows are after its cutoff), so it is rendered once; a draft gets a new version with every
update, as its content changes. Two requests for the same version find the same row (a unique
constraint makes the second creator wait and then find the first's).
"""

import functools
import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.tasks import task
from django.utils import timezone

from plans.history import tracked_models
from plans.pdf import render_pdf

from .cycle import cutoff
from .models import PackRender
from .pack import build_pack, render_pack_html

logger = logging.getLogger(__name__)

# Change when the pack's layout changes, so stored renders of the old layout are not served.
LAYOUT = "3"


@functools.cache
def _version_sql():
    """One query, built once: the newest history id of each tracked table before a moment."""
    quote = connection.ops.quote_name
    newest = "(SELECT MAX(history_id) FROM {} WHERE history_date < %s)"
    tables = [model.history.model._meta.db_table for model in tracked_models()]
    return "SELECT " + ", ".join(newest.format(quote(table)) for table in tables), len(tables)


def data_version_at(moment):
    sql, count = _version_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [moment] * count)
        return ".".join(str(value or 0) for value in cursor.fetchone())


def render_key(meeting, partnership, now=None):
    """(key, as_at) of the pack as it would be made now."""
    as_at = cutoff(meeting.update_deadline)
    final = (now or timezone.now()) >= as_at
    raw = "|".join(
        [LAYOUT, str(meeting.pk), str(partnership.pk), as_at.isoformat(), str(final)]
        + [data_version_at(as_at)]
    )
    return hashlib.sha256(raw.encode()).hexdigest(), as_at


def timeout():
    return timedelta(seconds=settings.PACK_RENDER_TIMEOUT_SECONDS)


def current_render(meeting, partnership, now=None):
    """The latest render of the current version (without its bytes), or None."""
    now = now or timezone.now()
    key, _ = render_key(meeting, partnership, now)
    render = (
        PackRender.objects.defer("pdf")
        .filter(meeting=meeting, partnership=partnership, key=key)
        .order_by("-requested_at", "-pk")
        .first()
    )
    return render.give_up_if_stuck(now, timeout()) if render else None


def request_render(meeting, partnership, *, by, retry=False):
    """The render of the pack as it stands now: the one already made or on its way, or a new
    one put on the queue. A failed render is reported as it is, unless `retry`."""
    now = timezone.now()
    render = current_render(meeting, partnership, now)
    if render is not None and not (render.is_failed and retry):
        return render
    key, as_at = render_key(meeting, partnership, now)
    try:
        with transaction.atomic():
            render = PackRender.objects.create(
                meeting=meeting, partnership=partnership, key=key, as_at=as_at, requested_by=by
            )
    except IntegrityError:
        # Another request created it a moment ago: wait for that one.
        return current_render(meeting, partnership, now)
    render_pack.enqueue(render.pk)
    return PackRender.objects.defer("pdf").get(pk=render.pk)  # as the worker left it, if done


def queue_position(render):
    """How many renders asked for earlier are still waiting or being made."""
    return PackRender.objects.filter(
        status__in=[PackRender.Status.QUEUED, PackRender.Status.RUNNING],
        requested_at__lt=render.requested_at,
    ).count()


def person(user):
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@task(queue_name="packs")
def render_pack(render_pk):
    """The worker's job: lay out the pack and keep the PDF on the render. A failure is written
    on the render for the page to report; it never leaves the render waiting."""
    render = PackRender.objects.defer("pdf").select_related("meeting__group").get(pk=render_pk)
    if not render.is_pending:
        return render.status
    render.start(timezone.now())
    try:
        pack = build_pack(
            render.meeting,
            partnership=render.partnership,
            generated_by=person(render.requested_by),
        )
        pdf = render_pdf(render_pack_html(pack), in_parts=True)
    except Exception as exc:
        logger.exception("Pack render %s failed", render.pk)
        render.fail(f"{type(exc).__name__}: {exc}", now=timezone.now())
        return render.status
    render.finish(pdf, now=timezone.now())
    superseded = PackRender.objects.filter(
        meeting=render.meeting, partnership=render.partnership
    ).exclude(pk=render.pk)
    superseded.exclude(status__in=[PackRender.Status.QUEUED, PackRender.Status.RUNNING]).delete()
    return render.status
