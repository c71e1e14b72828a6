"""Benchmark: the BMG pack of a synthetic partnership of 1,000 actions with 12 updates each.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/pack.py \
        [--actions 1000] [--updates 12] [--keep]

Creates its own PostgreSQL database `bench_pack` on the server DATABASE_URL points at (dropped
and re-created; dropped at the end unless --keep), migrates it, and loads a partnership whose
actions sit under business-plan objectives, workstreams and a case review, each with `--updates`
RAG updates recorded a BMG cycle apart, plus a tenth-size partnership to show that the pack's
query count does not depend on the number of actions.

The pack is then made in a child process of its own, so that its peak resident memory
(ru_maxrss, which includes Python and Django themselves) is the pack's and not the data
loading's; its HTML (stylesheet inlined) is then laid out by WeasyPrint alone, without Django,
in a second child process, with the same PDF variant. It prints: pages; total seconds (data +
templating + WeasyPrint); seconds outside WeasyPrint; WeasyPrint alone on the same HTML; the
ratio of our page rate to WeasyPrint's alone; the peak memory of each child, their ratio and
the 400 MB ceiling; and the query count for both sizes.

Targets (issue): page rate >= 0.85x WeasyPrint's alone; a 100-page pack under 12 s; peak
memory under 400 MB; query count independent of the number of actions.
"""

import argparse
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))
from bench import databases  # noqa: E402

DB_NAME = "bench_pack"
LONDON = ZoneInfo("Europe/London")
FIRST_DEADLINE = date(2021, 2, 3)
WORDS = [
    "audit",
    "report",
    "subgroup",
    "partnership",
    "assurance",
    "neglect",
    "exploitation",
    "training",
    "threshold",
    "referral",
    "escalation",
    "pathway",
    "multi-agency",
    "review",
    "learning",
    "practice",
    "children",
    "families",
    "health",
    "police",
    "education",
    "safeguarding",
    "evidence",
    "data",
    "quarterly",
    "board",
    "delivery",
    "plan",
]


def server_url():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres"
        )
    return url


def setup_django(url):
    os.environ["DATABASE_URL"] = databases.with_database(url, DB_NAME)
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DEBUG"] = "off"  # no query log kept in memory
    os.environ.setdefault("STATIC_MANIFEST", "off")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")
    import django

    django.setup()


def deadlines(count):
    """BMG update deadlines four months apart, one per update cycle, plus the next one."""
    return [
        date(FIRST_DEADLINE.year + (FIRST_DEADLINE.month - 1 + 4 * k) // 12,
             (FIRST_DEADLINE.month - 1 + 4 * k) % 12 + 1, 3)
        for k in range(count + 1)
    ]  # fmt: skip


def sentence(rng, low, high):
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return (" ".join(words)).capitalize() + "."


def text(rng, median):
    """Words in the seed plans' proportions: action texts have a median of 15 words (90% under
    31), so lengths are log-normal around `median` with the same spread."""
    count = max(3, min(4 * median, round(rng.lognormvariate(math.log(median), 0.55))))
    return (" ".join(rng.choice(WORDS) for _ in range(count))).capitalize() + "."


# A rating moves from cycle to cycle as in load_demo (a Markov chain), not at random.
NEXT_RATING = {
    "not_started": ["not_started", "green", "green", "amber"],
    "green": ["green"] * 6 + ["amber", "complete", "complete"],
    "amber": ["amber", "amber", "green", "green", "red"],
    "red": ["red", "amber", "amber"],
    "complete": ["complete"],
}


def recorded_at(day):
    moment = datetime(day.year, day.month, day.day, 12, tzinfo=LONDON)
    return mock.patch("django.utils.timezone.now", return_value=moment)


