"""Backups: the whole database survives `pg_dump -Fc` and `pg_restore` unchanged.

Data are committed (transactional tests) so that pg_dump, a separate process, sees them. The
restored copy is compared with the original table by table and row by row, together with
sequence positions, constraints and indexes: everything the app needs to carry on where the
backup left off. The README section "Backups and restore" describes the same commands.
"""

import os
import re
import shutil
import subprocess
import sys
import uuid
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from psycopg import sql

from plans.models import Action, RagUpdate

pytestmark = [
    pytest.mark.serial,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="backups are taken with pg_dump: needs DATABASE_URL=postgres://... (CI has it)",
    ),
    pytest.mark.django_db(transaction=True),
]

REPO = Path(__file__).resolve().parent.parent
QA_ACTION = "ncscp-bp-2019-22-2-1"  # led by the Children's QA subgroup (the chair's group)
OFFICER_ACTION = "ncscp-bp-2019-22-3-1"  # not the chair's: only the board officer may update
TIMEOUT = 120


# --- talking to PostgreSQL outside Django ---


def _libpq(db_name):
    """Connection settings for `db_name` on the server the tests use, as libpq keywords."""
    params = connection.settings_dict
    found = {
        "dbname": db_name,
        "host": params.get("HOST"),
        "port": str(params["PORT"]) if params.get("PORT") else None,
        "user": params.get("USER"),
        "password": params.get("PASSWORD"),
    }
    return {key: value for key, value in found.items() if value}


def _client_env(db_name):
    """Environment for pg_dump/pg_restore/psql: libpq reads PG* variables (the password
    stays out of the process list). With no database, none at all: the command must use the
    URL it is given."""
    names = {"dbname": "PGDATABASE", "host": "PGHOST", "port": "PGPORT", "user": "PGUSER"}
    names["password"] = "PGPASSWORD"
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    if db_name:
        env |= {names[key]: value for key, value in _libpq(db_name).items()}
    return env


def _run(args, db_name=None, env=None, check=True, **kwargs):
    assert shutil.which(args[0]), f"{args[0]} not found: install Debian's postgresql-client"
    return subprocess.run(
        args,
        env=_client_env(db_name) | (env or {}),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=check,
        **kwargs,
    )


@contextmanager
def _connect(db_name):
    with psycopg.connect(**_libpq(db_name), autocommit=True) as conn:
        yield conn


@contextmanager
def _scratch_database():
    """An empty database (from template0, as pg_restore wants), dropped afterwards even when
    the test fails."""
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with _connect("postgres") as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with _connect("postgres") as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextmanager
def _restored_copy(tmp_path):
    """Dump the test database with `pg_dump -Fc`, restore it into a new database, yield the
    new database's name."""
    source = connection.settings_dict["NAME"]
    dump = tmp_path / "backup.dump"
    _run(["pg_dump", "-Fc", "--file", str(dump)], source)
    assert dump.stat().st_size > 0
    with _scratch_database() as target:
        _run(
            ["pg_restore", "--no-owner", "--exit-on-error", "-j", "2", "-d", target, str(dump)],
            target,
        )
        yield target


# --- what a database holds, as Python values ---

TABLES = """
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name
"""
PRIMARY_KEYS = """
    SELECT kcu.table_name, kcu.column_name
    FROM information_schema.table_constraints tc
    JOIN information_schema.key_column_usage kcu
      ON kcu.constraint_schema = tc.constraint_schema AND kcu.constraint_name = tc.constraint_name
    WHERE tc.table_schema = 'public' AND tc.constraint_type = 'PRIMARY KEY'
    ORDER BY kcu.table_name, kcu.ordinal_position
"""
SEQUENCES = """
    SELECT sequencename, increment_by FROM pg_sequences
    WHERE schemaname = 'public' ORDER BY sequencename
"""
# Which column each sequence numbers (serial columns depend "auto", identity columns "internal").
SEQUENCE_OWNERS = """
    SELECT seq.relname, tab.relname, att.attname
    FROM pg_class seq
    JOIN pg_namespace ns ON ns.oid = seq.relnamespace
    JOIN pg_depend dep ON dep.objid = seq.oid AND dep.classid = 'pg_class'::regclass
      AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i')
    JOIN pg_class tab ON tab.oid = dep.refobjid
    JOIN pg_attribute att ON att.attrelid = tab.oid AND att.attnum = dep.refobjsubid
    WHERE seq.relkind = 'S' AND ns.nspname = 'public'
"""
CONSTRAINTS = """
    SELECT rel.relname, con.conname, pg_get_constraintdef(con.oid)
    FROM pg_constraint con
    JOIN pg_class rel ON rel.oid = con.conrelid
    JOIN pg_namespace ns ON ns.oid = rel.relnamespace
    WHERE ns.nspname = 'public' ORDER BY 1, 2
"""
INDEXES = "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
# PostgreSQL prints a definition from its parsed form, and parsing the printed form again can
# move casts and brackets: Django's `kind IN ('a', 'b')` reads `ANY ((ARRAY['a'::character
# varying])::text[])` before a restore and `ANY (ARRAY[('a'::character varying)::text])`
# after. Same rule, so definitions are compared without casts and brackets.
CASTS = re.compile(
    r"::(?:\"[^\"]+\"|[a-z_]+(?: varying| with(?:out)? time zone| precision)?)(?:\[\])?"
)


