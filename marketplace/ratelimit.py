"""A small fixed-window rate limiter on Django's cache.

Counters live in the shared cache (Redis in production), so every web
process counts together. With Redis and the local-memory cache ``incr`` is
atomic; the file cache may lose a count under a race, which only makes the
limit slightly softer.
"""

import math
import time

from django.core.cache import cache


def hit(key: str, *, limit: int, window_seconds: int) -> tuple[bool, int]:
    """Count one attempt for ``key`` in the current window.

    Returns whether it is allowed (at most ``limit`` per window) and how many
    seconds remain until the window resets (the ``Retry-After`` value).
    """
    now = time.time()
    window = int(now // window_seconds)
    cache_key = f"ratelimit:{key}:{window}"
    retry_after = max(1, math.ceil((window + 1) * window_seconds - now))
    # A little longer than the window, so the key outlives any clock skew
    # between the processes that count it.
    timeout = window_seconds + 5
    if cache.add(cache_key, 1, timeout=timeout):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:
            # The key expired between add and incr: this is the first hit of it.
            cache.add(cache_key, 1, timeout=timeout)
            count = 1
    return count <= limit, retry_after
