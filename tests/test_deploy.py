"""Production settings: `manage.py check --deploy` is silent with the production variables set, and Vigie
refuses to start without a secret key when DEBUG is off."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    # This project's own manage.py under the test's own interpreter: no untrusted input.
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        check=False,  # the tests assert on the return code
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_silent_with_production_variables():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        ALLOWED_HOSTS="vigie.example.org",
        CSRF_TRUSTED_ORIGINS="https://vigie.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_no_secret_key_without_debug_is_refused():
    result = run_manage("check", ALLOWED_HOSTS="vigie.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
