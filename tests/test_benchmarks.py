"""Every benchmark under bench/ runs in its --smoke form, so none can silently break.

The full forms print the figures the closing notes quote; these runs only prove each script
still works end to end and prints its figures beside the target it is compared with.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.serial

ROOT = Path(__file__).resolve().parent.parent
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
BENCHMARKS = {
    # script and its options: (needs PostgreSQL, what its output must show)
    "import_plan.py": (False, ["(target under 10 s)"]),
    "pack.py": (True, ["(target >= 0.85)", "(target < 400", "memory ratio (ours / alone)"]),
    "pages.py": (True, ["ceiling", "(target >= 0.80)"]),
    "pages.py --cold": (True, ["(target >= 0.50)", "floors (", "list floor", "dash floor"]),
    "load.py": (True, ["meets: 0 errors", "every acknowledged update stored exactly once"]),
}


def test_every_benchmark_is_listed_here():
    scripts = {
        path.name for path in (ROOT / "bench").glob("*.py") if "def main(" in path.read_text()
    }
    assert scripts == {command.split()[0] for command in BENCHMARKS}


@pytest.mark.parametrize("script", sorted(BENCHMARKS))
def test_benchmark_smoke_form_runs(script):
    needs_postgres, expected = BENCHMARKS[script]
    script, *options = script.split()
    if needs_postgres and not ON_POSTGRES:
        pytest.skip("this benchmark needs PostgreSQL (set DATABASE_URL); CI runs it there")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    if ON_POSTGRES:
        db = settings.DATABASES["default"]
        auth = f"{db['USER']}:{db['PASSWORD']}" if db.get("PASSWORD") else db["USER"]
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        env["DATABASE_URL"] = f"postgres://{auth}@{host}/postgres"
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *options, "--smoke"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    for words in expected:
        assert words in output, output[-3000:]
