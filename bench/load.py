"""The figures endpoint under bounded concurrent load: gunicorn (4 workers on 127.0.0.1) and Debian's `hey`
(4 concurrent clients, BENCH_LOAD_SECONDS, default 30 s for each URL, in three turns taken in alternation), beside
an authenticated reference list of the same app."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from bench import generate
from bench.cases import Result

Say = Callable[[str], None]
ROOT = Path(__file__).resolve().parent.parent
WORKERS = 4
CONCURRENCY = 4
SLICES = 3  # turns of each URL (`_interleaved`)
HEY_MISSING = "hey is not installed: as root, `apt-get install -y hey` (Debian's package), then run make bench again."


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, key: str, server: subprocess.Popen[bytes]) -> None:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {key}"})  # noqa: S310  loopback
    for _attempt in range(120):
        if server.poll() is not None:
            raise RuntimeError("gunicorn stopped before answering")
        try:
            with urllib.request.urlopen(request, timeout=60):  # noqa: S310  loopback
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    raise RuntimeError(f"gunicorn does not answer {url}")


def _hey(url: str, key: str, seconds: int) -> tuple[float, int, int, float]:
    """Requests per second, answers, errors (anything but 200, and failures) and the average seconds."""
    command = ["hey", "-c", str(CONCURRENCY), "-z", f"{seconds}s", "-H", f"Authorization: Token {key}", url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    average = float(re.search(r"Average:\s+([\d.]+) secs", out).group(1))  # type: ignore[union-attr]
    codes = {int(code): int(count) for code, count in re.findall(r"\[(\d{3})\]\s+(\d+) responses", out)}
    failures = sum(int(n) for n in re.findall(r"^\s+\[(\d+)\]\s+Get", out, re.MULTILINE))
    answered = sum(codes.values())
    errors = answered - codes.get(200, 0) + failures
    return rate, answered, errors, average


def _interleaved(urls: list[str], key: str, seconds: int) -> list[tuple[float, int, int, float]]:
    """`_hey` for each URL, in `SLICES` turns of `seconds / SLICES` (the reference list, the figures, the reference
    list …), summed: whatever else loads the machine for a while (a checkpoint after the export, autovacuum) weighs on
    both sides of the ratio, not on one."""
    turn = max(1, seconds // SLICES)
    answered = dict.fromkeys(urls, 0)
    errors = dict.fromkeys(urls, 0)
    busy = dict.fromkeys(urls, 0.0)  # seconds spent answering (hey's duration)
    waited = dict.fromkeys(urls, 0.0)  # summed latency of the answers
    for _turn in range(SLICES):
        for url in urls:
            rate, count, failed, average = _hey(url, key, turn)
            answered[url] += count
            errors[url] += failed
            busy[url] += count / rate if rate else turn
            waited[url] += average * count
    return [
        (
            answered[url] / busy[url] if busy[url] else 0.0,
            answered[url],
            errors[url],
            waited[url] / max(1, answered[url]),
        )
        for url in urls
    ]


def load_cases(key: str, *, database_url: str, say: Say) -> list[Result]:
    if shutil.which("hey") is None:
        say(HEY_MISSING)
        return [Result("figures endpoint under load", f"skipped: {HEY_MISSING}")]
    seconds = int(os.environ.get("BENCH_LOAD_SECONDS", "30"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    figures_url = f"{base}/reports/monthly/?month={generate.CLOSED_MONTHS[-1]:%Y-%m}"
    reference_url = f"{base}/reference/population-groups/"
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}"]
    command += ["--timeout", "300", "--log-level", "warning"]
    say(f"Load: {' '.join(command[1:])}; hey -c {CONCURRENCY}, {SLICES} turns of {seconds // SLICES} s for each URL")
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "DATABASE_URL": database_url})  # noqa: S603
    try:
        _wait_until_up(reference_url, key, server)
        _wait_until_up(figures_url, key, server)
        (base_rate, base_n, base_errors, base_avg), (rate, answered, errors, average) = _interleaved(
            [reference_url, figures_url], key, seconds
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    return [
        Result(
            f"figures endpoint under load, closed month {generate.CLOSED_MONTHS[-1]:%Y-%m}, admin "
            f"(gunicorn {WORKERS} workers, hey -c {CONCURRENCY}, {SLICES} × {seconds // SLICES} s alternating)",
            f"{rate:,.1f} req/s, {average * 1000:,.0f} ms average, {answered:,} answers, {errors} errors",
            f"reference list {base_rate:,.1f} req/s ({base_avg * 1000:,.0f} ms, {base_n:,} answers, "
            f"{base_errors} errors)",
            rate / base_rate if base_rate else None,
            mismatch=f"ERRORS under load: {errors} (figures), {base_errors} (reference list)"
            if errors or base_errors
            else "",
        )
    ]
