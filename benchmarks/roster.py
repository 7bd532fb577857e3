"""Roster benchmark on PostgreSQL (``make bench-roster``).

For each size (``--sizes``, default 100,000 and 1,000,000 listed actors) a
child process (``benchmarks/roster_database.py``) measures one database:

* 100,000: a throwaway database, created, migrated, seeded with
  ``seed_volume`` (about 2 minutes here) and dropped at the end;
* 1,000,000: the database ``consentcast_bench_1m``, seeded once (about 25
  minutes) and reused by every later run while it holds exactly that many
  seeded actors; it is kept.

For each query type of issue 18's table (``QUERY_TYPES``) it takes the SQL
that ``creators.selectors.roster.roster_search`` sends for page 1 (every
statement: a search widened for typos sends three) and runs it under
``EXPLAIN (ANALYZE, TIMING OFF)`` ``--runs`` times: the figure is the
server-side execution time, summed over the statements of a page; the
median and p99 are printed. Then it walks the pages to page ``--deep-page``
(or the last) and times that page the same way, and for a relevance search
with both tiers the page where the stage-name tier ends: the ratio of each
to page 1. Goals: median < 15 ms, p99 < 50 ms, every page <= 1.5x page 1.

Then, on the largest database, the portal is served by gunicorn (DEBUG off,
``--workers``) and driven by locust (headless, ``--users``, ``--seconds``):
a trivial signed-in view (/notifications/badge/), then /roster/; the ratio
of their request rates is the figure that matters on a shared machine
(goal >= 0.5).

Everything is printed as a table, then as ONE JSON line (the last line).
The script exits 0 even when a goal is missed: the figures are the result.
The PostgreSQL server is the one of DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/); only the database name changes.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
KEPT_DATABASE = {1_000_000: "consentcast_bench_1m"}
GOALS = {"median_ms": 15.0, "p99_ms": 50.0, "page_ratio": 1.5, "throughput_ratio": 0.5}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000", help="Comma-separated actor counts.")
    parser.add_argument("--runs", type=int, default=100, help="Timed executions per query type and page.")
    parser.add_argument("--deep-page", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=20, help="Length of each load run.")
    parser.add_argument("--users", type=int, default=8, help="Concurrent locust users.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
    parser.add_argument("--no-throughput", action="store_true", help="Skip the gunicorn + locust part.")
    args = parser.parse_args()

    sizes = sorted(int(size) for size in args.sizes.split(","))
    server = os.environ.get("DATABASE_URL") or DEFAULT_SERVER
    if not server.startswith(("postgres://", "postgresql://")):
        print("bench-roster measures PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    results = {}
    for size in sizes:
        throwaway = size not in KEPT_DATABASE
        name = KEPT_DATABASE.get(size) or f"consentcast_bench_{size}_{os.getpid()}"
        url = urlparse(server)._replace(path=f"/{name}").geturl()
        try:
            results[size] = _measure(url, size, args, throughput=size == sizes[-1] and not args.no_throughput)
        finally:
            if throwaway:
                _drop(server, name)
    _report(results, args)
    return 0


def _measure(url: str, size: int, args, *, throughput: bool) -> dict:
    command = [
        sys.executable,
        str(ROOT / "benchmarks" / "roster_database.py"),
        f"--actors={size}",
        f"--runs={args.runs}",
        f"--deep-page={args.deep_page}",
        f"--seconds={args.seconds}",
        f"--users={args.users}",
        f"--workers={args.workers}",
    ]
    if throughput:
        command.append("--throughput")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "marketplace.settings.development"}
    done = subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)  # noqa: S603
    lines = done.stdout.strip().splitlines()
    for line in lines[:-1]:
        print(line)
    return json.loads(lines[-1])


def _drop(server: str, name: str) -> None:
    import psycopg

    admin = server.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"Dropped the throwaway database {name}.")


def _report(results: dict, args) -> None:
    print("\n=== Roster benchmark: server-side execution per page (EXPLAIN ANALYZE), PostgreSQL ===")
    header = f"{'query type':<16}" + "".join(f"| {f'{size:,} actors':^44}" for size in results)
    print(header)
    print(f"{'':<16}" + "".join(f"| {'median':>8} {'p99':>8} {'deep page':>12} {'tier end':>12} " for _ in results))
    names = list(next(iter(results.values()))["queries"])
    missed = []
    for name in names:
        cells = []
        for size, result in results.items():
            figures = result["queries"][name]
            cells.append(
                f"| {figures['median_ms']:7.2f}  {figures['p99_ms']:7.2f}  "
                f"{_ratio(figures.get('deep_ratio'), figures.get('deep_page'))}  "
                f"{_ratio(figures.get('boundary_ratio'), None)} "
            )
            missed += _misses(size, name, figures)
        print(f"{name:<16}" + "".join(cells))
    print("(ms; deep page: page N / page 1, N in brackets; tier end: the page where the stage-name tier ends / page 1)")
    summary: dict = {"goals": GOALS, "sizes": {str(size): result["queries"] for size, result in results.items()}}
    throughput = next((result["throughput"] for result in results.values() if result.get("throughput")), None)
    if throughput:
        print("\n=== Throughput (gunicorn, locust) ===")
        for label, value in throughput["lines"].items():
            print(f"{label:<28} {value}")
        ratio = throughput["ratio"]
        print(f"{'Roster / trivial':<28} {ratio:.2f}  (goal >= {GOALS['throughput_ratio']})")
        if ratio < GOALS["throughput_ratio"]:
            missed.append(f"throughput ratio {ratio:.2f}")
        summary["throughput"] = {key: value for key, value in throughput.items() if key != "lines"}
        summary["roster_trivial_ratio"] = round(ratio, 3)
    print("\nGoals: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
    summary["goals_met"] = not missed
    summary["missed"] = missed
    print(json.dumps(summary, ensure_ascii=False, separators=(",", ":")))


def _ratio(value: float | None, page: int | None) -> str:
    if value is None:
        return f"{'—':>11}"
    text = f"{value:.2f}x" + (f" [{page}]" if page else "")
    return f"{text:>11}"


def _misses(size: int, name: str, figures: dict) -> list[str]:
    found = []
    if figures["median_ms"] >= GOALS["median_ms"]:
        found.append(f"{size:,} {name} median {figures['median_ms']:.1f} ms")
    if figures["p99_ms"] >= GOALS["p99_ms"]:
        found.append(f"{size:,} {name} p99 {figures['p99_ms']:.1f} ms")
    for key in ("deep_ratio", "boundary_ratio"):
        if (figures.get(key) or 0) > GOALS["page_ratio"]:
            found.append(f"{size:,} {name} {key} {figures[key]:.2f}")
    return found


if __name__ == "__main__":
    sys.exit(main())
