"""Personas and service gates shared by every app's tests.

Tests that need a real service carry a marker (``postgres``, ``redis``,
``chromium``, ``gettext``, ``faults``, ``topology``, ``s3``). Where the service is missing they skip
with the reason printed; when ``CI=true`` a missing service is a failure
instead, so CI can never go green by skipping.
"""

import glob
import importlib.util
import os
import pwd
import shutil
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from marketplace.roles import MODERATORS_GROUP

IN_CI = os.environ.get("CI", "").lower() == "true"
# What moto's server mode (the s3 tests' object store) imports.
S3_SERVER_MODULES = ("moto", "flask", "flask_cors")
CHROMIUM = "/usr/bin/chromium"


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def postgres_bin_dir() -> Path | None:
    """The newest PostgreSQL server's programs (Debian's layout), or None."""
    found = [Path(initdb).parent for initdb in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    found = [folder for folder in found if (folder / "pg_ctl").exists()]
    return max(
        found, key=lambda folder: [int(part) for part in folder.parent.name.split(".") if part.isdigit()], default=None
    )


def _fault_suite_missing() -> str | None:
    """Why the fault suite (tests/faults) cannot run here, or None.

    It starts its own Redis and PostgreSQL cluster, so it needs their server
    programs, not running services. It is slow, so it runs once: in CI's
    PostgreSQL pass, where it means most.
    """
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "skip-always:the fault suite runs in the PostgreSQL pass only (set DATABASE_URL=postgres://...)"
    needs = []
    if not shutil.which("redis-server"):
        needs.append("redis-server (apt-get install -y redis-server)")
    if postgres_bin_dir() is None:
        needs.append("PostgreSQL's server programs in /usr/lib/postgresql/*/bin (apt-get install -y postgresql)")
    if os.geteuid() == 0:
        # initdb refuses root: the cluster runs as the postgres OS user.
        if not (shutil.which("runuser") or shutil.which("su")):
            needs.append("runuser or su, to run PostgreSQL as the postgres user")
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            needs.append("a postgres OS user (apt-get install -y postgresql creates it)")
    return f"the fault suite needs {', '.join(needs)}" if needs else None


def _missing(item) -> str | None:
    """Why this test cannot run here, or None."""
    from django.conf import settings

    if item.get_closest_marker("postgres"):
        engine = settings.DATABASES["default"]["ENGINE"]
        if engine != "django.db.backends.postgresql":
            # Not a missing service: this run is the SQLite one. CI's second
            # run sets DATABASE_URL and runs these (see .ci/run).
            return "skip-always:runs on PostgreSQL only (set DATABASE_URL=postgres://...)"
    if item.get_closest_marker("faults") and (reason := _fault_suite_missing()):
        return reason
    if item.get_closest_marker("topology"):
        # The fault suite's private Redis and PostgreSQL, plus moto's S3 server.
        if reason := _fault_suite_missing():
            return reason.replace("the fault suite", "the topology suite")
        if not all(importlib.util.find_spec(name) for name in S3_SERVER_MODULES):
            return "moto's S3 server is not installed (pip install -r requirements-dev.txt: moto[server])"
    if item.get_closest_marker("redis") and not _reachable(redis_url(), 6379):
        return f"Redis is not reachable at {redis_url()}"
    if item.get_closest_marker("chromium") and not os.path.exists(CHROMIUM):
        return f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
    if item.get_closest_marker("gettext") and not shutil.which("xgettext"):
        return "GNU gettext is not installed (apt-get install -y gettext)"
    if item.get_closest_marker("s3") and not all(importlib.util.find_spec(name) for name in S3_SERVER_MODULES):
        return "moto's S3 server is not installed (pip install -r requirements-dev.txt: moto[server])"
    return None


def pytest_runtest_setup(item):
    reason = _missing(item)
    if reason is None:
        return
    if reason.startswith("skip-always:"):
        pytest.skip(reason.removeprefix("skip-always:"))
    if IN_CI:
        pytest.fail(f"CI=true and a required service is missing: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Keep each ``xdist_group`` on one worker under ``--dist loadgroup``.

    pytest-xdist 3.8 (the latest) marks a grouped test by appending
    ``@group`` to ``item._nodeid``, but pytest 9 reads a node's id from
    ``item._id``: without this, every group (the fault suite's processes,
    the worker tests) is silently spread over both workers.
    """
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodeid import NodeId  # pytest 9's id type, needed only here

    for item in items:
        names = {
            str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")
        }
        suffix = "@" + "_".join(sorted(names))
        if names and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)


def pytest_terminal_summary(terminalreporter):
    """The fault suite's figure lines, also when its output was captured or
    ran on an xdist worker (they travel in the reports' user_properties)."""
    figures = [
        value
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "call"
        for name, value in getattr(report, "user_properties", ())
        if name == "figure"
    ]
    if figures:
        terminalreporter.section("fault suite figures")
        for line in figures:
            terminalreporter.write_line(line)


def make_user(email: str, *, password: str = "correct horse battery", language: str = "en", **extra):
    from marketplace.models import User

    user = User.objects.create_user(email=email, password=password, preferred_language=language, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture
def anonymous(client):
    return client


@pytest.fixture
def actor(db):
    from actors.tests.factories import ActorProfileFactory

    return ActorProfileFactory(user=make_user("actor@example.com"), stage_name="Lin Xiaoyu", slug="lin-xiaoyu").user


@pytest.fixture
def other_actor(db):
    from actors.tests.factories import ActorProfileFactory

    user = make_user("other.actor@example.com", language="zh-hans")
    return ActorProfileFactory(user=user, stage_name="陈思远", slug="chen-siyuan").user


@pytest.fixture
def creator(db):
    from creators.tests.factories import CreatorProfileFactory

    return CreatorProfileFactory(user=make_user("creator@example.com"), display_name="Lumen Pictures").user


@pytest.fixture
def other_creator(db):
    from creators.tests.factories import CreatorProfileFactory

    return CreatorProfileFactory(user=make_user("other.creator@example.com"), display_name="Pixel Harbor").user


@pytest.fixture
def moderator(db):
    user = make_user("moderator@example.com")
    user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    return user


@pytest.fixture
def newcomer(db):
    """Signed up and verified, no role chosen yet."""
    return make_user("newcomer@example.com")


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free loopback port: (inbox, port)."""
    from aiosmtpd.controller import Controller

    from marketplace.tests.celery_harness import Inbox, free_port

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 server on a free loopback port, one per test module (tests
    marked ``s3``; see marketplace/tests/s3.py)."""
    from marketplace.tests.s3 import start_server

    server, reachable = start_server()
    yield reachable
    server.stop()


@pytest.fixture
def s3_bucket(s3_server, settings):
    """A fresh bucket on ``s3_server``, the default storage for this test."""
    from marketplace.tests.s3 import new_bucket

    return new_bucket(s3_server, settings)


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    """This test's own MEDIA_ROOT, so files can be counted on disk and nothing
    leaks into var/media or into the next test. Test packages that store files
    make it autouse in their conftest."""
    from django.core.files.storage import default_storage

    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    if Path(default_storage.location) != root:
        # The storage caches its location; make sure it follows the setting.
        default_storage._setup()
    assert Path(default_storage.location) == root
    return root


@pytest.fixture
def stored_files(media_root):
    """The files under MEDIA_ROOT (or its folder ``under``) right now, as paths relative to it."""

    def _stored_files(under: str = "") -> set[str]:
        base = media_root / under if under else media_root
        return {path.relative_to(media_root).as_posix() for path in base.rglob("*") if path.is_file()}

    return _stored_files


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api_client():
    """An API client with no credentials (anonymous, or for force_authenticate)."""
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def token_for(db):
    """``token_for(user)``: a new personal access token's key for ``user``."""

    def _token(user, name: str = "test tool") -> str:
        from marketplace.services import api_token_create

        return api_token_create(user=user, name=name)[1]

    return _token


@pytest.fixture
def api_as(token_for):
    """``api_as(user)``: an API client sending ``Authorization: Token <key>``
    with a fresh token of ``user``."""
    from rest_framework.test import APIClient

    def _as(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
        return client

    return _as


@pytest.fixture(autouse=True)
def _fresh_cache_and_language():
    """No test inherits another's rate-limit counters or active language.

    Signing in activates the account's language on the thread (as it should
    for the rest of that request); tests share the thread.
    """
    from django.conf import settings
    from django.core.cache import cache
    from django.utils import translation

    yield
    cache.clear()
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session", autouse=True)
def _test_media_removed_at_end():
    """Each test process stores uploads in its own folder (test settings);
    it goes when the session ends."""
    yield
    from django.conf import settings

    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
