"""Benchmark: many chairs updating at once, a database restart and a crashing PDF render.

Builds its own PostgreSQL database (bench_load: the seed plans plus one group, one chair and
four actions per chair), serves the app with gunicorn and the production config
(`-c gunicorn.conf.py`, sync workers) on 127.0.0.1, and runs --chairs simulated chairs, each
a thread with its own cookie jar that signs in through /accounts/login/ and then loops, with
no pause, "list of its group's actions > action page > update form > post an update" for
--seconds.
Every update's comment carries a unique token; at the end the RagUpdate rows are counted per
token: each update acknowledged with the redirect must be stored exactly once, each one
refused with an error page not at all.

    .venv/bin/python bench/load.py [--seconds 60] [--chairs 50] [--workers N] [--restart-db]
                                   [--outage 5] [--no-crash] [--smoke]

A quarter of the way in (unless --no-crash), a reader downloads the review action-plan PDF
with a header that makes the renderer call os.abort() (bench/load_wsgi.py): that request
must fail, gunicorn must replace the worker, the chairs must see no error, and the next PDF
must render; then a renderer that raises must give the 500 page with its worker alive.
Half-way in, --restart-db stops the PostgreSQL cluster serving DATABASE_URL
(pg_ctlcluster --skip-systemctl-redirect, fast shutdown; needs root or postgres), waits
--outage seconds and starts it again, without touching gunicorn: requests meanwhile must get
the 503 page ("Sorry, the service is unavailable"), /healthz 503, and requests must succeed
again once the database is back.

Prints requests/s, p50 and p95 per step, errors, the 503 pages and when they came, updates
sent / acknowledged / stored, the crash and restart findings, and a verdict per target
(issue: 0 errors, every update stored exactly once). Everything runs on 127.0.0.1, ends
within --seconds plus about a minute, and stops gunicorn (and restarts PostgreSQL if it had
stopped it) on any exit, Ctrl-C included.

Needs PostgreSQL: DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432). The
restart stops that whole server, so with --restart-db use a cluster nobody else is using,
for example one made for the run (as root), then dropped:

    pg_createcluster 15 benchload --port 5433 --start -- --auth-host=trust
    export DATABASE_URL=postgres://postgres@127.0.0.1:5433/postgres
    .venv/bin/python bench/load.py --restart-db
    pg_dropcluster 15 benchload --stop

tests/test_load.py runs a shortened form of the same load and faults in the test suite.
"""

import argparse
import http.client
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html import unescape
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench import databases  # noqa: E402

DB_NAME = "bench_load"
PORT = 8766
PASSWORD = "bench-load-password-2026"
ACTIONS_PER_CHAIR = 4
UNAVAILABLE_TEXT = "Sorry, the service is unavailable"
PROBLEM_TEXT = "Sorry, there is a problem with the service"
WSGI_APP = "bench.load_wsgi:application"
STEPS = ("list", "action", "form", "post")
REQUEST_TIMEOUT = 30


# --- Data ------------------------------------------------------------------------------------


@dataclass
class Chair:
    username: str
    group_id: int
    action_ids: list[int]


@dataclass
class Cast:
    chairs: list[Chair]
    reader: str  # a viewer of the partnership whose review PDF the crash check downloads
    review_id: int


