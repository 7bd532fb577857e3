"""Rate limits of the API, counted in the shared cache by
``marketplace.ratelimit.hit`` (fixed one-minute windows), like every other
limit of the portal. Over a limit the answer is a 429 with ``Retry-After``.

* per address, on every request under ``/api/``, signed in or not, before
  anything else runs (``AddressLimitMiddleware``): DRF checks its throttles
  only after authentication and permissions, which would leave guessing
  tokens and anonymous calls unlimited;
* per token (or per signed-in user, for the browser's session), on every
  authenticated request;
* the public licence check, per address, sharing its count with the
  ``/verify/`` page so the two doors together allow the same number.
"""

from abc import ABC, abstractmethod

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle

from marketplace.http import client_ip
from marketplace.models import ApiToken
from marketplace.ratelimit import hit


class _MinuteThrottle(BaseThrottle, ABC):
    """A fixed one-minute window per ``key``; no key, no limit."""

    @abstractmethod
    def key(self, request) -> str | None:
        """The counter this request counts against, or None."""

    @abstractmethod
    def limit(self) -> int:
        """Requests allowed per minute."""

    def allow_request(self, request, view) -> bool:
        key = self.key(request)
        if key is None:
            return True
        allowed, self.retry_after = hit(key, limit=self.limit(), window_seconds=60)
        return allowed

    def wait(self) -> int:
        return self.retry_after


class AddressLimitMiddleware:
    """At most ``API_REQUESTS_PER_MINUTE_PER_ADDRESS`` API requests a minute
    from one address; over it, a 429 with ``Retry-After`` before the request
    reaches authentication."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            allowed, retry_after = hit(
                f"api:ip:{client_ip(request) or 'unknown'}",
                limit=settings.API_REQUESTS_PER_MINUTE_PER_ADDRESS,
                window_seconds=60,
            )
            if not allowed:
                response = JsonResponse(
                    {"detail": _("Too many requests. Try again in %(seconds)s seconds.") % {"seconds": retry_after}},
                    status=429,
                )
                response["Retry-After"] = str(retry_after)
                return response
        return self.get_response(request)


class PerTokenThrottle(_MinuteThrottle):
    def key(self, request) -> str | None:
        if isinstance(request.auth, ApiToken):
            return f"api:token:{request.auth.pk}"
        if request.user and request.user.is_authenticated:
            return f"api:user:{request.user.pk}"
        return None

    def limit(self) -> int:
        return settings.API_REQUESTS_PER_MINUTE_PER_TOKEN


class LicenceCheckThrottle(_MinuteThrottle):
    def key(self, request) -> str:
        # The same key as the /verify/ pages (usage_requests.views.licences).
        return f"licence-check:{client_ip(request) or 'unknown'}"

    def limit(self) -> int:
        return settings.LICENCE_CHECKS_PER_MINUTE
