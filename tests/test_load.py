"""Load and faults, shortened for the test suite (the full run is bench/load.py).

gunicorn runs as in production (`-c gunicorn.conf.py`, sync workers, here 2) on 127.0.0.1,
serving bench/load_wsgi.py (the app plus a PDF renderer that can be told to crash), and
reaches the test database through a small TCP proxy written here. Cutting the proxy takes the
database away from gunicorn alone: the real PostgreSQL server, and so this suite's own
connections, are never touched.

- 10 chairs, each signed in through /accounts/login/, loop list > action > update form >
  post for 8 s: no request fails and every acknowledged update is stored exactly once.
- Database outage: with the proxy cut, pages and an update post get the 503 page and
  /healthz 503, the update is not stored; with the proxy back, the same gunicorn processes
  answer normally again.
- A PDF render that kills its worker fails that one request; chairs working meanwhile see
  no error, gunicorn replaces the worker and the next PDF renders; a renderer that raises
  gives the 500 page and its worker lives on.

gunicorn is a separate process, so the data it reads must be committed: it is built once for
the module with the database unblocked (no test transaction) and flushed at the end, as a
transactional test would be.
"""

import contextlib
import http.client
import json
import socket
import threading
import time
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from bench import load
from plans.models import RagUpdate

pytestmark = [
    pytest.mark.serial,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="load and fault tests need PostgreSQL (set DATABASE_URL); CI runs them there",
    ),
    # The test database, and a transaction per test for what the test itself reads; the
    # data gunicorn serves is committed by the module fixture `cast` before any test starts.
    pytest.mark.django_db,
]

CHAIRS = 10
LOAD_SECONDS = 8
WORKERS = 2


class DatabaseProxy:
    """A TCP proxy in front of PostgreSQL that can be cut (every connection closed, new ones
    refused) and restored on the same port."""

    def __init__(self, upstream):
        self.upstream = upstream  # (family, address)
        self.port = 0
        self.listener = None
        self.links = set()
        self.lock = threading.Lock()

    def open(self):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                server = socket.socket(self.upstream[0], socket.SOCK_STREAM)
                server.connect(self.upstream[1])
            except OSError:
                client.close()
                continue
            with self.lock:
                self.links.add((client, server))
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for sock in (source, target):
            self._close(sock)

    @staticmethod
    def _close(sock):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in recv()
        sock.close()

    def cut(self):
        self._close(self.listener)  # wakes accept(); the port now refuses connections
        with self.lock:
            links, self.links = self.links, set()
        for pair in links:
            for sock in pair:
                self._close(sock)

    def restore(self):
        return self.open()


def upstream_of(db):
    host, port = db["HOST"] or "/var/run/postgresql", int(db["PORT"] or 5432)
    if host.startswith("/"):
        return socket.AF_UNIX, f"{host}/.s.PGSQL.{port}"
    return socket.AF_INET, (host, port)


