"""A newcomer on another port (issue 17): `make run WEB_PORT=…` prints the
address it serves, SITE_URL follows WEB_PORT unless set, and the links that
seed_demo prints and that emails carry use it."""

import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(settings.BASE_DIR)


def site_url_with(**environment: str) -> str:
    """SITE_URL as the settings compute it in a fresh process with this environment."""
    env = {key: value for key, value in os.environ.items() if key not in ("SITE_URL", "WEB_PORT")}
    env.update(environment)
    code = "import marketplace.settings.base as base; print(base.SITE_URL)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout.strip()


def test_site_url_defaults_to_port_8000():
    assert site_url_with() == "http://127.0.0.1:8000"


def test_site_url_follows_web_port():
    assert site_url_with(WEB_PORT="8123") == "http://127.0.0.1:8123"


def test_an_explicit_site_url_wins_over_web_port():
    assert site_url_with(WEB_PORT="8123", SITE_URL="https://consentcast.example/") == "https://consentcast.example"


@pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")
@pytest.mark.parametrize("how", ["argument", "environment"])
def test_make_run_prints_the_address_of_web_port(how):
    env = {key: value for key, value in os.environ.items() if key != "WEB_PORT"}
    args = ["make", "-n", "run"]
    if how == "argument":
        args.append("WEB_PORT=8123")
    else:
        env["WEB_PORT"] = "8123"
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True)
    assert "starting on http://127.0.0.1:8123 " in result.stdout
    assert "8000" not in result.stdout


def test_the_procfile_web_server_listens_on_web_port():
    web = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    assert "127.0.0.1:${WEB_PORT:-8000}" in web


@pytest.mark.django_db
@override_settings(DEBUG=True, SITE_URL="http://127.0.0.1:8123")
def test_seed_demo_prints_links_on_the_port_in_use():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    output = out.getvalue()
    assert "http://127.0.0.1:8123/accounts/login/" in output
    assert "http://127.0.0.1:8123/verify/" in output
    assert ":8000" not in output


@pytest.mark.django_db
@override_settings(SITE_URL="http://127.0.0.1:8123")
def test_emails_link_to_the_port_in_use():
    from marketplace.tasks import send_notification_email
    from marketplace.tests.test_tasks import pending

    notification = pending(url="/onboarding/")
    send_notification_email.apply(args=[notification.pk])
    assert "http://127.0.0.1:8123/onboarding/" in mail.outbox[0].body
