"""The table `make bench` prints and appends, dated with the load average and the size, to bench/RESULTS.md."""

from __future__ import annotations

import datetime
import os
from collections.abc import Sequence
from pathlib import Path

from bench.cases import Result, repeat
from incidents.models import GbvReferral, Incident, Violation


def render(results: Sequence[Result], *, database: str) -> str:
    now = datetime.datetime.now(datetime.UTC)
    loads = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    size = f"{Incident.objects.count():,} incidents, {Violation.objects.count():,} violations, " + (
        f"{GbvReferral.objects.count():,} GBV referrals"
    )
    lines = [
        f"## {now:%Y-%m-%d %H:%M} UTC — make bench, {size}",
        "",
        f"PostgreSQL ({database}), median of {repeat()} runs after a warm-up (BENCH_REPEAT); load average "
        f"{loads} (1, 5, 15 min) on {os.cpu_count()} cores.",
        "",
        "| what | value | baseline | ratio | queries |",
        "|---|---|---|---|---|",
    ]
    for result in results:
        ratio = f"{result.ratio:.2f}" if result.ratio is not None else "—"
        queries = f"{result.queries:,}" if result.queries is not None else "—"
        notes = f" ({'; '.join(result.notes)})" if result.notes else ""
        lines.append(f"| {result.what}{notes} | {result.value} | {result.baseline} | {ratio} | {queries} |")
    mismatches = [f"- **{result.what}: {result.mismatch}**" for result in results if result.mismatch]
    if mismatches:
        lines += ["", "Baselines that disagree with the application:", *mismatches]
    return "\n".join(lines) + "\n"


def append(path: Path, table: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n" + table)
