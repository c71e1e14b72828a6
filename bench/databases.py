"""Each benchmark works in a PostgreSQL database of its own on DATABASE_URL's server."""

import os
import sys
from urllib.parse import urlsplit, urlunsplit


def server_url(script):
    """DATABASE_URL (default: the local server), or exit saying the benchmark needs it."""
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"{script} needs PostgreSQL: set DATABASE_URL to a postgres:// URL")
    return url


def with_database(url, name):
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def create_database(url, name, *, replace=True):
    """Create database `name` on `url`'s server, dropping an old one first unless `replace`
    is False (then an existing one is kept)."""
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        if not replace:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if exists.fetchone():
                return
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url, name):
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
