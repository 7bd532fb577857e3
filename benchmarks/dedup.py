"""Near-duplicate lookup benchmark on PostgreSQL (``make bench-dedup``).

1. Creates a throwaway database on the server of DATABASE_URL (default
   postgres://postgres@127.0.0.1:5432/), migrates it, and loads ``--hashes``
   hashed likeness photos with COPY (the band indexes dropped for the load
   and built again after it, then ANALYZE), spread over ``--actors`` actors:
   - 2 % in families: a hash and its copies 1 to 6 bits away (re-uploads);
   - 1 % whose lowest band is 0 (a "hot" band value, as flat images give);
   - the rest uniformly random.
2. Times ``actors.services.duplicates.near_duplicates`` (the whole call:
   query built, sent, rows read) for ``--queries`` lookups by an actor
   owning none of the photos: a third are stored hashes with 1 to 6 bits
   flipped, which must find their original; a third random hashes; a third
   hashes in the hot band. Median and p99.
3. Checks ``--verify`` of the lookups against a scan of every row
   (``bit_count`` over the whole table) and times three lookups the way the
   portal did before (every other actor's hash read into Python).
4. Drops the database (``--keep`` keeps it).

Prints a table, then one JSON line; exits 1 when the goal is missed (the
median and p99 of the lookup under 50 ms), or a lookup misses a hash.
"""

import argparse
import io
import json
import random
import statistics
import sys
import time

from throwaway import in_throwaway_database, setup_django

GOAL_MS = 50.0
TOP = 1 << 63
FAMILY_SIZE = 10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hashes", type=int, default=1_000_000, help="Hashed photos stored.")
    parser.add_argument("--actors", type=int, default=10_000, help="Actors the photos belong to.")
    parser.add_argument("--queries", type=int, default=201, help="Lookups timed.")
    parser.add_argument("--verify", type=int, default=30, help="Lookups checked against a full scan.")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    args = parser.parse_args()

    return in_throwaway_database("dedup", keep=args.keep, run=lambda database_url: run(args, database_url))


def run(args, database_url: str) -> int:
    setup_django(database_url)
    from django.core.management import call_command

    from actors.services.duplicates import NEAR_DUPLICATE_BITS, near_duplicates

    began = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"Migrated in {time.perf_counter() - began:.1f} s")

    rng = random.Random(args.seed)
    began = time.perf_counter()
    families, hot = seed(args, rng)
    seeded_seconds = time.perf_counter() - began
    print(f"Loaded {args.hashes:,} hashes in {seeded_seconds:.1f} s")
    outsider = outsider_actor()

    third = args.queries // 3
    # A family's first hash is stored as it is: a copy of it a few bits away must find it.
    queries: list[tuple[str, int, int | None]] = [
        ("near-duplicate", flip(first, rng.randint(1, NEAR_DUPLICATE_BITS), rng), first)
        for first in rng.sample(families, third)
    ]
    queries += [("random", rng.randrange(-TOP, TOP), None) for _ in range(third)]
    queries += [
        ("hot band", flip(rng.choice(hot), rng.randint(0, 2), rng), None) for _ in range(args.queries - 2 * third)
    ]
    rng.shuffle(queries)

    for _kind, digest, _family in queries[:10]:  # warm the cache and the pool
        near_duplicates(digest, actor_id=outsider)
    timings: dict[str, list[float]] = {"near-duplicate": [], "random": [], "hot band": []}
    missed = 0
    candidates_found = 0
    for kind, digest, family in queries:
        began = time.perf_counter()
        found = near_duplicates(digest, actor_id=outsider)
        timings[kind].append((time.perf_counter() - began) * 1000)
        candidates_found += len(found)
        if family is not None and not found:
            missed += 1
    every = sorted(ms for values in timings.values() for ms in values)
    median, p99 = statistics.median(every), percentile(every, 99)

    mismatches = verify(queries[: args.verify], outsider)
    scan_ms = old_scan_ms([digest for _kind, digest, _family in queries[:3]], outsider)
    plan = lookup_plan(queries[0][1], outsider)

    report = [
        ("Loading (COPY, indexes built after, ANALYZE)", f"{seeded_seconds:.1f} s"),
        ("Plan", plan),
    ]
    for kind, values in timings.items():
        report.append(
            (
                f"Lookup, {kind} ({len(values)})",
                f"median {statistics.median(values):.2f} ms, p99 {percentile(sorted(values), 99):.2f} ms",
            )
        )
    report += [
        (f"Lookup, all {len(every)}", f"median {median:.2f} ms, p99 {p99:.2f} ms, max {every[-1]:.2f} ms"),
        ("Near-duplicates found", f"{third - missed} of {third} planted"),
        (
            f"Checked against a full scan ({args.verify} lookups)",
            "same rows" if not mismatches else f"{mismatches} differ",
        ),
        ("Before: every hash read into Python (3 lookups)", f"median {statistics.median(scan_ms):.0f} ms"),
        ("Goal: median and p99 under 50 ms", "OK" if p99 < GOAL_MS else "MISSED"),
    ]
    width = max(len(label) for label, _ in report)
    print(f"\n=== Near-duplicate lookup benchmark ({args.hashes:,} hashes, PostgreSQL) ===")
    for label, value in report:
        print(f"{label.ljust(width)}  {value}")
    print(
        json.dumps(
            {
                "benchmark": "dedup",
                "hashes": args.hashes,
                "queries": len(every),
                "median_ms": round(median, 2),
                "p99_ms": round(p99, 2),
                "max_ms": round(every[-1], 2),
                "near_duplicates_found": third - missed,
                "near_duplicates_planted": third,
                "full_scan_mismatches": mismatches,
                "baseline_scan_ms": round(statistics.median(scan_ms)),
            }
        )
    )
    return 0 if p99 < GOAL_MS and not missed and not mismatches else 1


