"""The portal's cache backend: Redis, and while Redis does not answer, a
memory cache of this process until it does.

Rate limits (allauth's and the portal's, ``marketplace.ratelimit``) and the
licence check's limiter live in the cache. Without a fallback a Redis outage
turns every sign-in, API call and ``/verify/`` page into a 500. With it they
keep working: during the outage each process counts its own limits (still a
limit, only as loose as the number of web processes), and the outage is
logged once when it begins and once when it ends, not once per request.

After a failure Redis is not asked again for ``RETRY_SECONDS``, so a dead
server (which may take the full socket timeout to say so) costs one slow
request every few seconds, not every request. Nothing the portal keeps in the
cache is the only copy of anything: sessions are in the database.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# How long to keep to the memory cache before asking Redis again.
RETRY_SECONDS = 5.0
# What a Redis that is down, restarting or unreachable raises.
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class FailoverRedisCache(RedisCache):
    """Django's ``RedisCache`` that falls back to a per-process ``LocMemCache``."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self.fallback = LocMemCache(
            f"failover-{id(self)}",
            {"TIMEOUT": params.get("TIMEOUT", 300), "KEY_PREFIX": params.get("KEY_PREFIX", "")},
        )
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._retry_at = 0.0

    @property
    def degraded(self) -> bool:
        """True while this process answers from its memory cache."""
        return self._down_since is not None

    def check_primary(self) -> None:
        """Ask Redis itself (for ``/readyz``); raises when it does not answer."""
        self._cache.get_client(write=True).ping()

    def _call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """``name`` on Redis, or on the memory cache while Redis is down."""
        if self._down_since is not None and time.monotonic() < self._retry_at:
            return getattr(self.fallback, name)(*args, **kwargs)
        try:
            result = getattr(RedisCache, name)(self, *args, **kwargs)
        except UNAVAILABLE as exc:
            self._went_down(exc)
            return getattr(self.fallback, name)(*args, **kwargs)
        if self._down_since is not None:
            self._came_back()
        return result

    def _went_down(self, exc: BaseException) -> None:
        with self._lock:
            first = self._down_since is None
            now = time.monotonic()
            if first:
                self._down_since = now
            self._retry_at = now + RETRY_SECONDS
        if first:
            logger.error(
                "cache: Redis is unavailable (%s: %s); this process uses its own memory cache, "
                "so rate limits count per process until Redis answers again",
                type(exc).__name__,
                exc,
            )

    def _came_back(self) -> None:
        with self._lock:
            began, self._down_since = self._down_since, None
        if began is not None:
            logger.warning(
                "cache: Redis answers again after %.0f s; back to the shared cache", time.monotonic() - began
            )


def _failing_over(name: str) -> Callable[..., Any]:
    def operation(self: FailoverRedisCache, *args: Any, **kwargs: Any) -> Any:
        return self._call(name, args, kwargs)

    operation.__name__ = operation.__qualname__ = name
    return operation


# Every operation RedisCache implements; the rest of Django's cache API
# (get_or_set, decr, ...) is built on these.
OPERATIONS = ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many", "delete_many", "clear")
for _name in OPERATIONS:
    setattr(FailoverRedisCache, _name, _failing_over(_name))
