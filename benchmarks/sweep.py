"""Expiry sweep benchmark on PostgreSQL (``make bench-sweep``).

1. Creates a throwaway database on the server of DATABASE_URL (default
   postgres://postgres@127.0.0.1:5432/), migrates it, and seeds open
   requests past their deadline with ``bulk_create`` (1,000 actors, as many
   creators' projects as it takes: one open request per actor and project):
   ``--baseline-rows`` for the baseline, then ``--rows`` for a run with one
   claimer, then ``--rows`` for the sweep as shipped, each set due before
   the next, so a run whose clock sits between two deadlines sees its own.
2. Claim statements alone, each inside a transaction rolled back afterwards,
   ``--claim-chunks`` chunks of 1,000: the one ``UPDATE … WHERE id =
   ANY(ARRAY(SELECT … FOR NO KEY UPDATE SKIP LOCKED)) … RETURNING id`` the
   sweeps use; ``SELECT … SKIP LOCKED`` then ``UPDATE … WHERE id IN (ids)``;
   and ``UPDATE … WHERE id IN (SELECT … SKIP LOCKED)``.
3. Baseline: the per-row loop the sweeps used before (copied below, marked
   BASELINE: one transaction, compare-and-set, event row and two ``notify``
   calls per request) on the ``--baseline-rows`` requests only; its time for
   ``--rows`` is extrapolated linearly (every row costs the same statements).
4. The set-based sweep, ``usage_requests_expire_due``, with one claimer
   (``sweeps.CLAIMERS = 1``; ``--no-one-claimer`` skips it), then as
   shipped, each on ``--rows`` requests; VACUUM ANALYZE before each run.
5. Checks every request expired once, with one event row and two
   notifications, then drops the database (``--keep`` keeps it).

Tasks go to Celery's in-memory broker (nothing leaves the process): the
baseline publishes one email task per notification, the sweep one task per
batch of 1,000. Prints a table, then one JSON line; exits 1 when a goal is
missed (``--rows`` expired in under 10 s, at least 100x the baseline).
"""

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from throwaway import in_throwaway_database, setup_django

GOAL_SECONDS = 10.0
GOAL_RATIO = 100.0
ACTORS = 1000
PROJECTS_PER_CREATOR = 10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="Due requests the set-based sweep expires.")
    parser.add_argument("--baseline-rows", type=int, default=2000, help="Due requests the per-row loop expires.")
    parser.add_argument("--claim-chunks", type=int, default=20, help="Chunks per claim statement compared.")
    parser.add_argument(
        "--no-one-claimer", dest="one_claimer", action="store_false", help="Skip the run with one claimer."
    )
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    args = parser.parse_args()

    return in_throwaway_database("sweep", keep=args.keep, run=lambda database_url: run(args, database_url))


