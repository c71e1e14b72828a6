"""Settings fail loudly rather than run insecurely."""

import os
import subprocess
import sys

from django.conf import settings


def run_settings(env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", "import safeguarding.settings"],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_secret_key_is_required_without_debug():
    result = run_settings({"DEBUG": "off"})
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_debug_runs_without_a_secret_key():
    assert run_settings({"DEBUG": "on"}).returncode == 0


def test_debug_is_off_and_time_zone_is_london_by_default():
    assert settings.DEBUG is False
    assert settings.TIME_ZONE == "Europe/London"
