"""``/healthz`` (the process answers) and ``/readyz`` (its services answer)."""

import logging
import secrets

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from marketplace.celery import app as celery_app

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answering. Touches nothing else."""
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    check_primary = getattr(cache, "check_primary", None)
    if check_primary is not None:
        # Redis with the per-process fallback (marketplace.cache): the portal
        # keeps answering without Redis, but is not ready until it is back.
        check_primary()
        return
    # A key of this check's own: concurrent probes must not read each other's.
    key, token = f"readyz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, token, 10)
    try:
        if cache.get(key) != token:
            raise RuntimeError("cache did not return what was written")
    finally:
        cache.delete(key)


def _check_broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=3)


READINESS_CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Database, cache and broker reachable: 200; otherwise 503 naming each failing part."""
    checks = {}
    for name, check in READINESS_CHECKS.items():
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            logger.warning("readyz: %s unavailable: %s", name, exc)
            checks[name] = "unavailable"
        else:
            checks[name] = "ok"
    failing = [name for name, result in checks.items() if result != "ok"]
    body = {"status": "unavailable" if failing else "ok", "checks": checks, "failing": failing}
    return JsonResponse(body, status=503 if failing else 200)
