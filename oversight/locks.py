"""Jobs that must run on one server at a time, whichever of several app servers starts them.

A PostgreSQL advisory lock is held by the database, not by any one process, so cron can run
the same command on every app server: the first takes the lock and does the work, the others
see it taken and stop at once. (On SQLite, which only ever serves one machine, the lock is
always granted.) Sending stays safe even without it: ReminderLog's unique constraint makes a
second insert for the same reminder fail, so nothing is sent twice.

Session-level advisory locks need a real connection per process: if a pooler such as
PgBouncer sits in between, run it in session pooling mode for the cron commands.
"""

import zlib
from contextlib import contextmanager

from django.db import connection


def lock_key(name):
    # A stable 32-bit number for the name (PostgreSQL takes a bigint key).
    return zlib.crc32(f"safeguarding:{name}".encode())


@contextmanager
def single_run(name):
    """Yields True while this process holds the named lock, or False if another one does."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = lock_key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