def _definitions(rows):
    return sorted(
        (table, name, " ".join(CASTS.sub("", text).translate({40: None, 41: None}).split()))
        for table, name, text in rows
    )


def snapshot(db_name):
    """Every row of every table in the public schema, every sequence's position, and the
    constraints and indexes, read from the catalogue rather than from a list kept here."""
    with _connect(db_name) as conn:
        tables = [name for (name,) in conn.execute(TABLES)]
        keys = {}
        for table, column in conn.execute(PRIMARY_KEYS):
            keys.setdefault(table, []).append(column)
        rows, columns = {}, {}
        for table in tables:
            # By primary key; a table without one is ordered by every column, as text so that
            # types without an ordering (json, point) still sort.
            everything = sql.SQL("SELECT * FROM {}").format(sql.Identifier(table))
            columns[table] = [
                c.name for c in conn.execute(everything + sql.SQL(" LIMIT 0")).description
            ]
            if table in keys:
                order = sql.SQL(", ").join(sql.Identifier(column) for column in keys[table])
            else:
                order = sql.SQL(", ").join(
                    sql.SQL("{}::text").format(sql.Identifier(c)) for c in columns[table]
                )
            rows[table] = conn.execute(everything + sql.SQL(" ORDER BY ") + order).fetchall()
        sequences = {}
        for name, increment in conn.execute(SEQUENCES).fetchall():
            last_value, is_called = conn.execute(
                sql.SQL("SELECT last_value, is_called FROM {}").format(sql.Identifier(name))
            ).fetchone()
            sequences[name] = (last_value, is_called, increment)
        return {
            "tables": tables,
            "columns": columns,
            "rows": rows,
            "sequences": sequences,
            "sequence_owners": sorted(conn.execute(SEQUENCE_OWNERS).fetchall()),
            "constraints": _definitions(conn.execute(CONSTRAINTS)),
            "indexes": _definitions(conn.execute(INDEXES)),
        }


def differences(original, restored):
    """What the restored copy lost or changed, one line per table or object; empty when equal."""
    found = []
    if original["tables"] != restored["tables"]:
        missing = sorted(set(original["tables"]) - set(restored["tables"]))
        extra = sorted(set(restored["tables"]) - set(original["tables"]))
        found.append(f"table list differs: missing {missing}, extra {extra}")
    for table, rows in original["rows"].items():
        copy = restored["rows"].get(table)
        if copy is None or copy == rows:
            continue
        first = next(
            (n for n, (a, b) in enumerate(zip(rows, copy, strict=False)) if a != b),
            min(len(rows), len(copy)),
        )
        found.append(
            f"{table}: {len(rows)} rows, restored {len(copy)}; first difference at {first}"
        )
    for name, position in original["sequences"].items():
        if restored["sequences"].get(name) != position:
            found.append(
                f"sequence {name}: {position} restored as {restored['sequences'].get(name)}"
            )
    for part in ("sequence_owners", "constraints", "indexes"):
        lost = sorted(set(original[part]) - set(restored[part]))
        gained = sorted(set(restored[part]) - set(original[part]))
        if lost or gained:
            found.append(f"{part} differ: lost {lost}, gained {gained}")
    return found


def colliding_sequences(state):
    """Sequences whose next value is already taken in the column they number: after such a
    restore the next insert into that table would fail."""
    found = []
    for sequence, table, column in state["sequence_owners"]:
        last_value, is_called, increment = state["sequences"][sequence]
        next_value = last_value + increment if is_called else last_value
        position = state["columns"][table].index(column)
        used = [row[position] for row in state["rows"][table]]
        if used and next_value <= max(used):
            found.append(
                f"{sequence} would next give {next_value}, not above {table}.{column} = {max(used)}"
            )
    return found


def values(state, table, column):
    position = state["columns"][table].index(column)
    return {row[position] for row in state["rows"][table]}


def _database_url(db_name):
    """DATABASE_URL for `db_name` on the test server, for running manage.py against it."""
    params = _libpq(db_name)
    credentials = quote(params.get("user", ""), safe="")
    if params.get("password"):
        credentials += ":" + quote(params["password"], safe="")
    host = params.get("host", "")
    if host.startswith("/"):  # a socket directory goes in the query string
        return f"postgres://{credentials}@/{db_name}?host={quote(host, safe='')}"
    port = f":{params['port']}" if params.get("port") else ""
    return f"postgres://{credentials}@{host}{port}/{db_name}"


# --- the data a backup has to carry ---


