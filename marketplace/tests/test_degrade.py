"""The kernel without its services: the cache falls back to memory, the
database's failures are 503s (reads run once more), emails whose task could
not be queued leave with the next sweep, and /readyz tells the truth."""

import logging
import shutil
import subprocess
import threading
import time

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client, RequestFactory, override_settings
from kombu.exceptions import OperationalError as BrokerDown

from marketplace import cache as failover
from marketplace.api.errors import server_error
from marketplace.cache import FailoverRedisCache
from marketplace.middleware import DatabaseOutageMiddleware
from marketplace.models import EmailStatus, Notification
from marketplace.notifications import WELCOME_ACTOR
from marketplace.ratelimit import hit
from marketplace.services import notify
from marketplace.settings.base import database_config
from marketplace.tasks import requeue_unsent_notification_emails, send_notification_email
from marketplace.tests.celery_harness import free_port, wait_for
from marketplace.tests.factories import UserFactory
from marketplace.views import health

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"
OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
FAILOVER = "marketplace.cache.FailoverRedisCache"
# "local": each process's own memory, as in every settings module (base.py).
DEAD_FAILOVER = {
    "default": {"BACKEND": FAILOVER, "LOCATION": DEAD_REDIS, "OPTIONS": OPTIONS},
    "local": settings.LOCAL_CACHE,
}


def dead_cache() -> FailoverRedisCache:
    return FailoverRedisCache(DEAD_REDIS, {"OPTIONS": OPTIONS})


# --- The cache ------------------------------------------------------------------------------


def test_a_dead_redis_answers_from_memory():
    store = dead_cache()
    store.set("a", 1)
    assert store.get("a") == 1
    assert store.add("b", 1) is True
    assert store.add("b", 2) is False
    assert store.incr("b") == 2
    assert store.get_or_set("c", "made") == "made"
    assert store.get_many(["a", "b"]) == {"a": 1, "b": 2}
    store.delete("a")
    assert store.get("a") is None
    assert store.degraded


def test_an_outage_is_logged_once_not_per_request(caplog, monkeypatch):
    monkeypatch.setattr(failover, "RETRY_SECONDS", 0)  # ask the dead Redis on every call
    store = dead_cache()
    with caplog.at_level(logging.WARNING, logger="marketplace.cache"):
        for _ in range(20):
            store.get("k")
    assert [record.levelname for record in caplog.records] == ["ERROR"]
    assert "Redis is unavailable" in caplog.records[0].getMessage()


