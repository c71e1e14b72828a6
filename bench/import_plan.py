"""Benchmark: import a 5,000-row action plan; print the seconds taken and the peak memory.

    DEBUG=on .venv/bin/python bench/import_plan.py [--rows 5000] [--kind review|plan|both]

Runs against a throwaway SQLite database in a temporary folder (or DATABASE_URL if set, which
must be an empty database it may migrate). Target: under 10 s with memory bounded by the file,
not by the database. Peak memory is the process's peak resident size (ru_maxrss) before and
after the import, so the figure includes Django itself; `--trace` adds Python's own
allocation peak (tracemalloc), which slows the run.
"""

import argparse
import csv
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
AGENCIES = [
    "Broxtowe Borough Council",
    "Framework Housing Association",
    "Nottingham University Hospitals NHS Trust",
    "Nottinghamshire HealthCare NHS Trust",
    "NHS Nottinghamshire County",
    "CitiHealth NHS Nottingham",
    "Barnardo's",
    "Derbyshire Police",
]
TIMESCALES = ["August 2009", "By 31/12/09", "Completed Oct 2009 Mar 2010", "Ongoing programme"]


def headings(kind, *, optional=()):
    """The importer's own column headings (plans/importing.py), with only the optional ones
    named in `optional`."""
    from plans.importing import HEADER_KINDS  # noqa: PLC0415  (after setup_django)

    header = HEADER_KINDS[kind]
    return [h for name, h in header.columns if name not in header.optional or name in optional]


def review_csv(rows):
    """A review action plan shaped like AN09: agency sections, two actions per recommendation."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings("review"))
    written = 1
    per_agency = max(2, rows // len(AGENCIES) // 2 * 2)  # sections start on a recommendation
    for number in range(rows):
        if number % per_agency == 0:
            writer.writerow([AGENCIES[(number // per_agency) % len(AGENCIES)]])
            written += 1
        outcome = f"Outcome {number // 4}: staff know what to do." if number % 4 == 0 else ""
        recommendation = (
            f"Recommendation {number // 2}: review the procedure." if number % 2 == 0 else ""
        )
        writer.writerow(
            [
                outcome if recommendation else "",
                recommendation,
                f"Action {number}: amend the procedure and brief staff.",
                "Named Nurse Safeguarding",
                TIMESCALES[number % len(TIMESCALES)],
                "Audit of process and documentation",
            ]
        )
        written += 1
    return out.getvalue().encode(), written


def plan_csv(rows):
    """A business plan shaped like NCSCP 2019-22: three actions per objective, rated."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings("plan", optional={"comment", "rating"}))
    for number in range(rows):
        first = number % 3 == 0
        writer.writerow(
            [
                str(number // 3 + 1) if first else "",
                f"Objective {number // 3 + 1}: thresholds are applied." if first else "",
                f"Action {number}: audit the application of thresholds.",
                "Children's QA subgroup",
                "Children's QA subgroup report to BMG",
                "June 2019 Oct 2019 Feb 2020",
                "On track: report received." if number % 2 else "",
                "Green" if number % 2 else "",
            ]
        )
    return out.getvalue().encode(), rows + 1


def setup_django(workdir):
    os.environ.setdefault("DEBUG", "on")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("loaddata", str(BASE_DIR / "fixtures" / "01_structure.json"), verbosity=0)


def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run(kind, rows, trace):
    from django.contrib.auth import get_user_model

    from oversight.importing import ImportOptions, import_file
    from plans.models import Partnership

    user, _ = get_user_model().objects.get_or_create(username="bench")
    data, written = review_csv(rows) if kind == "review" else plan_csv(rows)
    options = ImportOptions(
        partnership=Partnership.objects.get(short_name="NSCP"),
        user=user,
        review_code=f"BENCH{rows}",
        plan_name=f"Bench plan {rows}",
    )
    if trace:
        import tracemalloc

        tracemalloc.start()
    before = peak_mib()
    started = time.perf_counter()
    summary = import_file(data, f"bench-{kind}.csv", options)
    seconds = time.perf_counter() - started
    traced = ""
    if trace:
        traced = f", Python allocations peak {tracemalloc.get_traced_memory()[1] / 2**20:.1f} MiB"
        tracemalloc.stop()
    started = time.perf_counter()
    again = import_file(data, f"bench-{kind}.csv", options)
    reimport = time.perf_counter() - started
    print(f"{kind}: {written:,} rows ({len(data) / 1024:.0f} KiB) imported in {seconds:.2f} s")
    print(f"  {'; '.join(summary.lines())}")
    print(
        f"  peak memory {peak_mib():.0f} MiB resident (was {before:.0f} MiB before the import)"
        f"{traced}"
    )
    changed = again.changed_anything
    print(f"  re-import of the same file: {reimport:.2f} s, changed anything: {changed}")
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--kind", choices=["review", "plan", "both"], default="both")
    parser.add_argument("--trace", action="store_true", help="also measure with tracemalloc")
    parser.add_argument("--smoke", action="store_true", help="50 rows: CI checks the script runs")
    args = parser.parse_args()
    if args.smoke:
        args.rows = 50
    with tempfile.TemporaryDirectory() as folder:
        setup_django(Path(folder))
        kinds = ["review", "plan"] if args.kind == "both" else [args.kind]
        slowest = max(run(kind, args.rows, args.trace) for kind in kinds)
    if args.trace:
        print(f"slowest: {slowest:.2f} s, slowed by tracemalloc: time it without --trace")
        return 0
    print(f"slowest: {slowest:.2f} s (target under 10 s)")
    return 0 if slowest < 10 else 1


if __name__ == "__main__":
    sys.exit(main())
