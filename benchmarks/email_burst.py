"""Email burst benchmark (``make bench-email``): from commit to SMTP receipt.

1. Creates a throwaway database on the PostgreSQL server of DATABASE_URL
   (default postgres://postgres@127.0.0.1:5432/), migrates it and makes
   ``--burst`` recipients (half of them reading Chinese).
2. Starts a real SMTP server (aiosmtpd, a free 127.0.0.1 port) and one Celery
   worker as production runs it (``celery -A marketplace worker``, the
   default prefork concurrency: one process per core) on Redis (REDIS_URL,
   default redis://127.0.0.1:6379/0, a queue of its own), and waits until a
   warm-up email arrives.
3. Commits ``--burst`` notifications back to back, each in its own
   transaction as the portal's moves do (``notify``, whose email task is
   queued on commit), noting the time each commit ended; the SMTP server
   notes when each message arrives (``X-ConsentCast-Notification``).
4. Checks that every notification arrived exactly once and is marked sent,
   stops the worker and drops the database (``--keep`` keeps it).

Prints p50, p95 and max latency, then one JSON line; exits 1 when the goal
(p95 under 2 s) is missed or an email is lost or doubled.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

from throwaway import ROOT, in_throwaway_database, setup_django

GOAL_P95_SECONDS = 2.0
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


class Arrivals:
    """aiosmtpd handler: when each notification's message arrived."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        arrived = time.monotonic()
        notification = ""
        for line in envelope.content.decode("utf-8", "replace").splitlines():
            if line.lower().startswith("x-consentcast-notification:"):
                notification = line.split(":", 1)[1].strip()
                break
        with self.lock:
            self.times.setdefault(notification, []).append(arrived)
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self.lock:
            return len(self.times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--burst", type=int, default=200, help="Notifications committed back to back.")
    parser.add_argument("--timeout", type=float, default=120.0, help="Seconds to wait for the last email.")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    args = parser.parse_args()
    return in_throwaway_database("email", keep=args.keep, run=lambda database_url: run(args, database_url))


def run(args, database_url: str) -> int:
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)

    arrivals = Arrivals()
    port = free_port()
    controller = Controller(arrivals, hostname="127.0.0.1", port=port)
    controller.start()
    queue = f"bench-email-{uuid.uuid4().hex[:8]}"
    os.environ.update(
        EMAIL_URL=f"smtp://127.0.0.1:{port}",
        REDIS_URL=os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
        CELERY_QUEUE=queue,
    )
    setup_django(database_url)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    recipients = make_recipients(args.burst)
    log = Path(ROOT / "var" / f"{queue}.log")
    log.parent.mkdir(exist_ok=True)
    worker = start_worker(log)
    try:
        warm_up(arrivals, recipients[0], log)
        committed = burst(recipients)
        deadline = time.monotonic() + args.timeout
        while arrivals.count() < len(committed) + 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        return report(args, committed, arrivals)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        controller.stop()
        log.unlink(missing_ok=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_recipients(count: int) -> list:
    from allauth.account.models import EmailAddress

    from marketplace.models import User

    users = [
        User(email=f"burst{index}@example.com", preferred_language="zh-hans" if index % 2 else "en")
        for index in range(count)
    ]
    for user in users:
        user.set_unusable_password()
    users = User.objects.bulk_create(users)
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users]
    )
    return users


def start_worker(log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "marketplace", "worker", "--loglevel=WARNING",
               "--without-gossip", "--without-mingle", "-Q", os.environ["CELERY_QUEUE"]]  # fmt: skip
    with log.open("w") as output:
        return subprocess.Popen(command, cwd=ROOT, env=dict(os.environ), stdout=output, stderr=subprocess.STDOUT)  # noqa: S603 - our own command line


def warm_up(arrivals: Arrivals, recipient, log: Path) -> None:
    """One email through the worker before the clock starts (its processes are up)."""
    from marketplace.notifications import WELCOME_ACTOR
    from marketplace.services import notify

    notify(recipient=recipient, kind=WELCOME_ACTOR, event_key="bench:warm-up", params={"name": "Warm-up"})
    deadline = time.monotonic() + 90
    while not arrivals.count():
        if time.monotonic() > deadline:
            raise SystemExit(f"the worker sent no email in 90 s; its log:\n{log.read_text()}")
        time.sleep(0.1)


def burst(recipients: list) -> dict[str, float]:
    """Notification id -> when its transaction's commit (and the on-commit queueing) ended."""
    from django.db import transaction

    from marketplace.notifications import WELCOME_ACTOR
    from marketplace.services import notify

    committed = {}
    for index, recipient in enumerate(recipients):
        with transaction.atomic():
            notification = notify(
                recipient=recipient, kind=WELCOME_ACTOR, event_key=f"bench:{index}", params={"name": f"演员 {index}"}
            )
        committed[str(notification.pk)] = time.monotonic()
    return committed


def report(args, committed: dict[str, float], arrivals: Arrivals) -> int:
    from marketplace.models import EmailStatus, Notification

    copies = Counter({pk: len(arrivals.times.get(pk, [])) for pk in committed})
    latencies = sorted(arrivals.times[pk][0] - at for pk, at in committed.items() if copies[pk])
    lost = sum(1 for count in copies.values() if count == 0)
    doubled = sum(1 for count in copies.values() if count > 1)
    time.sleep(1)  # the last tasks mark their rows sent just after the SMTP reply
    sent = Notification.objects.filter(pk__in=[int(pk) for pk in committed], email_status=EmailStatus.SENT).count()
    p50 = statistics.median(latencies) if latencies else None
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)] if latencies else None
    worst = latencies[-1] if latencies else None
    ok = not lost and not doubled and p95 is not None and p95 < GOAL_P95_SECONDS
    print(f"Burst of {len(committed)} notifications, one worker (prefork, {os.cpu_count()} processes), Redis broker")
    print(f"  delivered {len(latencies)}, lost {lost}, doubled {doubled}, marked sent {sent}")
    if latencies:
        print(f"  commit -> SMTP receipt: p50 {p50:.3f} s, p95 {p95:.3f} s, max {worst:.3f} s")
    print(f"Goal: p95 under {GOAL_P95_SECONDS:.0f} s, each email once: {'OK' if ok else 'MISSED'}")
    result = {
        "benchmark": "email",
        "burst": len(committed),
        "delivered": len(latencies),
        "lost": lost,
        "doubled": doubled,
        "marked_sent": sent,
        "p50_seconds": round(p50, 3) if p50 is not None else None,
        "p95_seconds": round(p95, 3) if p95 is not None else None,
        "max_seconds": round(worst, 3) if worst is not None else None,
        "worker_processes": os.cpu_count(),
    }
    print(json.dumps(result))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
