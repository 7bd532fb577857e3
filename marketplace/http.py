"""Request helpers shared by every app's views."""

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme

from marketplace.audit import audit
from marketplace.models import AuditEvent, User
from marketplace.selectors import portal_state_for_user

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

M = TypeVar("M", bound=Model)


class PortalRequest(HttpRequest):
    """What the portal's middleware puts on every request, for the type
    checker: our ``User`` (or anonymous) and django-htmx's ``htmx``."""

    user: User | AnonymousUser
    htmx: "HtmxDetails"


class AuthenticatedRequest(PortalRequest):
    """A request behind ``login_required``: ``user`` is signed in."""

    user: User


def signed_in_user(request: Any) -> User:
    """The user of a request (a page's or DRF's) that passed a check needing
    a signed-in user (``login_required``, an API permission class).

    Raises ``PermissionDenied`` for an anonymous request, which those checks
    never let through: the type checker learns the user is a ``User``.
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


@dataclass(frozen=True)
class ClientInfo:
    """Who is on the other end of a request, as far as we can tell.

    Services take this instead of the request so they stay callable from
    tasks, the admin and the shell.
    """

    ip_address: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> "ClientInfo":
        return cls(ip_address=client_ip(request), user_agent=request.headers.get("User-Agent", "")[:300])


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the hop our proxies added.

    Only the last ``NUM_PROXIES`` entries of X-Forwarded-For were written by
    proxies we run; anything before them is the client's to forge. A malformed
    header falls back to REMOTE_ADDR rather than failing the request.
    """
    if settings.NUM_PROXIES:
        hops = [hop for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
        if len(hops) >= settings.NUM_PROXIES:
            forwarded = _valid_ip(hops[-settings.NUM_PROXIES])
            if forwarded:
                return forwarded
    return _valid_ip(request.META.get("REMOTE_ADDR", ""))


def safe_next_url(request: HttpRequest, candidate: str, fallback: str) -> str:
    """``candidate`` when it points back into this site, else ``fallback``
    (a URL or a URL name): a ``next`` field never sends anyone elsewhere."""
    allowed = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return candidate if candidate and allowed else fallback


def portal_state(request: HttpRequest) -> dict:
    """The signed-in user's roles and unread count, fetched once per request."""
    cached = getattr(request, "_portal_state", None)
    if cached is None or cached[0] != request.user.pk:
        cached = (request.user.pk, portal_state_for_user(request.user))
        request._portal_state = cached  # type: ignore[attr-defined]  # a per-request cache HttpRequest does not declare
    return cached[1]


def sent_by_script(request: HttpRequest) -> bool:
    """An upload came from static/js/photo-upload.js (with its progress bar),
    which reads a JSON answer: where to go, or what was wrong. A plain form
    post gets the page."""
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def get_in_scope_or_404(request: HttpRequest, scoped: QuerySet[M], **lookup: Any) -> M:
    """Fetch one object from a user-scoped queryset, or raise Http404.

    When the object exists but lies outside the caller's scope, the attempt is
    audited as an authorization failure; the caller still sees a plain 404 so
    nothing leaks about what exists.
    """
    try:
        return scoped.get(**lookup)
    # ObjectDoesNotExist: the type checker cannot see type[M].DoesNotExist.
    except (ObjectDoesNotExist, ValueError, TypeError):
        pass
    try:
        exists = scoped.model._default_manager.filter(**lookup).exists()
    except (ValueError, TypeError):
        exists = False
    if exists:
        audit(
            action=AuditEvent.Action.AUTHZ_DENIED,
            actor=request.user if request.user.is_authenticated else None,
            target=f"{scoped.model._meta.label_lower}:{lookup}",
            client=ClientInfo.from_request(request),
            data={"path": request.path, "method": request.method, "status": 404},
        )
    raise Http404


def private_file_response(
    field, *, content_type: str, filename: str, as_attachment: bool = False, cache_control: str = "private, no-store"
) -> HttpResponseBase:
    """Answer a private stored file (likeness photos, verification images,
    dispute evidence, data exports, access-log archives) to someone already
    allowed to see it: kept out of shared caches, never sniffed, under a
    server-made ASCII ``filename``. Local disk streams it; object storage
    (``marketplace.storage``) answers a 302 to a presigned URL that works for
    ``PRIVATE_FILE_URL_SECONDS``, whose response carries the same type,
    disposition and caching. The file never has a public URL. Raises Http404
    when the file has gone from storage."""
    presign = getattr(field.storage, "presigned_url", None)
    if presign is not None:
        try:
            url = presign(
                field.name,
                content_type=content_type,
                content_disposition=content_disposition_header(as_attachment, filename),
                cache_control=cache_control,
            )
        except OSError:
            raise Http404 from None
        response: HttpResponseBase = HttpResponseRedirect(url)
        # The URL is a short-lived credential: kept by no cache, sent to no one else.
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
    else:
        try:
            handle = field.open("rb")
        except OSError:
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type, as_attachment=as_attachment, filename=filename)
        response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    response["Vary"] = "Cookie"
    return response