def run(args, database_url: str) -> int:
    setup_django(database_url)
    from django.core.management import call_command
    from django.utils import timezone

    from marketplace.celery import app

    # Tasks stay in this process: nothing is sent, nothing is left queued.
    app.conf.update(broker_url="memory://", broker_transport_options={})

    began = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"Migrated in {time.perf_counter() - began:.1f} s")

    # Three sets of due requests, each due before the next: a sweep run with
    # a clock between two deadlines sees its own set only.
    now = timezone.now()
    baseline_due, one_claimer_due, sweep_due = (now - timedelta(hours=hours) for hours in (3, 2, 1))
    began = time.perf_counter()
    seed(
        [
            (args.baseline_rows, baseline_due),
            (args.rows if args.one_claimer else 0, one_claimer_due),
            (args.rows, sweep_due),
        ]
    )
    seeded_seconds = time.perf_counter() - began
    total = args.baseline_rows + args.rows * (2 if args.one_claimer else 1)
    print(f"Seeded {total:,} due requests in {seeded_seconds:.1f} s")

    report: list[tuple[str, str]] = [("Seeding (bulk_create, VACUUM ANALYZE)", f"{seeded_seconds:.1f} s")]
    # Each way claims its chunks in a transaction it rolls back: at most what is due.
    compare_claims(min(args.claim_chunks, total // 1000), now, report)

    from usage_requests.services import sweeps, usage_requests_expire_due

    began = time.perf_counter()
    assert baseline_expire_due(now=baseline_due + timedelta(minutes=1)) == args.baseline_rows
    baseline_seconds = time.perf_counter() - began
    vacuum()

    one_claimer_seconds = None
    if args.one_claimer:
        claimers, sweeps.CLAIMERS = sweeps.CLAIMERS, 1
        began = time.perf_counter()
        assert usage_requests_expire_due(now=one_claimer_due + timedelta(minutes=1)) == args.rows
        one_claimer_seconds = time.perf_counter() - began
        sweeps.CLAIMERS = claimers
        vacuum()

    began = time.perf_counter()
    assert usage_requests_expire_due(now=now) == args.rows
    seconds = time.perf_counter() - began
    checked = check_expired_once(total)

    extrapolated = baseline_seconds / args.baseline_rows * args.rows
    ratio = extrapolated / seconds
    report += [
        (
            f"Baseline: per-row loop, {args.baseline_rows:,} rows",
            f"{baseline_seconds:.2f} s  ({baseline_seconds / args.baseline_rows * 1000:.2f} ms per row)",
        ),
        (f"Baseline extrapolated to {args.rows:,} rows", f"{extrapolated:.0f} s"),
    ]
    if one_claimer_seconds is not None:
        report.append(
            (
                f"Set-based sweep, 1 claimer, {args.rows:,} rows",
                f"{one_claimer_seconds:.2f} s  (ratio {extrapolated / one_claimer_seconds:.0f})",
            )
        )
    report += [
        (
            f"Set-based sweep, {sweeps.CLAIMERS} claimers (as shipped), {args.rows:,} rows",
            f"{seconds:.2f} s  ({seconds / args.rows * 1000:.3f} ms per row)",
        ),
        ("Checked", checked),
        ("Goal: under 10 s", "OK" if seconds < GOAL_SECONDS else "MISSED"),
        ("Goal: ratio >= 100", f"{ratio:.0f}  ({'OK' if ratio >= GOAL_RATIO else 'MISSED'})"),
    ]
    width = max(len(label) for label, _ in report)
    print(f"\n=== Expiry sweep benchmark ({args.rows:,} due requests, PostgreSQL) ===")
    for label, value in report:
        print(f"{label.ljust(width)}  {value}")
    print(
        json.dumps(
            {
                "benchmark": "sweep",
                "rows": args.rows,
                "seconds": round(seconds, 2),
                "baseline_rows": args.baseline_rows,
                "baseline_seconds": round(extrapolated, 1),
                "baseline_extrapolated": True,
                "ratio": round(ratio),
                "claimers": sweeps.CLAIMERS,
                "one_claimer_seconds": round(one_claimer_seconds, 2) if one_claimer_seconds is not None else None,
            }
        )
    )
    return 0 if seconds < GOAL_SECONDS and ratio >= GOAL_RATIO else 1


# --- Seeding ------------------------------------------------------------------------------


def seed(sets: list[tuple[int, datetime]]) -> None:
    """Actors, creators, projects and open requests past their deadline:
    for each ``(count, deadline)`` of ``sets``, ``count`` requests due then."""
    from django.db import transaction

    from actors.models import ActorProfile
    from creators.models import CreatorProfile, Project
    from marketplace.categories import ContentCategory
    from marketplace.models import User
    from usage_requests.models import RequestStatus, UsageRequest

    deadlines = [deadline for count, deadline in sets for _ in range(count)]
    projects_needed = -(-len(deadlines) // ACTORS)
    creators_needed = -(-projects_needed // PROJECTS_PER_CREATOR)
    with transaction.atomic():
        actor_users = User.objects.bulk_create(
            User(email=f"actor{n}@bench.consentcast.localhost") for n in range(ACTORS)
        )
        actors = ActorProfile.objects.bulk_create(
            ActorProfile(user=user, stage_name=f"Actor {n}", slug=f"bench-actor-{n}")
            for n, user in enumerate(actor_users)
        )
        creator_users = User.objects.bulk_create(
            User(email=f"creator{n}@bench.consentcast.localhost") for n in range(creators_needed)
        )
        creators = CreatorProfile.objects.bulk_create(
            CreatorProfile(user=user, display_name=f"Studio {n}") for n, user in enumerate(creator_users)
        )
        projects = Project.objects.bulk_create(
            Project(creator=creators[n // PROJECTS_PER_CREATOR], title=f"Project {n}", category=ContentCategory.FILM)
            for n in range(projects_needed)
        )
        # One open request per actor and project (a constraint): request n
        # is actor n % ACTORS's in project n // ACTORS.
        requests = (
            UsageRequest(
                actor=actors[n % ACTORS],
                creator_id=projects[n // ACTORS].creator_id,
                project=projects[n // ACTORS],
                status=RequestStatus.PENDING,
                expires_at=deadline,
            )
            for n, deadline in enumerate(deadlines)
        )
        UsageRequest.objects.bulk_create(requests, batch_size=5000)
    vacuum()


def vacuum() -> None:
    """Fresh statistics, and no row versions left over from the run before:
    each run starts from the same state."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def check_expired_once(total: int) -> str:
    """Every request expired, with one event row and two notifications."""
    from marketplace.models import Notification
    from usage_requests import notifications as kinds
    from usage_requests.models import OPEN_REQUEST_STATUSES, RequestEvent, RequestStatus, UsageRequest

    expired = UsageRequest.objects.filter(status=RequestStatus.EXPIRED).count()
    still_open = UsageRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES).count()
    events = RequestEvent.objects.filter(kind=RequestEvent.Kind.EXPIRED).values("request").distinct().count()
    all_events = RequestEvent.objects.filter(kind=RequestEvent.Kind.EXPIRED).count()
    notifications = Notification.objects.filter(kind=kinds.REQUEST_EXPIRED.key).count()
    found = (expired, still_open, events, all_events, notifications)
    assert found == (total, 0, total, total, 2 * total), found
    return f"{total:,} expired once, {all_events:,} event rows, {notifications:,} notifications"


# --- Claim statements compared -----------------------------------------------------------


class RolledBack(Exception):
    pass


def compare_claims(chunks: int, now, report: list[tuple[str, str]]) -> None:
    """Time each way of claiming a chunk, on the same due rows, each pass
    rolled back; then VACUUM away the row versions the passes left."""
    from django.db import connection, transaction

    from usage_requests.models import OPEN_REQUEST_STATUSES, RequestStatus, UsageRequest
    from usage_requests.services.sweeps import CHUNK, claim_chunk

    due = UsageRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES, expires_at__lte=now)
    values = {"status": RequestStatus.EXPIRED, "closed_at": now, "updated_at": now}

    def one_update_returning() -> int:
        return len(claim_chunk(due, **values))

    def select_then_update() -> int:
        ids = list(due.select_for_update(skip_locked=True, no_key=True).order_by().values_list("pk", flat=True)[:CHUNK])
        return UsageRequest.objects.filter(pk__in=ids, status__in=OPEN_REQUEST_STATUSES).update(**values)

    def update_in_subquery() -> int:
        picked = due.select_for_update(skip_locked=True, no_key=True).order_by().values("pk")[:CHUNK]
        return due.filter(pk__in=picked).update(**values)

    ways: list[tuple[str, Callable[[], int]]] = [
        ("Claim: UPDATE … id = ANY(ARRAY(SELECT … SKIP LOCKED)) RETURNING (chosen)", one_update_returning),
        ("Claim: SELECT … SKIP LOCKED, then UPDATE … id IN (ids)", select_then_update),
        ("Claim: UPDATE … id IN (SELECT … SKIP LOCKED)", update_in_subquery),
    ]
    for label, claim in ways:
        timings = []
        try:
            with transaction.atomic():
                for _ in range(chunks):
                    began = time.perf_counter()
                    claimed = claim()
                    timings.append(time.perf_counter() - began)
                    assert claimed == CHUNK, claimed
                raise RolledBack
        except RolledBack:
            pass
        per_chunk = sum(timings) / len(timings) * 1000
        report.append((label, f"{per_chunk:6.1f} ms per chunk of {CHUNK:,}  ({chunks} chunks)"))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE usage_requests_usagerequest")


# --- BASELINE: the per-row loop the sweeps replaced ---------------------------------------
# Copied from usage_requests/services/sweeps.py as it was before the set-based
# sweeps, for this comparison only; nothing in the portal calls it.

BASELINE_CHUNK = 500


def baseline_claim_each(candidates, claim) -> int:
    """Call ``claim`` on every candidate's id, a chunk of ids at a time in id
    order; returns how many claims succeeded."""
    claimed = 0
    seen_up_to = 0
    while True:
        ids = list(candidates.filter(pk__gt=seen_up_to).order_by("pk").values_list("pk", flat=True)[:BASELINE_CHUNK])
        if not ids:
            return claimed
        claimed += sum(bool(claim(pk)) for pk in ids)
        seen_up_to = ids[-1]


def baseline_request_with_parties(request_id: int):
    from usage_requests.models import UsageRequest

    return UsageRequest.objects.select_related("actor__user", "creator__user", "project").get(pk=request_id)


def baseline_usage_request_expire(*, request_id: int, now) -> bool:
    from django.db import transaction
    from django.utils import timezone

    from usage_requests import notifications as kinds
    from usage_requests.models import OPEN_REQUEST_STATUSES, RequestEvent, RequestStatus, UsageRequest
    from usage_requests.services.requests import record_event, tell_party

    with transaction.atomic():
        changed = UsageRequest.objects.filter(
            pk=request_id, status__in=OPEN_REQUEST_STATUSES, expires_at__lte=now
        ).update(status=RequestStatus.EXPIRED, closed_at=timezone.now(), updated_at=timezone.now())
        if not changed:
            return False
        request = baseline_request_with_parties(request_id)
        record_event(request, RequestEvent.Kind.EXPIRED, by=None, party="platform")
        for recipient in (request.actor.user, request.creator.user):
            tell_party(request, recipient, kinds.REQUEST_EXPIRED, "expired")
    return True


def baseline_expire_due(*, now) -> int:
    from usage_requests.models import OPEN_REQUEST_STATUSES, UsageRequest

    due = UsageRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES, expires_at__lte=now)
    return baseline_claim_each(due, lambda pk: baseline_usage_request_expire(request_id=pk, now=now))


# --- End of BASELINE -----------------------------------------------------------------------


if __name__ == "__main__":
    sys.exit(main())