def test_after_a_failure_redis_is_left_alone_for_a_while(monkeypatch):
    store = dead_cache()
    calls = []
    real = failover.RedisCache.get

    def counted(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(failover.RedisCache, "get", counted)
    for _ in range(10):
        store.get("k")
    assert len(calls) == 1


@override_settings(CACHES=DEAD_FAILOVER)
def test_rate_limits_still_hold_without_redis():
    results = [hit("test:dead-redis", limit=3, window_seconds=60)[0] for _ in range(5)]
    assert results == [True, True, True, False, False]


@pytest.fixture
def private_redis():
    """A Redis server of this test's own on a free port: (url, start, stop)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    processes: list[subprocess.Popen] = []

    def start():
        processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        assert wait_for(lambda: _answers(port), timeout=10)

    def stop():
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        processes.clear()

    start()
    yield f"redis://127.0.0.1:{port}/0", start, stop
    stop()


def _answers(port: int) -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@pytest.mark.redis
def test_the_shared_cache_is_used_again_once_redis_is_back(private_redis, monkeypatch, caplog):
    url, start, stop = private_redis
    monkeypatch.setattr(failover, "RETRY_SECONDS", 0.2)
    store = FailoverRedisCache(url, {"OPTIONS": OPTIONS})
    store.set("shared", "from redis")
    stop()
    with caplog.at_level(logging.WARNING, logger="marketplace.cache"):
        store.set("during", "in memory")
        assert store.get("during") == "in memory"
        assert store.degraded
        start()
        time.sleep(0.3)
        assert store.get("during") is None  # Redis again, which never saw it
        assert not store.degraded
    assert [record.levelname for record in caplog.records] == ["ERROR", "WARNING"]
    assert "answers again" in caplog.records[1].getMessage()


# --- /readyz ---------------------------------------------------------------------------------


@override_settings(CACHES=DEAD_FAILOVER)
def test_readyz_reports_redis_down_although_the_portal_keeps_answering(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]


def test_concurrent_readiness_probes_do_not_read_each_others_token(monkeypatch):
    # Two probes interleaved: the other one writes between this one's write
    # and read, as two processes do under load.
    real_set = cache.set
    other_probe = threading.Event()

    def set_then_another_probe_runs(key, value, timeout=None):
        real_set(key, value, timeout)
        if not other_probe.is_set():
            other_probe.set()
            health._check_cache()

    monkeypatch.setattr(cache, "set", set_then_another_probe_runs)
    health._check_cache()  # raises when the other probe overwrote its token
    assert other_probe.is_set()


# --- The database ----------------------------------------------------------------------------


def test_a_database_that_does_not_answer_is_a_503_page_with_retry_after(rf: RequestFactory):
    request = rf.get("/requests/")
    try:
        raise OperationalError("terminating connection due to administrator command")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "briefly unavailable" in response.content.decode()


def test_a_database_that_does_not_answer_is_a_503_json_under_the_api(rf: RequestFactory):
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(rf.get("/api/v1/requests/"))
    assert response.status_code == 503
    assert b"try again" in response.content


def test_other_server_errors_stay_500(rf: RequestFactory):
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500


@pytest.fixture
def database_fails_once(monkeypatch):
    """Once armed (``arm()``), the next SQL statement fails as on a PostgreSQL
    restart and the ones after work; returns the failed statements."""
    real = CursorWrapper.execute
    failures: list[str] = []
    armed = threading.Event()

    def execute(self, sql, params=None):
        if armed.is_set() and not failures:
            failures.append(sql)
            raise OperationalError("terminating connection due to administrator command")
        return real(self, sql, params)

    monkeypatch.setattr(CursorWrapper, "execute", execute)
    return armed.set, failures


def test_a_read_that_met_a_dead_connection_runs_once_more(newcomer, database_fails_once):
    arm, failures = database_fails_once
    browser = Client(raise_request_exception=False)
    browser.force_login(newcomer)
    arm()
    response = browser.get("/notifications/")
    assert len(failures) == 1
    assert response.status_code == 200


def test_a_write_that_met_a_dead_connection_is_a_503_and_not_repeated(newcomer, database_fails_once):
    arm, failures = database_fails_once
    browser = Client(raise_request_exception=False)
    browser.force_login(newcomer)
    arm()
    response = browser.post("/notifications/read-all/")
    assert len(failures) == 1
    assert response.status_code == 503
    assert response["Retry-After"] == "5"


def test_the_retry_happens_once_only(rf: RequestFactory):
    calls = []

    def always_unavailable(request):
        calls.append(request)
        response = server_error_response()
        return response

    def server_error_response():
        try:
            raise OperationalError("down")
        except OperationalError:
            return server_error(rf.get("/"))

    response = DatabaseOutageMiddleware(always_unavailable)(rf.get("/roster/"))
    assert response.status_code == 503
    assert len(calls) == 2


def test_postgres_connections_are_checked_before_the_pool_hands_them_out(tmp_path):
    config = database_config("postgres://postgres@127.0.0.1:5432/consentcast", sqlite_path=tmp_path / "db")
    # Django then gives the pool psycopg-pool's check_connection as ``check``.
    assert config["CONN_HEALTH_CHECKS"] is True
    assert "pool" in config["OPTIONS"]


@pytest.mark.postgres
def test_the_pool_checks_connections_it_hands_out():
    from django.db import connection
    from psycopg_pool import ConnectionPool

    assert connection.pool is not None
    assert connection.pool._check is ConnectionPool.check_connection


# --- Emails while the broker is down -----------------------------------------------------------


@pytest.fixture
def broker(monkeypatch):
    """Switch the broker off and on: ``broker.down = True``."""

    class Broker:
        down = False
        published: list[int] = []

    real_delay = send_notification_email.delay

    def delay(pk):
        if Broker.down:
            raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        Broker.published.append(pk)
        return real_delay(pk)

    monkeypatch.setattr(send_notification_email, "delay", delay)
    Broker.published = []
    return Broker


def test_an_email_not_queued_leaves_with_the_next_sweep_exactly_once(broker, django_capture_on_commit_callbacks):
    broker.down = True
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(recipient=UserFactory(), kind=WELCOME_ACTOR, event_key="e:down", params={"name": "M"})
    notification.refresh_from_db()
    assert notification.email_unqueued_at is not None
    assert mail.outbox == []

    requeue_unsent_notification_emails.apply()  # still down: nothing lost, still marked
    notification.refresh_from_db()
    assert notification.email_unqueued_at is not None

    broker.down = False
    requeue_unsent_notification_emails.apply()
    requeue_unsent_notification_emails.apply()
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT
    assert notification.email_unqueued_at is None
    assert len(mail.outbox) == 1
    assert broker.published == [notification.pk]


def test_the_sweep_runs_often_enough_to_catch_up_within_a_minute(settings):
    from marketplace.schedule import BEAT_SCHEDULE

    assert BEAT_SCHEDULE["requeue-unsent-notification-emails"]["schedule"] <= 60
    assert settings.EMAIL_REQUEUE_SWEEP_SECONDS <= 60


def test_unqueued_rows_are_found_by_their_own_index():
    names = {index.name for index in Notification._meta.indexes}
    assert "notification_unqueued_idx" in names


def test_an_email_claimed_by_a_killed_worker_is_sent_by_the_next_sweep(settings):
    from datetime import timedelta

    from django.utils import timezone

    from marketplace.tests.factories import NotificationFactory

    settings.STUCK_WORK_AFTER_SECONDS = 120
    dead = NotificationFactory(email_status=EmailStatus.SENDING, email_claimed_at=timezone.now() - timedelta(minutes=3))
    working = NotificationFactory(
        email_status=EmailStatus.SENDING, email_claimed_at=timezone.now() - timedelta(seconds=30)
    )
    requeue_unsent_notification_emails.apply()
    assert Notification.objects.get(pk=dead.pk).email_status == EmailStatus.SENT
    assert Notification.objects.get(pk=working.pk).email_status == EmailStatus.SENDING
    assert len(mail.outbox) == 1
