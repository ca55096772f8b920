"""`make bench`: issue 14's table, measured on PostgreSQL at a million incidents (or `--incidents N`).

    python -m bench [--incidents N] [--reuse] [--no-load] [--no-record]   # load the data set, time every case
    python -m bench generate --incidents N                                # only load the data set
    python -m bench run [--no-load] [--no-record] [--only queue,export]   # only time, on a data set loaded before

It runs on PostgreSQL only: BENCH_DATABASE_URL if set, else DATABASE_URL's server with a database of its own,
`<DATABASE_URL's database>_bench`. It DROPS and recreates that database (it says which before), migrates it and loads
the data set with SQL (bench.generate), then times each case in this process (bench.cases), the figures endpoint
under load (bench.load: gunicorn and `hey`), prints the table and appends it to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import django
from django.core.management import call_command

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
DEFAULT_INCIDENTS = 1_000_000


class Refused(Exception):
    """The bench cannot run on this database (not PostgreSQL, or none given)."""


def bench_database_url(environ: dict[str, str] | os._Environ[str]) -> str:
    """The database the bench may empty: BENCH_DATABASE_URL, or DATABASE_URL's server with `<name>_bench`."""
    given = environ.get("BENCH_DATABASE_URL") or ""
    url = given or environ.get("DATABASE_URL") or ""
    if urlsplit(url).scheme not in {"postgres", "postgresql", "pgsql"}:
        raise Refused(
            "make bench runs on PostgreSQL only (the issue's figures are PostgreSQL's; SQLite would measure something "
            f"else). Set DATABASE_URL or BENCH_DATABASE_URL to postgres://…; got {url or 'nothing'!r}.\n"
            "  e.g. make bench DATABASE_URL=postgres://postgres@127.0.0.1:5432/vigie INCIDENTS=20000"
        )
    if given:
        return given
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path.strip('/') or 'vigie'}_bench"))


def _recreate(url: str) -> None:
    """DROP and CREATE the bench's database, from the server's maintenance database."""
    import psycopg  # noqa: PLC0415  only the bench needs it directly
    from psycopg import sql  # noqa: PLC0415

    parts = urlsplit(url)
    name = parts.path.strip("/")
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as server:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _setup(url: str) -> None:
    # In-process tasks (no Redis), debug settings (no collected static files needed for the queue page).
    os.environ.update(DATABASE_URL=url, REDIS_URL="", DEBUG="1", ALLOWED_HOSTS="testserver,127.0.0.1,localhost")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # the closing logs every suppressed cell at INFO
    os.environ["OTP_REQUIRED_ROLES"] = ""  # the bench's admin signs in without a second factor
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()


def _say(line: str) -> None:
    print(line, flush=True)


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", choices=["all", "generate", "run"], default="all")
    parser.add_argument("--incidents", type=int, default=DEFAULT_INCIDENTS, help="size of the data set (default 1M)")
    parser.add_argument("--reuse", action="store_true", help="keep the bench database if it already holds data")
    parser.add_argument("--no-load", action="store_true", help="skip the load test (gunicorn and hey)")
    parser.add_argument("--no-record", action="store_true", help="do not append the table to bench/RESULTS.md")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated groups to time, e.g. queue,export (figures, closing, lists, queue, export, pandas, load)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    try:
        url = bench_database_url(os.environ)
    except Refused as refused:
        print(refused, file=sys.stderr)
        return 2
    name, host = urlsplit(url).path.strip("/"), urlsplit(url).hostname
    if args.command != "run":
        _load(url, name, str(host), args)
    else:
        _setup(url)
    if args.command == "generate":
        return 0
    from bench import cases, report  # noqa: PLC0415  models are imported once Django is set up

    only = frozenset(filter(None, args.only.split(",")))
    unknown = only - set(cases.CASE_GROUPS)
    if unknown:
        print(f"--only: unknown group(s) {', '.join(sorted(unknown))}; choose from {', '.join(cases.CASE_GROUPS)}")
        return 2
    results = cases.run_all(say=_say, with_load=not args.no_load, database_url=url, only=only)
    table = report.render(results, database=f"{name} on {host}")
    print(table)
    if not args.no_record:
        report.append(RESULTS, table)
        _say(f"Appended to {RESULTS}")
    return 1 if any(result.mismatch for result in results) else 0


def _load(url: str, name: str, host: str, args: argparse.Namespace) -> None:
    if args.reuse:
        _setup(url)
        from incidents.models import Incident  # noqa: PLC0415

        try:
            if Incident.objects.exists():
                _say(f"Reusing database {name!r} on {host} ({Incident.objects.count():,} incidents).")
                return
        except Exception:  # noqa: BLE001, S110  no tables yet: load it below
            pass
        from django.db import connections  # noqa: PLC0415

        connections.close_all()
    _say(f"make bench: DROPPING and recreating database {name!r} on {host}, then loading {args.incidents:,} incidents.")
    _recreate(url)
    if not django.apps.apps.ready:
        _setup(url)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    _say(f"migrated in {time.perf_counter() - started:.0f} s")
    from bench.generate import generate  # noqa: PLC0415

    generate(args.incidents, say=_say)


if __name__ == "__main__":
    sys.exit(main())