def percentile(ordered: list[float], percent: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, -(-len(ordered) * percent // 100))
    return ordered[int(rank) - 1]


def flip(digest: int, bit_count: int, rng: random.Random) -> int:
    from actors.services.duplicates import signed

    mask = sum(1 << bit for bit in rng.sample(range(64), bit_count))
    return signed((digest ^ mask) & ((1 << 64) - 1))


# --- Loading --------------------------------------------------------------------------------


def seed(args, rng: random.Random) -> tuple[list[int], list[int]]:
    """Actors, then the photos with COPY; returns the families' first hashes
    and the hot-band hashes."""
    from django.db import connection, transaction
    from django.utils import timezone

    from actors.models import ActorProfile, LikenessPhoto
    from marketplace.models import User

    with transaction.atomic():
        users = User.objects.bulk_create(
            (User(email=f"actor{n}@bench.consentcast.localhost") for n in range(args.actors)),
            batch_size=5000,
        )
        actors = [
            actor.pk
            for actor in ActorProfile.objects.bulk_create(
                (ActorProfile(user=user, stage_name=f"Actor {n}", slug=f"bench-{n}") for n, user in enumerate(users)),
                batch_size=5000,
            )
        ]

    family_count = args.hashes * 2 // 100 // FAMILY_SIZE
    hot_count = args.hashes // 100
    families = [rng.randrange(-TOP, TOP) for _ in range(family_count)]
    digests = [flip(first, rng.randint(0, 6), rng) if n else first for first in families for n in range(FAMILY_SIZE)]
    hot = [rng.randrange(-TOP, TOP) >> 16 << 16 for _ in range(hot_count)]
    digests += hot
    digests += [rng.randrange(-TOP, TOP) for _ in range(args.hashes - len(digests))]
    rng.shuffle(digests)

    opts = LikenessPhoto._meta
    now = timezone.now()
    given = {
        "original": "likeness/bench/original.jpg",
        "content_type": "image/jpeg",
        "width": 480,
        "height": 600,
        "byte_size": 40_000,
        "renditions": "ready",
    }
    fields = [f for f in opts.concrete_fields if not f.primary_key and not f.generated]
    fixed = {}
    for field in fields:
        if field.name in ("actor", "dhash"):
            continue
        value = given.get(field.name, now if getattr(field, "auto_now_add", False) else field.get_default())
        fixed[field.name] = r"\N" if value is None else str(field.get_db_prep_save(value, connection))
    bands = [index for index in opts.indexes if index.name.startswith("likeness_dhash_band_")]
    with connection.schema_editor() as editor:
        for index in bands:
            editor.remove_index(LikenessPhoto, index)
    columns = ", ".join(f'"{field.column}"' for field in fields)
    template = "\t".join(
        "{actor}" if f.name == "actor" else "{dhash}" if f.name == "dhash" else fixed[f.name] for f in fields
    )
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {opts.db_table} ({columns}) FROM STDIN") as copy,
    ):
        buffer = io.StringIO()
        for n, digest in enumerate(digests):
            buffer.write(template.format(actor=actors[n % len(actors)], dhash=digest))
            buffer.write("\n")
            if n % 50_000 == 49_999:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    with connection.schema_editor() as editor:
        for index in bands:
            editor.add_index(LikenessPhoto, index)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {opts.db_table}")
    return families, hot


def outsider_actor() -> int:
    from actors.models import ActorProfile
    from marketplace.models import User

    user = User.objects.create(email="outsider@bench.consentcast.localhost")
    return ActorProfile.objects.create(user=user, stage_name="Outsider", slug="bench-outsider").pk


# --- Checks -----------------------------------------------------------------------------------


def verify(queries, outsider: int) -> int:
    """How many lookups differ from a scan of every row."""
    from django.db import connection

    from actors.services.duplicates import NEAR_DUPLICATE_BITS, near_duplicates

    mismatches = 0
    with connection.cursor() as cursor:
        for _kind, digest, _family in queries:
            cursor.execute(
                "SELECT id, bit_count((dhash # %s)::bit(64)) AS distance FROM actors_likenessphoto "
                "WHERE dhash IS NOT NULL AND actor_id <> %s AND bit_count((dhash # %s)::bit(64)) <= %s "
                "ORDER BY distance, id",
                [digest, outsider, digest, NEAR_DUPLICATE_BITS],
            )
            mismatches += cursor.fetchall() != near_duplicates(digest, actor_id=outsider)
    return mismatches


def old_scan_ms(digests: list[int], outsider: int) -> list[float]:
    """The lookup as it was: every other actor's hash read and compared in Python."""
    from actors.models import LikenessPhoto
    from actors.services.duplicates import NEAR_DUPLICATE_BITS, hamming

    timings = []
    for digest in digests:
        began = time.perf_counter()
        rows = LikenessPhoto.objects.exclude(actor_id=outsider).exclude(dhash=None).values_list("pk", "dhash")
        best = None
        for pk, other in rows.iterator(chunk_size=10_000):
            distance = hamming(digest, other or 0)  # never None: excluded above
            if distance <= NEAR_DUPLICATE_BITS and (best is None or distance < best[1]):
                best = (pk, distance)
        timings.append((time.perf_counter() - began) * 1000)
    return timings


def lookup_plan(digest: int, outsider: int) -> str:
    """The scan nodes of the lookup's plan, and the server's time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from actors.services.duplicates import near_duplicates

    with CaptureQueriesContext(connection) as captured:
        near_duplicates(digest, actor_id=outsider)
    (query,) = captured.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query["sql"])
        (explained,) = cursor.fetchone()
    (plan,) = json.loads(explained) if isinstance(explained, str) else explained
    nodes, stack = [], [plan["Plan"]]
    while stack:
        node = stack.pop()
        if "Scan" in node["Node Type"]:
            nodes.append(f"{node['Node Type']} {node.get('Index Name', node.get('Relation Name', ''))}".strip())
        stack.extend(reversed(node.get("Plans", [])))
    return f"{'; '.join(nodes)} ({plan['Execution Time']:.2f} ms in the server)"


if __name__ == "__main__":
    sys.exit(main())
