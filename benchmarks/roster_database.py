"""One database of the roster benchmark (run by ``benchmarks/roster.py``).

DATABASE_URL names the database: it is created if missing, migrated, and
seeded with ``--actors`` listed actors unless exactly that many seeded
actors are there already. Prints its progress, then ONE JSON line: per query
type the median and p99 server-side execution of page 1 (the sum over the
statements the page sends, from ``EXPLAIN (ANALYZE, TIMING OFF)``), the
deep page's ratio to page 1 and, for a relevance search with both tiers,
the tier-end page's; with ``--throughput`` the gunicorn + locust figures.
"""

import argparse
import csv
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
BENCH_EMAIL = "bench-creator@bench.consentcast.localhost"
TRIVIAL_PATH = "/notifications/badge/"
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
# Issue 18's table: the query types, searched as the roster page searches
# them (relevance order when there are words).
QUERY_TYPES: dict[str, dict[str, object]] = {
    "王": {"q": "王"},
    "雨": {"q": "雨"},
    "li": {"q": "li"},
    "Maya Okafor": {"q": "Maya Okafor"},
    "maya": {"q": "maya"},
    "Maya Okafr": {"q": "Maya Okafr"},
    "Lin Xaoyu": {"q": "Lin Xaoyu"},
    "martial arts": {"q": "martial arts"},
    "武术": {"q": "武术"},
    "晓雨": {"q": "晓雨"},
    "filters only": FILTERED,
    "sort by fee": {"sort": "fee"},
    "empty query": {},
}
WARM_UP = 3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--actors", type=int, required=True)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--deep-page", type=int, default=200)
    parser.add_argument("--throughput", action="store_true")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    os.environ["DEBUG"] = "False"
    ensure_database(os.environ["DATABASE_URL"])
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    seed(args.actors)
    tidy()
    result: dict = {"actors": args.actors, "queries": {}}
    for name, raw in QUERY_TYPES.items():
        result["queries"][name] = measure(name, params_of(raw), args)
    if args.throughput:
        result["throughput"] = throughput(args, bench_session())
    print(json.dumps(result, ensure_ascii=False))
    return 0


# --- Setup --------------------------------------------------------------------------------


def ensure_database(url: str, *, again: bool = False) -> None:
    """Create the database if it is missing (``again``: drop it first)."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as connection:
        if again:
            print(f"Dropping database {name}: seeded by an older seed_volume or with another size", flush=True)
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            print(f"Creating database {name}", flush=True)
            connection.execute(f'CREATE DATABASE "{name}"')


def seed(actors: int) -> None:
    """Seed ``actors`` unless exactly that many, of this seed version, are
    there. A database seeded otherwise is made again from nothing: deleting
    a million seeded accounts row by row takes far longer."""
    from django.core.management import call_command
    from django.db import connections

    from creators.management.commands.seed_volume import seeded_users, seeded_version
    from creators.management.volume import SEED_VERSION

    present = seeded_users().count()
    if present == actors and seeded_version() == SEED_VERSION:
        print(f"{present:,} seeded actors present (version {SEED_VERSION}); not seeding again.", flush=True)
        return
    if present:
        connections.close_all()
        ensure_database(os.environ["DATABASE_URL"], again=True)
        call_command("migrate", interactive=False, verbosity=0)
    print(f"Seeding {actors:,} actors...", flush=True)
    call_command("seed_volume", actors=actors, batch=10_000, stdout=sys.stderr)


def tidy() -> None:
    """After a migration that rewrote the profiles, vacuum them, so dead
    row versions do not double every scan; refresh the statistics."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT n_dead_tup, n_live_tup FROM pg_stat_user_tables WHERE relname = 'actors_actorprofile'")
        dead, live = cursor.fetchone()
        if dead > live // 10:
            print(f"Vacuuming {dead:,} dead profile rows...", flush=True)
            cursor.execute("VACUUM (ANALYZE) actors_actorprofile")


def params_of(raw: dict):
    from decimal import Decimal

    from creators.selectors.roster import RosterParams

    values = dict(raw)
    if "fee_max" in values:
        values["fee_max"] = Decimal(str(values["fee_max"]))
    return RosterParams(**values)


# --- Execution times ---------------------------------------------------------------------------