def build_data(chairs, actions_per_chair=ACTIONS_PER_CHAIR):
    """The seed plans, then per chair: a group of NCSCP, the chair's role and actions led by
    that group, so no two chairs ever edit the same action. Needs a migrated database."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.core.management import call_command

    from plans.history import create_with_history
    from plans.models import Action, Group, Objective, Partnership, Plan, Role
    from reviews.models import CaseReview

    call_command("load_seed", verbosity=0)
    User = get_user_model()
    ncscp = Partnership.objects.get(short_name="NCSCP")
    nscp = Partnership.objects.get(short_name="NSCP")
    # Hashed once (each hash takes a third of a second) and with the production hasher that
    # gunicorn checks against, whatever this process's settings use (the test settings' fast
    # hasher is one the server would not accept).
    hasher = PBKDF2PasswordHasher()
    password = hasher.encode(PASSWORD, hasher.salt())
    plan = Plan.objects.create(partnership=ncscp, slug="bench-load-plan", title="Load bench plan")
    cast = []
    for n in range(1, chairs + 1):
        group = Group.objects.create(slug=f"bench-load-group-{n}", name=f"Load bench group {n}")
        group.partnerships.add(ncscp)
        objective = Objective.objects.create(
            ref=f"bench-load-obj-{n}",
            kind="objective",
            partnership=ncscp,
            plan=plan,
            number=n,
            text=f"Objective {n}: partners share information about risk early",
        )
        create_with_history(
            Action,
            [
                Action(
                    ref=f"bench-load-{n}-{k}",
                    parent=objective,
                    position=k,
                    text=f"Action {n}.{k}: audit how referrals are followed up",
                    lead_text=group.name,
                    measure="Report to BMG",
                    timescale="June 2026",
                )
                for k in range(1, actions_per_chair + 1)
            ],
        )
        ids = list(Action.objects.filter(parent=objective).values_list("pk", flat=True))
        group.led_actions.add(*ids)
        user = User(username=f"bench-chair-{n}", first_name="Bench", last_name=f"Chair {n}")
        user.password = password
        user.save()
        Role.objects.create(user=user, partnership=ncscp, kind=Role.Kind.CHAIR, group=group)
        cast.append(Chair(user.username, group.pk, ids))
    reader = User(username="bench-reader", first_name="Bench", last_name="Reader")
    reader.password = password
    reader.save()
    Role.objects.create(user=reader, partnership=nscp, kind=Role.Kind.VIEWER)
    review = CaseReview.objects.filter(partnership=nscp).order_by("pk").first()
    return Cast(cast, reader.username, review.pk)


# --- The server ------------------------------------------------------------------------------


def server_env(database_url, port, workers=None):
    """The environment gunicorn runs in: production settings over plain http on 127.0.0.1
    (TLS would end at the load balancer), the config file's own defaults otherwise."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "safeguarding.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key"),
        "DEBUG": "off",
        "HTTPS": "off",
        "STATIC_MANIFEST": "off",
        "ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    return env


def process_cpu(pid, with_children):
    """CPU seconds of a process (and of its children it has waited for), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime, stime, cutime, cstime are fields 14-17 of stat; this list starts at field 3.
    return sum(int(v) for v in fields[11 : 15 if with_children else 13]) / os.sysconf("SC_CLK_TCK")


def children_of(parent):
    """Live child pids of `parent`, from /proc."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'.
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[1]) == parent:
            pids.add(int(entry.name))
    return pids


def tree_cpu(parent):
    """CPU seconds of a server: its main process, its live children and reaped ones."""
    return process_cpu(parent, True) + sum(process_cpu(p, False) for p in children_of(parent))


