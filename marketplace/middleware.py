"""Middleware of the platform core."""

import logging

from django.db import connections
from django.middleware.gzip import GZipMiddleware

from marketplace.http import ClientInfo
from marketplace.languages import activate_for_user
from marketplace.models import AuditEvent
from marketplace.services import audit

logger = logging.getLogger(__name__)

# Requests that change nothing: safe to run a second time.
RETRYABLE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class DatabaseOutageMiddleware:
    """A read that met a broken database connection runs once more.

    When PostgreSQL restarts, connections opened before it are dead; the pool
    checks each one it hands out (``check`` in the database OPTIONS), but a
    connection can die mid-request. ``marketplace.api.errors.server_error``
    answers a database error with a 503 marked ``database_unavailable``; here
    a GET or HEAD so answered is run again, once, on fresh connections.
    Writes are never repeated: their user gets the 503 page and tries again.
    Goes first in MIDDLEWARE, so the retry covers every other middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(response, "database_unavailable", False) and request.method in RETRYABLE_METHODS:
            logger.warning("database error on %s %s; running it once more", request.method, request.path)
            _drop_broken_connections()
            response = self.get_response(request)
        return response


def _drop_broken_connections() -> None:
    for connection in connections.all(initialized_only=True):
        # Inside a transaction (a test's, or a caller's) the connection is
        # not ours to close.
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


class UserLanguageMiddleware:
    """A signed-in user reads the portal in their saved language.

    Runs after LocaleMiddleware (browser language and cookie) and overrides it
    with the account's choice, so the pages and the emails agree.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            activate_for_user(request, user)
        return self.get_response(request)


class AuthorizationFailureAuditMiddleware:
    """Every 403 the portal answers is an audited authorization failure.

    404s on objects outside the caller's scope are audited where they are
    decided, by ``marketplace.http.get_in_scope_or_404``: only the view knows
    whether the object exists.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            user = getattr(request, "user", None)
            audit(
                action=AuditEvent.Action.AUTHZ_DENIED,
                actor=user if user is not None and user.is_authenticated else None,
                target=request.path[:200],
                client=ClientInfo.from_request(request),
                data={"method": request.method, "status": 403},
            )
        return response


# What is worth compressing: text. Photos, archives and fonts are compressed
# already; gzip would spend CPU on them and drop their Content-Length and ranges.
COMPRESSIBLE_TYPES = {"application/json", "application/javascript", "application/xml", "image/svg+xml"}


def compressible(content_type: str) -> bool:
    """Text, JSON or XML, including their ``+json``/``+xml`` dialects (the OpenAPI schema)."""
    media_type = content_type.split(";")[0].strip().lower()
    return media_type.startswith("text/") or media_type in COMPRESSIBLE_TYPES or media_type.endswith(("+json", "+xml"))


class TextCompressionMiddleware(GZipMiddleware):
    """Django's gzip, for text only (HTML, JSON, CSS, JS, SVG).

    Chosen over compression in the WSGI server because it ships with Django
    and carries Django's BREACH mitigation (random bytes in every gzip header,
    Django 4.2+) for pages that hold a CSRF token. It sits above whitenoise, so
    static files are compressed in every mode: development and tests serve them
    from the finders uncompressed, and production's precompressed files
    (CompressedManifestStaticFilesStorage) already say their Content-Encoding,
    which gzip leaves alone.
    """

    def process_response(self, request, response):
        if not compressible(response.get("Content-Type", "")):
            return response
        return super().process_response(request, response)