def statements_of(params, cursor=None) -> tuple[list[str], Any]:
    """The SQL roster_search sends for one page, and the page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from creators.selectors.roster import roster_search

    with CaptureQueriesContext(connection) as captured:
        page = roster_search(params=params, cursor=cursor)
    return [query["sql"] for query in captured.captured_queries], page


def execution_ms(statements: list[str]) -> float:
    """Server-side execution of the statements, summed (EXPLAIN ANALYZE)."""
    from django.db import connection

    total = 0.0
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            total += plan[0]["Execution Time"]
    return total


def timings(statements: list[str], runs: int) -> list[float]:
    for _ in range(WARM_UP):
        execution_ms(statements)
    return [execution_ms(statements) for _ in range(runs)]


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def scans(sql: str) -> list[str]:
    """The plan's scan nodes on the profiles (what serves the page)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found: list[str] = []

    def walk(node):
        if "Scan" in node["Node Type"] and node.get("Relation Name", "actors_actorprofile") == "actors_actorprofile":
            found.append(node["Node Type"] + (f" {node['Index Name']}" if "Index Name" in node else ""))
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return list(dict.fromkeys(found))


def measure(name: str, params, args) -> dict:
    statements, first = statements_of(params)
    page_one = timings(statements, args.runs)
    median = statistics.median(page_one)
    figures: dict[str, object] = {
        "median_ms": round(statistics.median(page_one), 3),
        "p99_ms": round(p99(page_one), 3),
        "statements": len(statements),
        "scans": scans(statements[-1]),
        "count": None if first.count is None else first.count.value,
    }
    deep_cursor, reached = walk_pages(params, first, args.deep_page)
    if deep_cursor:
        deep = timings(statements_of(params, deep_cursor)[0], args.runs)
        figures |= {"deep_page": reached, "deep_ratio": round(statistics.median(deep) / median, 3)}
    boundary = tier_end_cursor(params, first.count)
    if boundary:
        ends = timings(statements_of(params, boundary)[0], args.runs)
        figures["boundary_ratio"] = round(statistics.median(ends) / median, 3)
    print(f"  {name}: {figures}", file=sys.stderr, flush=True)
    return figures


def walk_pages(params, page, deep: int) -> tuple[str | None, int]:
    """The cursor of page ``deep`` (or of the last page) and its number."""
    from creators.selectors.roster import roster_search

    cursor, reached = None, 1
    while reached < deep and page.next_cursor:
        cursor, reached = page.next_cursor, reached + 1
        page = roster_search(params=params, cursor=cursor)
    return cursor, reached


def tier_end_cursor(params, count) -> str | None:
    """For a relevance search with both tiers: a cursor whose next page
    holds the last five stage-name matches and the first other matches,
    carrying page 1's ``count`` as every cursor of the roster does."""
    from creators.selectors import roster, search
    from creators.selectors.query import parse_search

    if params.effective_sort != roster.SORT_RELEVANCE:
        return None
    parsed = parse_search(params.q)
    names = roster._matching(params).filter(search.name_condition(parsed))
    others = roster._matching(params).filter(search.other_condition(parsed))
    last_names = list(names.order_by("created_at", "id").values_list("created_at", "id")[:6])
    if len(last_names) < 6 or not others.exists():
        return None
    created_at, pk = last_names[-1]
    key = [1, (created_at - search._EPOCH) // timedelta(microseconds=1)]
    counted = None if count is None else count.value + (0 if count.exact else 1)
    return search.encode_cursor(params.fingerprint(), roster.SORT_RELEVANCE, key, pk, direction="n", count=counted)


# --- Throughput ---------------------------------------------------------------------------------


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
            *("-f", str(ROOT / "benchmarks" / "locustfile.py"), "--headless", "--only-summary"),
            *("--users", str(args.users), "--spawn-rate", str(args.users), "--run-time", f"{args.seconds}s"),
            *("--host", f"http://127.0.0.1:{port}", "--csv", prefix, "--loglevel", "ERROR"),
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
        "median_ms": float(total["Median Response Time"]),
        "p95_ms": float(total["95%"]),
    }


def throughput(args, session_key: str) -> dict:
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "marketplace.wsgi:application",
        *("--workers", str(args.workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning"),
    ]
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "DEBUG": "False"})  # noqa: S603
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
            f"{result['rps']:7.1f} req/s  (median {result['median_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms, "
            f"{result['requests']} requests, {result['failures']} failed)"
        )

    return {
        "setup": f"gunicorn {args.workers} sync workers, locust {args.users} users, {args.seconds} s each",
        "trivial_rps": trivial["rps"],
        "roster_rps": roster["rps"],
        "roster_search_rps": search["rps"],
        "ratio": roster["rps"] / trivial["rps"] if trivial["rps"] else 0.0,
        "lines": {
            "Setup": f"gunicorn {args.workers} sync workers, locust {args.users} users, {args.seconds} s each",
            TRIVIAL_PATH: line(trivial),
            "/roster/": line(roster),
            "/roster/?q=武术": line(search),
        },
    }


if __name__ == "__main__":
    sys.exit(main())