class Gunicorn:
    """gunicorn -c gunicorn.conf.py on the bench WSGI module, its log in a file."""

    def __init__(self, env, port, log_path):
        self.env, self.port, self.log_path = env, port, Path(log_path)
        self.process = None

    def start(self, timeout=60):
        self.log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", WSGI_APP],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us, and we stop it in order
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}:\n{self.log_text()}")
            try:
                if Browser("127.0.0.1", self.port, timeout=5).get("/healthz").status == 200:
                    return self
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz in {timeout} s")

    def worker_pids(self):
        """The master's live worker processes."""
        return children_of(self.process.pid)

    def cpu_seconds(self):
        return tree_cpu(self.process.pid)

    def wait_for_exit(self, pids, timeout=10):
        """Wait until at least one of `pids` is no longer a live worker; returns those gone."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            gone = set(pids) - self.worker_pids()
            if gone:
                return gone
            time.sleep(0.05)
        return set()

    def wait_for_workers(self, count, without=(), timeout=30):
        """Wait until `count` workers run and none of `without` is among them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            if len(pids) == count and not pids & set(without):
                return pids
            time.sleep(0.1)
        return self.worker_pids()

    def log_text(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if self.process:
            self.log.close()

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()


# --- The client ------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict
    text: str

    @property
    def worker(self):
        pid = self.headers.get("x-bench-worker")
        return int(pid) if pid else None


class Browser:
    """What the load needs of a browser: a cookie jar, forms posted with their CSRF token and
    an Origin header, one connection per request (sync workers close each one anyway)."""

    def __init__(self, host, port, timeout=REQUEST_TIMEOUT):
        self.host, self.port, self.timeout = host, port, timeout
        self.origin = f"http://{host}:{port}"
        self.cookies = {}

    def request(self, method, path, data=None, headers=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            send = {"User-Agent": "bench-load", "Accept": "text/html", **(headers or {})}
            if self.cookies:
                send["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            body = None
            if data is not None:
                body = urlencode(data)
                send["Content-Type"] = "application/x-www-form-urlencoded"
                send["Origin"] = self.origin
                send["Referer"] = self.origin + path
            conn.request(method, path, body=body, headers=send)
            response = conn.getresponse()
            payload = response.read()
            for header in response.msg.get_all("Set-Cookie") or []:
                self._keep(header)
            headers = {k.lower(): v for k, v in response.getheaders()}
            return Response(response.status, headers, payload.decode("utf-8", "replace"))
        finally:
            conn.close()

    def _keep(self, header):
        jar = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            if morsel["max-age"] == "0" or morsel.value in ("", '""'):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.coded_value

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data, **kwargs):
        return self.request("POST", path, data=data, **kwargs)


INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
TEXTAREA = re.compile(r"<textarea\b[^>]*\bname=\"([^\"]+)\"[^>]*>(.*?)</textarea>", re.S | re.I)
ATTR = re.compile(r"([\w-]+)=\"([^\"]*)\"")


def form_fields(html):
    """What a browser would submit from the page's form as it stands: every named input
    (checked radios and boxes only) and textarea, values unescaped."""
    fields = {}
    for tag in INPUT.findall(html):
        attrs = dict(ATTR.findall(tag))
        name = attrs.get("name")
        kind = attrs.get("type", "text").lower()
        if not name or kind in {"submit", "button", "image", "file"}:
            continue
        if kind in {"radio", "checkbox"} and "checked" not in tag:
            continue
        fields[name] = unescape(attrs.get("value", ""))
    for name, text in TEXTAREA.findall(html):
        fields[name] = unescape(text.lstrip("\n"))
    return fields


def sign_in(browser, username, password=PASSWORD):
    page = browser.get("/accounts/login/")
    fields = form_fields(page.text) | {"username": username, "password": password}
    response = browser.post("/accounts/login/", fields)
    if response.status != 302 or not any("session" in name for name in browser.cookies):
        raise RuntimeError(f"{username} could not sign in: HTTP {response.status}")
    return browser


def sign_in_all(host, port, usernames, threads=8):
    """One signed-in Browser per username, signed in a few at a time (each sign-in hashes a
    password for a third of a second on the server)."""
    browsers = {}
    errors = []
    todo = list(usernames)
    lock = threading.Lock()

    def work():
        while True:
            with lock:
                if not todo:
                    return
                username = todo.pop()
            try:
                browsers[username] = sign_in(Browser(host, port), username)
            except Exception as exc:  # noqa: BLE001 (reported below)
                errors.append(f"{username}: {exc!r}")

    workers = [threading.Thread(target=work, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    if errors:
        raise RuntimeError("sign-in failed: " + "; ".join(errors[:5]))
    return [browsers[u] for u in usernames]


# --- The load --------------------------------------------------------------------------------


@dataclass
class Result:
    step: str
    started: float  # seconds since the run began
    seconds: float
    outcome: str  # "ok", "unavailable" (the 503 page) or "error"
    detail: str = ""
    worker: int | None = None


@dataclass
class Run:
    """Everything the chairs saw, shared by their threads (list.append is atomic)."""

    run_id: str
    t0: float = field(default_factory=time.monotonic)
    results: list = field(default_factory=list)
    updates: dict = field(default_factory=dict)  # token -> "acked" | "refused" | "unknown"

    def now(self):
        return time.monotonic() - self.t0

    def token_prefix(self):
        return f"load-{self.run_id}-"


def classify(response, ok):
    if ok:
        return "ok", ""
    if response.status == 503 and UNAVAILABLE_TEXT in response.text:
        return "unavailable", "503 page"
    return "error", f"HTTP {response.status}"


def timed(run, step, fn, check):
    """Make one request; record its latency and outcome; return the response or None."""
    started = run.now()
    clock = time.perf_counter()
    try:
        response = fn()
    except (OSError, http.client.HTTPException) as exc:
        run.results.append(
            Result(step, started, time.perf_counter() - clock, "error", type(exc).__name__)
        )
        return None
    outcome, detail = classify(response, check(response))
    run.results.append(
        Result(step, started, time.perf_counter() - clock, outcome, detail, response.worker)
    )
    return response if outcome == "ok" else None


def chair_loop(run, browser, chair, index, deadline):
    """list > action > update form > post, over the chair's actions in turn, until the
    deadline. After a failed step the chair pauses briefly and starts again from the list."""
    sequence = 0
    while run.now() < deadline:
        pk = chair.action_ids[sequence % len(chair.action_ids)]
        sequence += 1
        if not chair_cycle(run, browser, chair, index, sequence, pk):
            time.sleep(0.2)


def chair_cycle(run, browser, chair, index, sequence, pk):
    detail, update = f"/actions/{pk}/", f"/actions/{pk}/update/"
    if not timed(
        run,
        "list",
        lambda: browser.get(f"/actions/?group={chair.group_id}"),
        lambda r: r.status == 200 and f'href="{detail}"' in r.text,
    ):
        return False
    if not timed(
        run,
        "action",
        lambda: browser.get(detail),
        lambda r: r.status == 200 and f'href="{update}"' in r.text,
    ):
        return False
    form = timed(
        run,
        "form",
        lambda: browser.get(update),
        lambda r: r.status == 200 and 'name="seen"' in r.text and "csrfmiddlewaretoken" in r.text,
    )
    if not form:
        return False
    token = f"{run.token_prefix()}{index}-{sequence}"
    fields = form_fields(form.text) | {
        "rating": "amber" if sequence % 2 else "green",
        "comment": f"Discussed at the group meeting; next step agreed [{token}]",
    }
    run.updates[token] = "unknown"  # until an answer says otherwise
    started = run.now()
    clock = time.perf_counter()
    try:
        response = browser.post(update, fields)
    except (OSError, http.client.HTTPException) as exc:
        run.results.append(
            Result("post", started, time.perf_counter() - clock, "error", type(exc).__name__)
        )
        return False
    acked = response.status == 302 and response.headers.get("location") == detail
    run.updates[token] = "acked" if acked else "refused"
    outcome, why = classify(response, acked)
    run.results.append(
        Result("post", started, time.perf_counter() - clock, outcome, why, response.worker)
    )
    return acked


def start_chairs(run, browsers, chairs, seconds):
    threads = [
        threading.Thread(
            target=chair_loop, args=(run, browser, chair, i, seconds), daemon=True, name=f"c{i}"
        )
        for i, (browser, chair) in enumerate(zip(browsers, chairs, strict=True), start=1)
    ]
    for thread in threads:
        thread.start()
    return threads


def join_all(threads, timeout):
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return [t.name for t in threads if t.is_alive()]


# --- Checks ----------------------------------------------------------------------------------

TOKEN = re.compile(r"\[(load-[\w-]+)\]")


def stored_counts(run, reconnect=False):
    """RagUpdate rows per token of this run, read from the database (`reconnect`: on a new
    connection, as the server may have restarted since this process last asked)."""
    from django.db import connection

    from plans.models import RagUpdate

    if reconnect:
        connection.close()
    comments = RagUpdate.objects.filter(comment__contains=f"[{run.token_prefix()}").values_list(
        "comment", flat=True
    )
    return Counter(match.group(1) for c in comments if (match := TOKEN.search(c)))


@dataclass
class Ledger:
    sent: int
    acked: int
    refused: int
    unknown: int
    stored: int
    acked_not_once: dict  # token -> times stored
    refused_but_stored: dict
    unknown_stored: dict
    stored_never_sent: dict

    @property
    def exactly_once(self):
        return not (self.acked_not_once or self.refused_but_stored or self.stored_never_sent)


def check_ledger(run, counts):
    by_state = defaultdict(list)
    for token, state in run.updates.items():
        by_state[state].append(token)
    return Ledger(
        sent=len(run.updates),
        acked=len(by_state["acked"]),
        refused=len(by_state["refused"]),
        unknown=len(by_state["unknown"]),
        stored=sum(counts.values()),
        acked_not_once={t: counts[t] for t in by_state["acked"] if counts[t] != 1},
        refused_but_stored={t: counts[t] for t in by_state["refused"] if counts[t]},
        unknown_stored={t: counts[t] for t in by_state["unknown"]},
        stored_never_sent={t: n for t, n in counts.items() if t not in run.updates},
    )


def machine_busy_seconds():
    """CPU seconds all processes on the machine have used (busy time in /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] if ordered else float("nan")


def step_table(results, seconds):
    rows = []
    for step in (*STEPS, "all"):
        mine = [r for r in results if step == "all" or r.step == step]
        ok = [r.seconds * 1000 for r in mine if r.outcome == "ok"]
        rows.append(
            {
                "step": step,
                "requests": len(mine),
                "rps": len(mine) / seconds,
                "p50": percentile(ok, 50),
                "p95": percentile(ok, 95),
                "unavailable": sum(r.outcome == "unavailable" for r in mine),
                "errors": sum(r.outcome == "error" for r in mine),
            }
        )
    return rows


def crash_pdf_check(run, server, reader, review_id, workers):
    """A render that kills its worker fails that request only; one that raises gives 500."""
    path = f"/reviews/{review_id}/action-plan.pdf"
    found = {"started": run.now()}
    before = server.worker_pids()
    try:
        crashed = reader.get(path, headers={"X-Bench-Crash-Pdf": "abort"})
        found["abort_answer"] = f"HTTP {crashed.status}"
        found["abort_failed"] = crashed.status >= 500
    except (OSError, http.client.HTTPException) as exc:
        found["abort_answer"] = f"no response ({type(exc).__name__})"
        found["abort_failed"] = True
    # Then wait for its replacement. max_requests recycling may replace others meanwhile.
    dead = server.wait_for_exit(before)
    after = server.wait_for_workers(workers, without=dead)
    found["dead_workers"] = sorted(before - after)
    found["new_workers"] = sorted(after - before)
    found["workers_after"] = len(after)
    found["replaced"] = bool(found["dead_workers"]) and len(after) == workers
    found["sigabrt_logged"] = bool(
        re.search(r"Worker \(pid:\d+\) was sent (SIGABRT|code 6)", server.log_text())
    )
    normal = reader.get(path)
    found["next_pdf"] = f"HTTP {normal.status}, {len(normal.text)} chars"
    found["next_pdf_ok"] = normal.status == 200 and normal.text.startswith("%PDF")
    raised = reader.get(path, headers={"X-Bench-Crash-Pdf": "raise"})
    found["raise_answer"] = f"HTTP {raised.status}"
    found["raise_page_ok"] = raised.status == 500 and PROBLEM_TEXT in raised.text
    time.sleep(0.5)
    found["raise_worker_alive"] = raised.worker in server.worker_pids()
    found["ended"] = run.now()
    return found


def health(browser):
    try:
        return browser.get("/healthz").status
    except (OSError, http.client.HTTPException) as exc:
        return type(exc).__name__


# --- PostgreSQL ------------------------------------------------------------------------------


def cluster_for_port(port):
    """(version, name) of the local cluster listening on `port`, from pg_lsclusters."""
    out = subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    for line in out.splitlines():
        version, name, cluster_port, *_ = line.split()
        if int(cluster_port) == port:
            return version, name
    raise RuntimeError(f"no local PostgreSQL cluster on port {port} (pg_lsclusters)")


def postmaster_pid(cluster):
    """The cluster's main process id (first line of postmaster.pid), or None."""
    out = subprocess.run(
        ["pg_lsclusters", "--no-header", *cluster],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout.split()
    try:
        return int((Path(out[5]) / "postmaster.pid").read_text().split()[0])
    except (IndexError, OSError, ValueError):
        return None


def pg_ctl(cluster, action):
    version, name = cluster
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action],
        check=True,
        timeout=120,
        capture_output=True,
    )


def restart_check(run, cluster, probe, probe_chair, balancer, outage, stopped_flag):
    """Stop the cluster, and while it is down load a page and post an update the probe
    (a chair of its own, outside the load) had opened before; start it again, then wait
    for /healthz. The post goes into the run's ledger, so it must be stored zero times."""
    pk = probe_chair.action_ids[0]
    form = probe.get(f"/actions/{pk}/update/")
    token = f"{run.token_prefix()}probe"
    fields = form_fields(form.text) | {
        "rating": "red",
        "comment": f"Sent while the database is stopped [{token}]",
    }
    found = {"stop_begin": run.now()}
    stopped_flag.set()
    pg_ctl(cluster, "stop")
    found["stopped"] = run.now()
    time.sleep(min(1.0, outage / 2))
    found["healthz_down"] = health(balancer)
    for name, request in (
        ("page", lambda: probe.get(f"/actions/?group={probe_chair.group_id}")),
        ("post", lambda: probe.post(f"/actions/{pk}/update/", fields)),
    ):
        try:
            answer = request()
            found[f"{name}_down"] = f"HTTP {answer.status}"
            found[f"{name}_down_ok"] = answer.status == 503 and UNAVAILABLE_TEXT in answer.text
            found["retry_after"] = answer.headers.get("retry-after")
        except (OSError, http.client.HTTPException) as exc:
            answer = None
            found[f"{name}_down"] = f"no response ({type(exc).__name__})"
            found[f"{name}_down_ok"] = False
        if name == "post":
            acked = answer is not None and answer.status == 302
            run.updates[token] = "acked" if acked else "refused" if answer else "unknown"
    time.sleep(max(0.0, outage - (run.now() - found["stopped"])))
    pg_ctl(cluster, "start")
    stopped_flag.clear()
    found["started"] = run.now()
    while run.now() - found["started"] < 30 and health(balancer) != 200:
        time.sleep(0.05)
    found["healthz_up_after"] = run.now() - found["started"]
    found["healthz_up"] = health(balancer)
    return found


# --- Main ------------------------------------------------------------------------------------


def database_urls():
    base = databases.server_url("bench/load.py")
    return databases.with_database(base, DB_NAME), base, urlsplit(base).port or 5432


def print_steps(results, seconds):
    print(
        f"{'step':<7} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'503 page':>9} {'errors':>7}"
    )
    for row in step_table(results, seconds):
        print(
            f"{row['step']:<7} {row['requests']:>9} {row['rps']:>8.1f} {row['p50']:>8.1f} "
            f"{row['p95']:>8.1f} {row['unavailable']:>9} {row['errors']:>7}"
        )


def report(args, results, ledger, crash, restart, workers, stray, cpu):
    """Print the figures and a verdict per target; True when every target is met."""
    seconds = args.seconds
    print(
        f"\n{args.chairs} chairs x {seconds} s, gunicorn -c gunicorn.conf.py, {workers} sync "
        f"workers, PostgreSQL, all on 127.0.0.1; each chair loops list > action > form > post"
    )
    print("\nWhole run (latencies of successful requests):")
    print_steps(results, seconds)

    # Fault windows: from a check's start until the service answers normally again.
    windows = []
    if crash:
        windows.append((crash["started"], crash["ended"]))
    outage = None
    if restart:
        back = [
            r.started + r.seconds
            for r in results
            if r.outcome == "ok" and r.started >= restart["started"]
        ]
        first_ok = min(back) if back else float("inf")
        outage = (restart["stop_begin"], first_ok)
        windows.append((restart["stop_begin"], min(first_ok, seconds)))
    if windows:
        quiet = [
            r
            for r in results
            if not any(r.started + r.seconds >= a and r.started <= b for a, b in windows)
        ]
        quiet_seconds = seconds - sum(min(b, seconds) - a for a, b in windows)
        print(f"\nOutside the fault windows ({quiet_seconds:.0f} s):")
        print_steps(quiet, quiet_seconds)

    served = len(results) or 1  # 503 pages included: they cost little
    gunicorn, postgres, client, machine, wall = cpu
    pg = (
        f"PostgreSQL {postgres:.1f} ({postgres / served * 1000:.1f} ms a request)"
        if postgres is not None
        else "PostgreSQL not measured (restarted or not local)"
    )
    print(
        f"\nCPU seconds in the {wall:.0f} s run, {os.cpu_count()} CPUs: gunicorn {gunicorn:.1f} "
        f"({gunicorn / served * 1000:.1f} ms a request), {pg}, this client {client:.1f}; "
        f"the whole machine {machine:.1f} of {os.cpu_count() * wall:.0f}"
    )

    errors = [r for r in results if r.outcome == "error"]
    unavailable = [r for r in results if r.outcome == "unavailable"]

    def in_outage(r):  # still waiting for its answer when the stop began (queued ones too)
        return outage and r.started + r.seconds >= outage[0] and r.started <= outage[1]

    stray_503 = [r for r in unavailable if not in_outage(r)]
    kinds = Counter(f"{r.step}: {r.detail}" for r in errors)
    print(f"\nerrors: {len(errors)}" + (f"  {dict(kinds)}" if kinds else ""))
    print(f"503 pages: {len(unavailable)}, outside the database outage: {len(stray_503)}")
    if stray:
        print(f"chairs still waiting for an answer at the end: {len(stray)}")

    print(
        f"\nupdates sent {ledger.sent}, acknowledged {ledger.acked}, refused with an error "
        f"page {ledger.refused}, no answer {ledger.unknown}; rows stored {ledger.stored}"
    )
    print(f"  acknowledged, not stored exactly once: {ledger.acked_not_once or 0}")
    print(f"  refused, yet stored: {ledger.refused_but_stored or 0}")
    print(f"  no answer, stored: {sum(ledger.unknown_stored.values())} of {ledger.unknown}")
    print(f"  stored, never sent: {ledger.stored_never_sent or 0}")

    if crash:
        failed = [
            r
            for r in results
            if crash["started"] <= r.started <= crash["ended"] and r.outcome != "ok"
        ]
        print(
            f"\nPDF render crash at {crash['started']:.1f} s: the request got "
            f"{crash['abort_answer']}; worker {crash['dead_workers']} died, "
            f"{crash['new_workers']} started, {crash['workers_after']} of {workers} running; "
            f"SIGABRT in gunicorn's log: {crash['sigabrt_logged']}"
        )
        print(
            f"  chairs' requests that failed from {crash['started']:.1f} s to "
            f"{crash['ended']:.1f} s: {len(failed)}; the next PDF: {crash['next_pdf']}"
        )
        print(
            f"  renderer raising instead: {crash['raise_answer']}, the 500 page "
            f"{crash['raise_page_ok']}, its worker still running {crash['raise_worker_alive']}"
        )
    if restart:
        during = [r for r in unavailable if in_outage(r)]
        print(
            f"\nPostgreSQL: stop began at {restart['stop_begin']:.1f} s, stopped by "
            f"{restart['stopped']:.1f} s, started again by {restart['started']:.1f} s "
            f"({restart['started'] - restart['stopped']:.1f} s down); gunicorn left running"
        )
        print(
            f"  while down: a page {restart['page_down']} (503 page: {restart['page_down_ok']}), "
            f"an update post {restart['post_down']} (503 page: {restart['post_down_ok']}), "
            f"Retry-After {restart['retry_after']}, /healthz {restart['healthz_down']}"
        )
        if during:
            print(
                f"  chairs got {len(during)} 503 pages, for requests started from "
                f"{min(r.started for r in during):.1f} s to {max(r.started for r in during):.1f} s"
            )
        recovery = outage[1] - restart["started"]
        print(
            f"  first successful chair request {recovery:.2f} s after PostgreSQL was back; "
            f"/healthz {restart['healthz_up']} after {restart['healthz_up_after']:.2f} s"
        )

    verdicts = {
        "0 errors": not errors and not stray_503 and not stray,
        "every acknowledged update stored exactly once, every refused one never": (
            ledger.exactly_once
        ),
    }
    if crash:
        verdicts["a crashed PDF render fails only its request; worker replaced; next PDF ok"] = (
            crash["abort_failed"] and crash["replaced"] and crash["next_pdf_ok"]
        )
        verdicts["a renderer exception gives the 500 page and the worker lives on"] = (
            crash["raise_page_ok"] and crash["raise_worker_alive"]
        )
    if restart:
        verdicts["the 503 page and /healthz 503 while PostgreSQL is down"] = (
            restart["page_down_ok"] and restart["post_down_ok"] and restart["healthz_down"] == 503
        )
        verdicts["requests succeed again without restarting gunicorn"] = (
            outage[1] != float("inf") and restart["healthz_up"] == 200
        )
    print()
    for name, passed in verdicts.items():
        print(f"{'meets' if passed else 'MISSES'}: {name}")
    return all(verdicts.values())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--chairs", type=int, default=50)
    parser.add_argument(
        "--workers", type=int, help="WEB_CONCURRENCY; default: gunicorn.conf.py's (2 x CPUs + 1)"
    )
    parser.add_argument("--restart-db", action="store_true")
    parser.add_argument("--outage", type=float, default=5.0, help="seconds PostgreSQL is down")
    parser.add_argument("--no-crash", action="store_true", help="skip the PDF crash check")
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="4 s, 3 chairs, 2 workers: CI runs this so the script cannot rot",
    )
    args = parser.parse_args()
    if args.smoke:
        args.seconds, args.chairs, args.workers = 4, 3, 2

    url, admin_url, db_port = database_urls()
    try:  # the local cluster: to restart it, and to count its CPU
        cluster = cluster_for_port(db_port)
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        if args.restart_db:
            sys.exit(f"--restart-db needs a local PostgreSQL cluster: {exc}")
        cluster = None
    env = server_env(url, args.port, args.workers)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "DEBUG", "HTTPS")})
    os.environ.update({"STATIC_MANIFEST": "off", "DJANGO_SETTINGS_MODULE": "safeguarding.settings"})
    # SIGTERM ends the run the way Ctrl-C does, through the finally blocks below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    databases.create_database(admin_url, DB_NAME)
    call_command("migrate", verbosity=0)
    cast = build_data(args.chairs + 1)  # the last chair probes the outage by hand
    connection.close()
    print(f"built {DB_NAME} in {time.perf_counter() - started:.0f} s")

    stopped = threading.Event()
    log_path = Path(tempfile.gettempdir()) / f"bench-load-gunicorn-{os.getpid()}.log"
    server = Gunicorn(env, args.port, log_path)
    try:
        server.start()
        workers = len(server.wait_for_workers(args.workers or os.cpu_count() * 2 + 1, timeout=10))
        clock = time.perf_counter()
        chairs, probe_chair = cast.chairs[:-1], cast.chairs[-1]
        browsers = sign_in_all("127.0.0.1", args.port, [c.username for c in chairs])
        reader = sign_in(Browser("127.0.0.1", args.port), cast.reader)
        probe = sign_in(Browser("127.0.0.1", args.port), probe_chair.username)
        print(f"{len(browsers) + 2} sign-ins in {time.perf_counter() - clock:.1f} s")
        print(f"gunicorn log: {log_path}")

        postmaster = postmaster_pid(cluster) if cluster else None
        cpu_before = (
            server.cpu_seconds(),
            tree_cpu(postmaster),
            time.process_time(),
            machine_busy_seconds(),
            time.monotonic(),
        )
        run = Run(run_id=f"{int(time.time())}")
        threads = start_chairs(run, browsers, chairs, args.seconds)
        crash = restart = None
        if not args.no_crash:
            time.sleep(max(0.0, args.seconds / 4 - run.now()))
            crash = crash_pdf_check(run, server, reader, cast.review_id, workers)
        if args.restart_db:
            time.sleep(max(0.0, args.seconds / 2 - run.now()))
            balancer = Browser("127.0.0.1", args.port, timeout=10)  # no cookies
            restart = restart_check(
                run, cluster, probe, probe_chair, balancer, args.outage, stopped
            )
        stray = join_all(threads, args.seconds - run.now() + REQUEST_TIMEOUT + 5)
        cpu = (
            server.cpu_seconds() - cpu_before[0],
            # A restarted server is a new process: its CPU before the restart is lost.
            tree_cpu(postmaster) - cpu_before[1]
            if postmaster and postmaster_pid(cluster) == postmaster
            else None,
            time.process_time() - cpu_before[2],
            machine_busy_seconds() - cpu_before[3],
            time.monotonic() - cpu_before[4],
        )
    finally:
        if stopped.is_set():
            pg_ctl(cluster, "start")
        server.stop()

    results = list(run.results)
    ledger = check_ledger(run, stored_counts(run, reconnect=True))
    passed = report(args, results, ledger, crash, restart, workers, stray, cpu)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