@pytest.fixture(scope="module")
def cast(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        try:
            yield load.build_data(CHAIRS)
        finally:
            connection.close()
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def proxy(django_db_setup):
    proxy = DatabaseProxy(upstream_of(connection.settings_dict)).open()
    yield proxy
    proxy.cut()


@pytest.fixture(scope="module")
def server(cast, proxy, tmp_path_factory):
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    url = f"postgres://{quote(db['USER'], safe='')}{password}@127.0.0.1:{proxy.port}/{db['NAME']}"
    with socket.socket() as probe:  # a free port for gunicorn
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = load.server_env(url, port, WORKERS)
    # Worker pids are compared before and after faults: no recycling after N requests here.
    env["GUNICORN_MAX_REQUESTS"] = "100000"
    env["GUNICORN_ACCESS_LOG"] = "/dev/null"
    server = load.Gunicorn(env, port, tmp_path_factory.mktemp("gunicorn") / "gunicorn.log")
    with server:
        server.wait_for_workers(WORKERS, timeout=10)
        yield server


@pytest.fixture(scope="module")
def people(cast, server):
    """Signed-in browsers: one per chair, and a reader of the review whose PDF crashes."""
    chairs = load.sign_in_all("127.0.0.1", server.port, [c.username for c in cast.chairs])
    reader = load.sign_in(load.Browser("127.0.0.1", server.port, timeout=20), cast.reader)
    return chairs, reader


def run_chairs(cast, browsers, seconds, during=None):
    run = load.Run(run_id=f"t{time.monotonic_ns()}")
    threads = load.start_chairs(run, browsers, cast.chairs[: len(browsers)], seconds)
    found = during(run) if during else None
    stray = load.join_all(threads, seconds + load.REQUEST_TIMEOUT)
    assert stray == [], "chairs still waiting for an answer"
    return run, found


def stored(run):
    return load.stored_counts(run)


def failures(results):
    return [
        (r.step, round(r.started, 2), r.outcome, r.detail) for r in results if r.outcome != "ok"
    ]


def test_chairs_under_load_get_no_errors_and_each_update_is_stored_once(cast, people):
    chairs, _reader = people
    run, _ = run_chairs(cast, chairs, LOAD_SECONDS)
    results = list(run.results)

    assert failures(results) == []
    ledger = load.check_ledger(run, stored(run))
    acked_by = {t.split("-")[-2] for t, state in run.updates.items() if state == "acked"}
    assert acked_by == {str(i) for i in range(1, CHAIRS + 1)}  # every chair got updates in
    assert (ledger.sent, ledger.refused, ledger.unknown) == (ledger.acked, 0, 0)
    assert ledger.acked_not_once == {}
    assert ledger.stored_never_sent == {}
    assert ledger.stored == ledger.acked
    rows = {row["step"]: row for row in load.step_table(results, LOAD_SECONDS)}
    print(
        f"\n{CHAIRS} chairs x {LOAD_SECONDS} s, {WORKERS} workers: {rows['all']['rps']:.0f} "
        f"req/s, p95 {rows['all']['p95']:.0f} ms, {ledger.acked} updates stored once each"
    )


def test_database_outage_gives_the_503_page_and_recovers_without_restarting(
    cast, people, proxy, server
):
    chairs, _reader = people
    browser, chair = chairs[0], cast.chairs[0]
    pk = chair.action_ids[0]
    update_path = f"/actions/{pk}/update/"
    balancer = load.Browser("127.0.0.1", server.port)  # no cookies, as a load balancer
    assert balancer.get("/healthz").status == 200
    form = browser.get(update_path)
    assert form.status == 200
    master = server.process.pid
    workers_before = server.worker_pids()
    token = f"load-outage{time.monotonic_ns()}"
    fields = load.form_fields(form.text) | {
        "rating": "red",
        "comment": f"Sent while the database is away [{token}]",
    }

    proxy.cut()
    try:
        health = balancer.get("/healthz")
        page = browser.get(f"/actions/?group={chair.group_id}")
        post = browser.post(update_path, fields)
    finally:
        proxy.restore()

    assert health.status == 503
    assert json.loads(health.text) == {"status": "unavailable", "database": "down"}
    for response in (page, post):
        assert response.status == 503
        assert load.UNAVAILABLE_TEXT in response.text
        assert response.headers["retry-after"] == "30"
    unavailable_workers = {page.worker, post.worker, health.worker}

    deadline = time.monotonic() + 15
    while balancer.get("/healthz").status != 200:
        assert time.monotonic() < deadline, "gunicorn did not reach the database again"
        time.sleep(0.1)
    run, _ = run_chairs(cast, chairs[:4], 2)
    assert failures(run.results) == []
    assert load.check_ledger(run, stored(run)).exactly_once
    # The same processes answer: nothing was restarted to recover.
    assert server.process.poll() is None and server.process.pid == master
    assert server.worker_pids() == workers_before
    assert unavailable_workers <= workers_before
    assert not RagUpdate.objects.filter(comment__contains=token).exists()


def test_a_crashing_pdf_render_fails_only_its_own_request(cast, people, server):
    chairs, reader = people
    path = f"/reviews/{cast.review_id}/action-plan.pdf"

    def crash(run):
        time.sleep(1)
        before = server.worker_pids()
        started = run.now()
        try:
            answer = reader.get(path, headers={"X-Bench-Crash-Pdf": "abort"})
        except (OSError, http.client.HTTPException) as exc:
            answer = exc
        dead = server.wait_for_exit(before)
        after = server.wait_for_workers(WORKERS, without=dead)
        return {"answer": answer, "dead": dead, "before": before, "after": after, "at": started}

    run, found = run_chairs(cast, chairs, 5, during=crash)

    answer = found["answer"]
    assert isinstance(answer, Exception) or answer.status >= 500, "the crashed render answered"
    assert len(found["dead"]) == 1
    assert len(found["after"]) == WORKERS and not found["dead"] & found["after"]
    assert "was sent SIGABRT" in server.log_text()
    assert any(r.started > found["at"] for r in run.results)  # chairs worked through it
    assert failures(run.results) == []
    assert load.check_ledger(run, stored(run)).exactly_once

    pdf = reader.get(path)
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.text.startswith("%PDF")

    raised = reader.get(path, headers={"X-Bench-Crash-Pdf": "raise"})
    assert raised.status == 500
    assert load.PROBLEM_TEXT in raised.text
    assert raised.worker in server.worker_pids()
    assert server.worker_pids() == found["after"]
