"""`make bench`: how fast the hot pages and endpoints answer on the demo year (about 5,600 incidents).

Builds a throw-away SQLite database (or uses BENCH_DATABASE_URL, e.g. a PostgreSQL database it may empty),
loads the demo, then times each request in-process through Django's test client — no network, so the
figures are the application's own work. Prints the median and the query count of each, and ratios that
should stay near 1 when the work does not grow with the data (pagination, aggregation in the database).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import django
from django.core.management import call_command


def _setup() -> None:
    database = os.environ.get("BENCH_DATABASE_URL")
    if not database:
        database = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    os.environ.update(DATABASE_URL=database, REDIS_URL="", DEBUG="1", ALLOWED_HOSTS="testserver")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("load_demo", stdout=quiet)


def main() -> int:
    _setup()
    # Models can be imported only once Django is set up, with the environment chosen above.
    from bench.cases import run  # noqa: PLC0415

    return run()


if __name__ == "__main__":
    sys.exit(main())