def _sign_in(client, user):
    client.logout()
    response = client.post(
        reverse("login"), {"username": user.username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def _post_update(client, ref, **data):
    url = reverse("plans:action_update", args=[Action.objects.get(ref=ref).pk])
    seen = client.get(url).context["form"]["seen"].value()
    response = client.post(url, {"seen": seen, **data})
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.fixture
def used_database(client, chair, officer):
    """The seed plans plus a chair's and an officer's updates made through the pages, signed
    in with their passwords, so there are sessions, history rows naming who acted, and a
    revised due date."""
    call_command("load_seed", verbosity=0)
    _sign_in(client, chair)
    _post_update(
        client,
        QA_ACTION,
        rating="amber",
        comment="Audit report moved to the next cycle",
        revised_due_date_0="30",
        revised_due_date_1="6",
        revised_due_date_2="2027",
        revision_reason="Audit team vacancy",
    )
    _sign_in(client, officer)
    _post_update(client, OFFICER_ACTION, rating="red", comment="Escalated to the board")
    action = Action.objects.get(ref=QA_ACTION)
    assert action.revised_due_date == date(2027, 6, 30)
    assert action.history.latest().history_user == chair
    assert RagUpdate.objects.count() == 2
    return {"chair": chair, "officer": officer}


# --- the tests ---


def test_dump_and_restore_keeps_every_row_its_history_and_the_sequences(tmp_path, used_database):
    original = snapshot(connection.settings_dict["NAME"])
    with _restored_copy(tmp_path) as restored_name:
        restored = snapshot(restored_name)
        # The app accepts the restored database: no migration missing, system checks clean.
        env = {"DATABASE_URL": _database_url(restored_name), "SECRET_KEY": "x", "DEBUG": "off"}
        for command in (["migrate", "--check"], ["check", "--database", "default"]):
            result = _run(
                [sys.executable, "manage.py", *command],
                restored_name,
                env=env,
                cwd=REPO,
                check=False,
            )
            assert result.returncode == 0, result.stdout + result.stderr

    # Non-trivial: the catalogue lists the app's tables, history tables among them, with rows.
    assert len(original["tables"]) >= 20
    for table in (
        "plans_action",
        "plans_historicalaction",
        "plans_ragupdate",
        "plans_historicalragupdate",
        "auth_user",
        "django_session",
        "django_migrations",
    ):
        assert original["rows"].get(table), f"{table} missing or empty"
    people = {used_database["chair"].pk, used_database["officer"].pk}
    assert values(original, "plans_historicalragupdate", "history_user_id") == people
    assert date(2027, 6, 30) in values(original, "plans_historicalaction", "revised_due_date")
    assert original["sequences"] and original["sequence_owners"]

    assert differences(original, restored) == []
    assert colliding_sequences(restored) == []


def test_the_comparison_reports_lost_history_changed_rows_and_rewound_sequences(
    tmp_path, used_database
):
    original = snapshot(connection.settings_dict["NAME"])
    with _restored_copy(tmp_path) as restored_name:
        with _connect(restored_name) as conn:
            conn.execute(
                "DELETE FROM plans_historicalragupdate WHERE history_id ="
                " (SELECT max(history_id) FROM plans_historicalragupdate)"
            )
            conn.execute("UPDATE plans_action SET revised_due_date = NULL")
            conn.execute("SELECT setval(pg_get_serial_sequence('plans_ragupdate', 'id'), 1)")
        damaged = snapshot(restored_name)

    found = differences(original, damaged)
    assert [line.split(":")[0] for line in found] == [
        "plans_action",
        "plans_historicalragupdate",
        "sequence plans_ragupdate_id_seq",
    ], found
    assert found[1].startswith("plans_historicalragupdate: 2 rows, restored 1")
    highest = max(values(damaged, "plans_ragupdate", "id"))
    assert colliding_sequences(damaged) == [
        f"plans_ragupdate_id_seq would next give 2, not above plans_ragupdate.id = {highest}"
    ]


def test_the_scripts_back_up_restore_and_refuse_to_overwrite(tmp_path, used_database):
    source = connection.settings_dict["NAME"]
    original = snapshot(source)
    backups = tmp_path / "backups"
    made = _run(
        ["sh", str(REPO / "scripts/backup.sh")],
        env={"DATABASE_URL": _database_url(source), "BACKUP_DIR": str(backups)},
    )
    dump = Path(made.stdout.strip())
    assert dump.parent == backups and dump.name.endswith(".dump")
    assert dump.stat().st_mode & 0o077 == 0, "the backup must be readable by its owner only"

    restore = ["sh", str(REPO / "scripts/restore.sh")]
    with _scratch_database() as target:
        url = _database_url(target)
        _run([*restore, str(dump), url])
        assert differences(original, snapshot(target)) == []

        # Damage the copy so that a restore which went ahead anyway would show.
        with _connect(target) as conn:
            conn.execute("DELETE FROM plans_historicalaction WHERE history_user_id IS NOT NULL")
        damaged = snapshot(target)
        assert differences(original, damaged)
        refused = _run([*restore, str(dump), url], check=False)
        assert refused.returncode == 1
        assert "nothing was changed" in refused.stderr
        assert differences(damaged, snapshot(target)) == []

        # Told to, it replaces the database's contents with the backup's.
        _run([*restore, "--replace", str(dump), url])
        assert differences(original, snapshot(target)) == []
