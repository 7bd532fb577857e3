"""Roster benchmark on PostgreSQL (``make bench-roster``).

1. Creates the database named by DATABASE_URL if it is missing (default
   postgres://postgres@127.0.0.1:5432/consentcast_bench), migrates it, and
   seeds ``--actors`` listed actors with ``seed_volume`` unless exactly that
   many seeded actors are there already.
2. SQL: captures the SQL that ``creators.selectors.roster.roster_search`` sends for a
   few searches and a filtered page, then executes each statement ``--runs``
   times through ``connection.cursor()`` (execute + fetch, the database round
   trip) and prints the median; the plan's scan nodes show where time goes.
3. Pages: walks ``--deep-page`` pages of cursors and compares the latency of
   page 1 with the last one: the whole selector call (SQL and Python, the
   figure the target applies to) and its SQL alone.
4. Throughput: serves the portal with gunicorn on loopback (DEBUG off) and
   drives it with locust (headless, one signed-in creator's session), first a
   trivial signed-in view (/notifications/badge/), then /roster/; the ratio of
   the two request rates is the figure that matters on a shared machine.

Targets: search SQL median < 15 ms; page N no slower than 1.5 x page 1;
roster / trivial throughput >= 0.25. The script prints every figure from one
run and exits 0 even when a target is missed (the figures are the result).
"""

import argparse
import csv
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/consentcast_bench"
BENCH_EMAIL = "bench-creator@bench.consentcast.localhost"
TRIVIAL_PATH = "/notifications/badge/"

