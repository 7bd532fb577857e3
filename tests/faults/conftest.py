"""The fault suite's processes, started once per module and always stopped.

Teardown runs in the reverse order of setup, and each fixture cleans up in
a ``finally``, so a failing step or a setup that breaks half-way still stops
every process this suite started and removes its folder.
"""

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from marketplace.tests.celery_harness import free_port
from tests.faults.harness import HoldingInbox, Portal, PrivatePostgres, PrivateRedis, chattr


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="consentcast-faults-"))
    try:
        # The postgres OS user must reach its cluster folder inside.
        folder.chmod(0o755)
        yield folder
    finally:
        # A step may have left the media immutable; nothing could remove it.
        if (folder / "media").exists() and shutil.which("chattr"):
            chattr(folder / "media", "-i")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[HoldingInbox, int]]:
    inbox = HoldingInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        inbox.release()
        controller.stop()


@pytest.fixture(scope="module")
def redis(workdir: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(workdir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def postgres(workdir: Path) -> Iterator[PrivatePostgres]:
    cluster = PrivatePostgres(workdir / "postgres")
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def portal(workdir: Path, smtp, redis: PrivateRedis, postgres: PrivatePostgres) -> Iterator[Portal]:
    """Migrated, seeded, and running: web, worker and beat."""
    _inbox, smtp_port = smtp
    site = Portal(workdir, database_url=postgres.url, redis_url=redis.url, smtp_port=smtp_port)
    try:
        site.migrate_and_seed()
        site.start()
        yield site
    finally:
        site.stop()
