"""`python -m bench.export_child <user id>`: the records export of every incident (one row per violation) as CSV,
written by reports.exports.write_records as an export job writes it (by COPY on PostgreSQL), in a process of its own
so that its peak memory is its own.
Prints one line of JSON: rows written (without the header), seconds, peak resident memory in MB."""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import django


def main(user_id: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from core.models import User  # noqa: PLC0415  once Django is set up
    from reports.exports import write_records  # noqa: PLC0415

    user = User.objects.get(pk=user_id)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        target = Path(folder) / "export.csv"
        written = write_records(user, "incidents", None, fmt="csv", target=target, progress=lambda _done: None)
        seconds = time.perf_counter() - start
    # ru_maxrss is in kilobytes on Linux.
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": written, "seconds": seconds, "max_rss_mb": peak_mb}


if __name__ == "__main__":
    sys.stdout.write(json.dumps(main(int(sys.argv[1]))) + "\n")