SEARCHES: dict[str, dict[str, object]] = {
    "search 'martial arts' (full text)": {"q": "martial arts"},
    "search 'Lin Xaoyu' (typo, trigram)": {"q": "Lin Xaoyu"},
    "search '武术' (Chinese substring)": {"q": "武术"},
    "search '晓雨' (part of a Chinese name)": {"q": "晓雨"},
}
FILTERED: dict[str, object] = {
    "language": "zh",
    "gender": "female",
    "age_min": 20,
    "age_max": 35,
    "category": "adult",
    "fee_max": "8000",
    "currency": "CNY",
    "sort": "fee",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--actors", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30, help="Executions per SQL statement.")
    parser.add_argument("--deep-page", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=20, help="Length of each load run.")
    parser.add_argument("--users", type=int, default=8, help="Concurrent locust users.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
    args = parser.parse_args()

    database_url = os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.development")
    os.environ["DEBUG"] = "False"
    if not database_url.startswith(("postgres://", "postgresql://")):
        print("bench-roster measures PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    ensure_database(database_url)

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    seed(args.actors)
    session_key = bench_session()

    report: list[tuple[str, str]] = []
    sql_figures(args, report)
    page_figures(args, report)
    throughput_figures(args, session_key, report)

    width = max(len(label) for label, _ in report)
    print(f"\n=== Roster benchmark ({args.actors:,} actors, PostgreSQL) ===")
    for label, value in report:
        print(f"{label.ljust(width)}  {value}")
    return 0


# --- Setup ------------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            print(f"Creating database {name}")
            connection.execute(f'CREATE DATABASE "{name}"')


def seed(actors: int) -> None:
    from django.core.management import call_command

    from creators.management.commands.seed_volume import seeded_users

    present = seeded_users().count()
    if present == actors:
        print(f"{present:,} seeded actors present; not seeding again.")
        return
    print(f"Seeding {actors:,} actors (found {present:,})...")
    call_command("seed_volume", actors=actors, reset=bool(present))


def bench_session() -> str:
    """A signed-in session for a creator with a verified email address."""
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from creators.models import CreatorProfile
    from marketplace.models import User

    user, _ = User.objects.get_or_create(email=BENCH_EMAIL)
    CreatorProfile.objects.get_or_create(user=user, defaults={"display_name": "Bench Studio"})
    EmailAddress.objects.update_or_create(user=user, email=BENCH_EMAIL, defaults={"verified": True, "primary": True})
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    # A backend Django no longer lists would make the session anonymous.
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    assert store.session_key is not None  # create() saved it under a new key
    return store.session_key


# --- SQL ------------------------------------------------------------------------------------


def params_of(raw: dict):
    from decimal import Decimal

    from creators.selectors.roster import RosterParams

    values = dict(raw)
    if "fee_max" in values:
        values["fee_max"] = Decimal(values["fee_max"])
    return RosterParams(**values)


def roster_sql(params, cursor=None) -> str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from creators.selectors.roster import roster_search

    with CaptureQueriesContext(connection) as captured:
        roster_search(params=params, cursor=cursor)
    (query,) = captured.captured_queries
    return query["sql"]


def median_ms(sql: str, runs: int) -> float:
    from django.db import connection

    timings = []
    with connection.cursor() as cursor:
        cursor.execute(sql)
        cursor.fetchall()
        for _ in range(runs):
            began = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings)


def scans(sql: str) -> str:
    """The plan's scan nodes and the server-side execution time."""
    import json

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    found: list[str] = []

    def walk(node):
        kind = node["Node Type"]
        if "Scan" in kind:
            found.append(f"{kind}{' on ' + node['Index Name'] if 'Index Name' in node else ''}")
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    # The photo and user look-ups of each row are the same in every plan.
    unique = [scan for scan in dict.fromkeys(found) if "likenessphoto" not in scan and "user_pkey" not in scan]
    return f"exec {plan[0]['Execution Time']:.1f} ms; " + ", ".join(unique[:4])


def sql_figures(args, report) -> None:
    search_medians = []
    for label, raw in SEARCHES.items():
        sql = roster_sql(params_of(raw))
        value = median_ms(sql, args.runs)
        search_medians.append(value)
        report.append((f"SQL {label}", f"{value:6.1f} ms median   [{scans(sql)}]"))
    worst = max(search_medians)
    mark = "OK" if worst < 15 else "MISSED"
    report.append(("SQL search, slowest of the above", f"{worst:6.1f} ms  (target < 15 ms: {mark})"))
    for label, raw in (("SQL filtered page (6 filters, fee sort)", FILTERED), ("SQL unfiltered page 1", {})):
        sql = roster_sql(params_of(raw))
        report.append((label, f"{median_ms(sql, args.runs):6.1f} ms median   [{scans(sql)}]"))


# --- Deep pages -------------------------------------------------------------------------------


def page_figures(args, report) -> None:
    from creators.selectors.roster import roster_search

    for label, raw in (("newest", {}), ("fee sort", {"sort": "fee"}), ("search 'martial'", {"q": "martial"})):
        params = params_of(raw)
        cursor, reached = None, 1
        for _ in range(args.deep_page - 1):
            page = roster_search(params=params, cursor=cursor)
            if not page.next_cursor:
                break
            cursor, reached = page.next_cursor, reached + 1

        def timed(position, params=params):
            timings = []
            for _ in range(args.runs):
                began = time.perf_counter()
                roster_search(params=params, cursor=position)
                timings.append((time.perf_counter() - began) * 1000)
            return statistics.median(timings)

        first, deep = timed(None), timed(cursor)
        first_sql, deep_sql = median_ms(roster_sql(params), args.runs), median_ms(roster_sql(params, cursor), args.runs)
        ratio = deep / first
        mark = "OK" if ratio <= 1.5 else "MISSED"
        report.append(
            (
                f"Page 1 vs page {reached} ({label})",
                f"{first:6.1f} ms vs {deep:6.1f} ms  = {ratio:.2f}x  (target <= 1.5x: {mark}); "
                f"SQL alone {first_sql:.1f} vs {deep_sql:.1f} ms",
            )
        )


# --- Throughput ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(port: int, path: str, session_key: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": f"sessionid={session_key}"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def load(port: int, path: str, session_key: str, args) -> dict:
    """Requests per second for ``path`` from a locust run."""
    for _ in range(20):  # warm both workers
        fetch(port, path, session_key)
    with tempfile.TemporaryDirectory() as folder:
        prefix = str(Path(folder) / "run")
        command = [
            str(Path(sys.executable).with_name("locust")),
            "-f",
            str(ROOT / "benchmarks" / "locustfile.py"),
            "--headless",
            "--users",
            str(args.users),
            "--spawn-rate",
            str(args.users),
            "--run-time",
            f"{args.seconds}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            prefix,
            "--only-summary",
            "--loglevel",
            "ERROR",
        ]
        env = {**os.environ, "BENCH_PATH": path, "BENCH_SESSION": session_key}
        subprocess.run(command, env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        with open(f"{prefix}_stats.csv", newline="") as handle:
            rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    return {
        "rps": float(total["Requests/s"]),
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "median": float(total["Median Response Time"]),
        "p95": float(total["95%"]),
    }


def throughput_figures(args, session_key: str, report) -> None:
    port = free_port()
    env = {**os.environ, "DEBUG": "False"}
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "marketplace.wsgi:application",
        "--workers",
        str(args.workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if fetch(port, "/healthz", session_key)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer /healthz within 30 s")
            time.sleep(0.3)
        status, body = fetch(port, "/roster/", session_key)
        if status != 200 or b'data-testid="roster-card"' not in body:
            raise RuntimeError(f"/roster/ answered {status} without cards: is the bench creator signed in?")

        search_path = "/roster/?" + urlencode({"q": "武术"})
        trivial = load(port, TRIVIAL_PATH, session_key, args)
        roster = load(port, "/roster/", session_key, args)
        search = load(port, search_path, session_key, args)
    finally:
        server.terminate()
        server.wait(timeout=30)

    def line(result):
        return (
            f"{result['rps']:7.1f} req/s  (median {result['median']:.0f} ms, p95 {result['p95']:.0f} ms, "
            f"{result['requests']} requests, {result['failures']} failed)"
        )

    setup = f"gunicorn {args.workers} sync workers, locust {args.users} users, {args.seconds} s each"
    report.append(("Throughput setup", setup))
    report.append((f"Throughput {TRIVIAL_PATH}", line(trivial)))
    report.append(("Throughput /roster/", line(roster)))
    report.append(("Throughput /roster/?q=武术", line(search)))
    ratio = roster["rps"] / trivial["rps"] if trivial["rps"] else 0.0
    mark = "OK" if ratio >= 0.25 else "MISSED"
    report.append(("Roster / trivial throughput", f"{ratio:.2f}  (target >= 0.25: {mark})"))


if __name__ == "__main__":
    sys.exit(main())
