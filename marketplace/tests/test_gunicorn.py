"""The production web process: deploy/gunicorn.conf.py read from the
environment, and a real gunicorn started with it under the production
settings answering /healthz from several threaded workers."""

import os
import runpy
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from marketplace.tests.celery_harness import free_port

CONFIG = Path(settings.BASE_DIR) / "deploy" / "gunicorn.conf.py"
PROCFILE = Path(settings.BASE_DIR) / "Procfile.production"


def config(monkeypatch, **env) -> dict:
    for name in ("GUNICORN_BIND", "PORT", "WEB_PORT", "WEB_CONCURRENCY", "GUNICORN_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_defaults_are_threaded_workers_two_per_core(monkeypatch):
    values = config(monkeypatch)

    assert values["worker_class"] == "gthread"
    assert values["threads"] == 4
    assert values["workers"] == max(2, (os.cpu_count() or 1) * 2)
    assert values["bind"] == "0.0.0.0:8000"
    assert values["max_requests"] > 0 < values["max_requests_jitter"]
    assert values["preload_app"] is False


def test_the_platform_port_and_concurrency_are_followed(monkeypatch):
    values = config(monkeypatch, PORT="9123", WEB_CONCURRENCY="5", GUNICORN_THREADS="8")

    assert values["bind"] == "0.0.0.0:9123"
    assert (values["workers"], values["threads"]) == (5, 8)


def test_procfile_runs_gunicorn_with_this_config_and_one_beat():
    lines = dict(line.split(": ", 1) for line in PROCFILE.read_text().splitlines() if line and not line.startswith("#"))

    assert lines["web"] == "gunicorn --config deploy/gunicorn.conf.py marketplace.wsgi"
    assert "migrate" in lines["release"]
    assert "collectstatic" in lines["release"]
    assert lines["beat"].startswith("celery -A marketplace beat")
    assert "runserver" not in PROCFILE.read_text()


@pytest.mark.slow
def test_gunicorn_serves_the_portal_under_production_settings(tmp_path):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.production",
        "SECRET_KEY": "gunicorn-test-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
    }
    command = [sys.executable, "-m", "gunicorn", "--config", str(CONFIG), "marketplace.wsgi"]
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        body = b""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not body:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    body = response.read()
            except OSError:
                time.sleep(0.3)
        assert b"ok" in body.lower(), log.read_text()
        booted = log.read_text()
        assert "Using worker: gthread" in booted
        assert booted.count("Booting worker with pid") == 2
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
