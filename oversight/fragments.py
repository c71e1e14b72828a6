"""Rendered page fragments cached under the version of the data they show.

The key of a fragment names everything it depends on: the data version (the newest history
row of every tracked table, so any recorded change anywhere gives new keys), the day (for
"overdue" and "due soon"), the reader's scope and the query. A stale fragment can then never
be served; old ones simply age out. The cache is Django's (per process by default), and
nothing in it is needed by another process: a process without the fragment renders it.
"""

import functools
import hashlib

from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone

from plans.access import scope_for
from plans.history import tracked_models

TIMEOUT = 300


@functools.cache
def _version_sql():
    """The query, built once: the schema, not the data, decides it."""
    quote = connection.ops.quote_name
    tables = [model.history.model._meta.db_table for model in tracked_models()]
    # Table names come from the models, never from input. ORDER BY ... LIMIT 1 rather than
    # MAX(): the same index walk, but PostgreSQL plans it in half the time, and with some
    # forty tables the planning was most of the query's cost.
    newest = "(SELECT history_id FROM {} ORDER BY history_id DESC LIMIT 1)"
    return "SELECT " + ", ".join(newest.format(quote(table)) for table in tables)


def data_version():
    """One short query: the newest history id of each tracked table."""
    with connection.cursor() as cursor:
        cursor.execute(_version_sql())
        return ".".join(str(value or 0) for value in cursor.fetchone())


def reader_key(user, per_user):
    if per_user:
        return f"u{user.pk}"
    return scope_for(user).reading_key


def fragment(request, name, template, context_fn, *, per_user=False):
    """The rendered `template` for this request, from the cache when nothing has changed.

    `context_fn()` builds the template's context; it runs (and queries) only on a miss.
    """
    raw = "|".join(
        [
            name,
            data_version(),
            timezone.localdate().isoformat(),
            reader_key(request.user, per_user),
            request.GET.urlencode(),
        ]
    )
    key = "fragment:" + hashlib.sha256(raw.encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        html = render_to_string(template, context_fn(), request)
        cache.set(key, html, TIMEOUT)
    return html