def load(short_name, actions_wanted, updates_each, seed):
    """One partnership, its BMG and meetings, and `actions_wanted` actions with their updates."""
    from django.contrib.auth import get_user_model

    from oversight.models import Meeting
    from plans.history import create_with_history
    from plans.models import (
        Action,
        Agency,
        Group,
        Milestone,
        Objective,
        Partnership,
        Plan,
        Priority,
        RagUpdate,
    )
    from reviews.models import CaseReview, Recommendation
    from workstreams.models import Workstream

    rng = random.Random(seed)
    cycle_deadlines = deadlines(updates_each)
    start = cycle_deadlines[0] - timedelta(days=60)
    with recorded_at(start):
        author = get_user_model().objects.create_user(
            f"bench-{short_name.lower()}", first_name="Bench", last_name=short_name.title()
        )
        partnership = Partnership.objects.create(
            short_name=short_name, name=f"{short_name} partnership"
        )
        bmg = Group.objects.create(
            slug=f"{short_name.lower()}-bmg", name="Business Management Group", kind="bmg"
        )
        bmg.partnerships.add(partnership)
        for deadline in cycle_deadlines:
            Meeting.objects.create(
                group=bmg, date=deadline + timedelta(days=14), update_deadline=deadline
            )
        agencies = [
            Agency.objects.create(name=f"{short_name} agency {n}", kind="other") for n in range(4)
        ]
        plan = Plan.objects.create(
            partnership=partnership,
            slug=f"{short_name.lower()}-plan",
            title=f"{short_name} Business Plan",
        )
        priorities = [
            Priority.objects.create(plan=plan, number=n + 1, title=sentence(rng, 5, 10))
            for n in range(3)
        ]
        review = CaseReview.objects.create(
            partnership=partnership, code="BR1", kind="lcspr", status="published"
        )
        # 70% under objectives (10 each), 20% under workstreams (20 each), 10% under a review.
        parents = []
        n_objectives = max(1, actions_wanted * 7 // 100)
        for n in range(n_objectives):
            parents.append(
                (
                    Objective.objects.create(
                        ref=f"{short_name}-o{n}",
                        kind="objective",
                        partnership=partnership,
                        plan=plan,
                        number=n + 1,
                        text=sentence(rng, 8, 20),
                        priority=priorities[n % 3],
                        position=n,
                    ),
                    10,
                )
            )
        for n in range(max(1, actions_wanted * 20 // 100 // 20)):
            parents.append(
                (
                    Workstream.objects.create(
                        ref=f"{short_name}-w{n}",
                        kind="workstream",
                        partnership=partnership,
                        number=n + 1,
                        title=sentence(rng, 2, 4),
                        objective_text=sentence(rng, 8, 15),
                        position=1000 + n,
                    ),
                    20,
                )
            )
        for n in range(max(1, actions_wanted * 10 // 100 // 4)):
            parents.append(
                (
                    Recommendation.objects.create(
                        ref=f"{short_name}-r{n}",
                        kind="recommendation",
                        partnership=partnership,
                        review=review,
                        number=n + 1,
                        agency=agencies[n % 4],
                        text=sentence(rng, 10, 25),
                        position=2000 + n,
                    ),
                    4,
                )
            )
        objs = []
        for parent, per in parents:
            for position in range(1, per + 1):
                if len(objs) == actions_wanted:
                    break
                # Due dates spread over the cycles and a year beyond.
                due = cycle_deadlines[0] + timedelta(days=rng.randrange(4 * 365 + 365))
                objs.append(Action(
                    ref=f"{parent.ref}-{position}", parent_id=parent.pk, position=position,
                    text=text(rng, 15), lead_text=sentence(rng, 2, 5),
                    measure=text(rng, 8), timescale=f"{due:%B %Y}", due_date=due,
                ))  # fmt: skip
        create_with_history(Action, objs, user=author)
        actions = list(Action.objects.filter(parent__partnership=partnership))
        create_with_history(Milestone, [
            Milestone(action=a, due=a.due_date, label=a.timescale) for a in actions
        ])  # fmt: skip

    rating = {a.pk: rng.choice(["not_started", "green", "green", "amber"]) for a in actions}
    for k in range(updates_each):
        day = cycle_deadlines[k] - timedelta(days=7)
        for a in actions:
            rating[a.pk] = rng.choice(NEXT_RATING[rating[a.pk]])
        with recorded_at(day):
            create_with_history(RagUpdate, [
                RagUpdate(action=a, rating=rating[a.pk], comment=text(rng, 30), as_of=day,
                          author=author)
                for a in actions
            ], user=author)  # fmt: skip
    # The pack's meeting: the one whose deadline follows the last update.
    return Meeting.objects.get(group=bmg, update_deadline=cycle_deadlines[updates_each - 1])


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure(meeting_pk, small_meeting_pk, out):
    """Runs in a fresh process: the pack, timed, its HTML kept in `out` for WeasyPrint alone.
    Writes its figures (and its own peak resident memory at the end) to `out`.json."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from oversight.models import Meeting
    from oversight.pack import build_pack, render_pack_html
    from plans.pdf import render_pdf

    def pack_html(pk):
        meeting = Meeting.objects.select_related("group").get(pk=pk)
        with CaptureQueriesContext(connection) as queries:
            html = render_pack_html(build_pack(meeting, generated_by="bench"))
        return html, len(queries)

    # Warm up fonts and template caches on the small partnership (and count its queries).
    small_html, small_queries = pack_html(small_meeting_pk)
    render_pdf(small_html, in_parts=True)

    started = time.perf_counter()
    html, queries = pack_html(meeting_pk)
    templated = time.perf_counter()
    pdf = render_pdf(html, in_parts=True)
    finished = time.perf_counter()
    css = (BASE_DIR / "static" / "src" / "print.css").read_text()
    Path(out).write_text(html.replace(STYLESHEET, f"<style>{css}</style>"), encoding="utf-8")
    figures = {
        "pages": pdf.pages,
        "total": finished - started,
        "outside": templated - started,
        "weasyprint": finished - templated,
        "queries": queries,
        "small_queries": small_queries,
        "variant": settings.PDF_VARIANT or "",
        "peak_mb": peak_mb(),
    }
    Path(f"{out}.json").write_text(json.dumps(figures))


STYLESHEET = '<link rel="stylesheet" href="/static/src/print.css">'


def weasyprint_alone(path, variant):
    """Runs in a fresh process without Django: WeasyPrint alone on the pack's HTML (its
    stylesheet inlined), warmed up on a one-line document first, as the pack is."""
    from weasyprint import HTML

    HTML(string="<p>Warm-up</p>").write_pdf()
    html = Path(path).read_text(encoding="utf-8")
    started = time.perf_counter()
    document = HTML(string=html).render()
    document.write_pdf(pdf_variant=variant or None)
    seconds = time.perf_counter() - started
    figures = {"pages": len(document.pages), "seconds": seconds, "peak_mb": peak_mb()}
    Path(f"{path}.alone.json").write_text(json.dumps(figures))


CEILING_MB = 400


def child(*args, env=None):
    """Run this script again in a child process (a fresh interpreter, so its peak memory is
    its own) and return the largest peak resident size of any child so far, in MB."""
    subprocess.run([sys.executable, __file__, *args], check=True, env=env)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def report(meeting_pk, small_pk, url):
    """The pack in one child process, WeasyPrint alone on the same HTML in another."""
    with tempfile.TemporaryDirectory() as folder:
        out = str(Path(folder) / "pack.html")
        env = {**os.environ, "DATABASE_URL": url}
        children_peak = child("--measure", str(meeting_pk), str(small_pk), out, env=env)
        ours = json.loads(Path(f"{out}.json").read_text())
        child("--alone", out, ours["variant"])
        alone = json.loads(Path(f"{out}.alone.json").read_text())
    total, seconds = ours["total"], alone["seconds"]
    print(f"pages:                       {ours['pages']} (WeasyPrint alone: {alone['pages']})")
    print(f"PDF variant:                 {ours['variant'] or 'plain PDF'} (both)")
    print(f"total seconds:               {total:.2f}")
    print(f"  outside WeasyPrint:        {ours['outside']:.2f} (data and templating)")
    print(f"  WeasyPrint in the pack:    {ours['weasyprint']:.2f}")
    print(f"WeasyPrint alone, same HTML: {seconds:.2f}")
    print(f"page rate, ours:             {ours['pages'] / total:.2f} pages/s")
    print(f"page rate, WeasyPrint alone: {alone['pages'] / seconds:.2f} pages/s")
    print(f"ratio (ours / alone):        {seconds / total:.3f}  (target >= 0.85)")
    print(f"seconds per 100 pages:       {100 * total / ours['pages']:.2f}  (target < 12)")
    print(
        f"peak memory, our pack:       {ours['peak_mb']:.0f} MB  (target < {CEILING_MB}; "
        f"max RSS of its child process, {children_peak:.0f} MB by RUSAGE_CHILDREN)"
    )
    print(f"peak memory, WeasyPrint alone: {alone['peak_mb']:.0f} MB (its own child process)")
    print(
        f"memory ratio (ours / alone): {ours['peak_mb'] / alone['peak_mb']:.2f}  "
        f"({'within' if ours['peak_mb'] < CEILING_MB else 'OVER'} the {CEILING_MB} MB ceiling)"
    )
    print(f"queries:                     {ours['queries']} (a tenth of the actions: "
          f"{ours['small_queries']})")  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=1000)
    parser.add_argument("--updates", type=int, default=12)
    parser.add_argument("--keep", action="store_true", help="Keep the bench_pack database.")
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--alone", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument(
        "--smoke", action="store_true", help="20 actions x 2 updates: CI checks the script runs"
    )
    args = parser.parse_args()
    if args.smoke:
        args.actions, args.updates = 20, 2
    if args.alone:
        weasyprint_alone(*args.alone)
        return
    url = server_url()

    if args.measure:
        setup_django(url)
        meeting_pk, small_pk, out = args.measure
        measure(int(meeting_pk), int(small_pk), out)
        return

    databases.create_database(url, DB_NAME)
    try:
        setup_django(url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        meeting = load("BENCH", args.actions, args.updates, seed=1)
        small = load("SMALL", max(10, args.actions // 10), args.updates, seed=2)
        print(
            f"Loaded {args.actions} actions x {args.updates} updates (+ a tenth-size partnership)"
            f" in {time.perf_counter() - started:.1f} s; pack for {meeting} "
            f"(deadline {meeting.update_deadline:%-d %B %Y})"
        )
        from django.db import connections

        connections.close_all()
        report(meeting.pk, small.pk, url)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            databases.drop_database(url, DB_NAME)


if __name__ == "__main__":
    main()
