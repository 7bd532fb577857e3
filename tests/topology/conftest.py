"""The topology suite's processes, started once per module and always stopped
(each fixture cleans up in a ``finally``; teardown runs in reverse order).

The private Redis, PostgreSQL cluster, work folder and SMTP server are the
fault suite's fixtures (tests/faults/conftest.py); the S3 API is moto's
server on a loopback port (marketplace/tests/s3.py).
"""

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from marketplace.tests.celery_harness import free_port
from marketplace.tests.s3 import ACCESS_KEY, REGION, SECRET_KEY, S3Server, start_server
from tests.faults.conftest import postgres, redis, smtp, workdir  # noqa: F401 - fixtures used here
from tests.faults.harness import BASE_DIR, PORTAL_VARIABLES, PYTHON, PrivatePostgres, PrivateRedis, Process, wait_until
from tests.topology.seed import SEED_MARKER

# Beat sends the expiry sweep this often; two beats send it twice as often.
SWEEP_SECONDS = 3


@pytest.fixture(scope="module")
def s3() -> Iterator[tuple[S3Server, str]]:
    server, reachable = start_server()
    bucket = f"consentcast-topology-{uuid.uuid4().hex[:8]}"
    try:
        reachable.client.create_bucket(Bucket=bucket)
        yield reachable, bucket
    finally:
        server.stop()


@dataclass
class Cluster:
    """Two webs, two workers and two beats, one environment."""

    folder: Path
    env: dict[str, str]
    webs: list[str] = field(default_factory=list)  # base URLs
    processes: dict[str, Process] = field(default_factory=dict)
    seed: dict = field(default_factory=dict)

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=BASE_DIR, env=self.env, capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def add(self, name: str, command: list[str], **env: str) -> Process:
        process = Process(name, command, env={**self.env, **env}, log=self.folder / f"{name}.log")
        self.processes[name] = process
        process.start()
        return process

    def logs(self) -> str:
        return "\n".join(f"--- {name}\n{process.log_tail()}" for name, process in self.processes.items())

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            process.stop()


@pytest.fixture(scope="module")
def cluster(workdir, smtp, redis: PrivateRedis, postgres: PrivatePostgres, s3) -> Iterator[Cluster]:  # noqa: F811
    _inbox, smtp_port = smtp
    server, bucket = s3
    queue = f"topology-{os.getpid()}"
    env = {k: v for k, v in os.environ.items() if k not in PORTAL_VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="marketplace.settings.development",
        DEBUG="false",
        DATABASE_URL=postgres.url,
        REDIS_URL=redis.url,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        STORAGE_URL=f"s3://{bucket}?endpoint_url={server.endpoint}&region={REGION}",
        AWS_ACCESS_KEY_ID=ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        MEDIA_ROOT=str(workdir / "no-media-on-disk"),
        CELERY_QUEUE=queue,
        REQUEST_SWEEP_SECONDS=str(SWEEP_SECONDS),
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="4",
        PYTHONUNBUFFERED="1",
    )
    site = Cluster(folder=workdir, env=env)
    try:
        site.manage("migrate", "--noinput")
        output = site.manage("shell", "-c", "from tests.topology.seed import seed; seed()")
        line = next(line for line in output.splitlines() if line.startswith(SEED_MARKER))
        site.seed = json.loads(line.removeprefix(SEED_MARKER))
        for number in (1, 2):
            port = free_port()
            site.webs.append(f"http://127.0.0.1:{port}")
            site.add(
                f"web{number}",
                [PYTHON, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "marketplace.wsgi"],
                GUNICORN_BIND=f"127.0.0.1:{port}",
                SITE_URL=site.webs[-1],
            )
        for number in (1, 2):
            site.add(
                f"worker{number}",
                [PYTHON, "-m", "celery", "-A", "marketplace", "worker", "--concurrency=1", "--loglevel=INFO",
                 "--without-gossip", "--without-mingle", "-Q", queue, "--hostname", f"{queue}-{number}@%h"],
            )  # fmt: skip
        for number in (1, 2):
            # Two beats started by mistake, each with its own schedule file.
            site.add(
                f"beat{number}",
                [PYTHON, "-m", "celery", "-A", "marketplace", "beat", "--loglevel=INFO",
                 "--schedule", str(workdir / f"beat{number}-schedule")],
            )  # fmt: skip
        for name in ("worker1", "worker2"):
            worker = site.processes[name]
            if not wait_until(lambda worker=worker: " ready." in worker.log_text(), timeout=90, interval=0.2):
                raise RuntimeError(f"{name} did not become ready\n{site.logs()}")
        yield site
    finally:
        site.stop()
