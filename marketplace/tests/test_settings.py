import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from marketplace.settings.base import cache_config, database_config

ROOT = Path(settings.BASE_DIR)


def manage(*args, env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    unset = {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_deploy_checks():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            "DJANGO_SETTINGS_MODULE": "marketplace.settings.production",
            "SECRET_KEY": "x" * 64 + "-a-long-random-production-secret",
            "ALLOWED_HOSTS": "consentcast.example",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = manage(
        "check",
        env_extra={"DJANGO_SETTINGS_MODULE": "marketplace.settings.production", "ALLOWED_HOSTS": "x.example"},
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_postgres_url_uses_psycopg_pool_without_persistent_connections():
    config = database_config("postgres://app:pw@db.internal:5433/consentcast", sqlite_path=Path("/unused"))
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "consentcast")
    assert config["OPTIONS"]["pool"]
    assert config["CONN_MAX_AGE"] == 0


def test_embedded_database_is_sqlite_in_wal_mode(tmp_path):
    config = database_config("", sqlite_path=tmp_path / "db.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_sqlite_database_really_runs_in_wal_mode(tmp_path, django_db_blocker):
    from django.db.utils import ConnectionHandler

    handler = ConnectionHandler({"default": database_config("", sqlite_path=tmp_path / "db.sqlite3")})
    connection = handler["default"]
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    connection.close()
    assert mode == "wal"


def test_cache_is_redis_when_configured_and_shared_file_cache_otherwise(tmp_path):
    assert cache_config("redis://127.0.0.1:6379/2", cache_dir=tmp_path)["BACKEND"].endswith("RedisCache")
    embedded = cache_config("", cache_dir=tmp_path)
    assert embedded["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"


def test_allauth_rate_limits_use_a_real_cache_in_every_environment():
    from marketplace.settings import base

    assert base.CACHES["default"]["BACKEND"] != "django.core.cache.backends.dummy.DummyCache"
    assert base.ACCOUNT_RATE_LIMITS["login_failed"]


def test_password_minimum_length_is_ten():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("Zq8#kLm2p")  # nine characters
    validate_password("Zq8#kLm2pX")


def test_no_module_is_named_requests():
    assert not (ROOT / "requests").exists()
    assert not (ROOT / "requests.py").exists()


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:
        pytest.fail(f"missing migrations:\n{out.getvalue()} ({exc})")
