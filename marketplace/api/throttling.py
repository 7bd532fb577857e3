"""Rate limits of the API, counted in the shared cache by
``marketplace.ratelimit.hit`` (fixed one-minute windows), like every other
limit of the portal. Over a limit the answer is a 429 with ``Retry-After``.

* per address, on every request, signed in or not;
* per token (or per signed-in user, for the browser's session), on every
  authenticated request;
* the public licence check, per address, sharing its count with the
  ``/verify/`` page so the two doors together allow the same number.
"""

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from marketplace.http import client_ip
from marketplace.models import ApiToken
from marketplace.ratelimit import hit


class _MinuteThrottle(BaseThrottle):
    def key(self, request) -> str | None:
        raise NotImplementedError

    def limit(self) -> int:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        key = self.key(request)
        if key is None:
            return True
        allowed, self.retry_after = hit(key, limit=self.limit(), window_seconds=60)
        return allowed

    def wait(self) -> int:
        return self.retry_after


class PerAddressThrottle(_MinuteThrottle):
    def key(self, request) -> str:
        return f"api:ip:{client_ip(request) or 'unknown'}"

    def limit(self) -> int:
        return settings.API_REQUESTS_PER_MINUTE_PER_ADDRESS


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
        # The same key as the /verify/ pages (usage_requests.contract_views).
        return f"licence-check:{client_ip(request) or 'unknown'}"

    def limit(self) -> int:
        return settings.LICENCE_CHECKS_PER_MINUTE
