"""Who may open the moderation workplace, and the MFA rule for staff.

* ``moderator_view("GET", "HEAD")`` / ``moderator_view("POST")``: every
  view under /moderation/. Anyone who is not a moderator gets a 404, signed
  in or not and whatever the method: the workplace does not admit it exists
  to outsiders (a signed-out moderator opens it again after signing in from
  the ordinary login page). Only then is the method checked, so a moderator
  who GETs an action gets 405 and an outsider never does.
  (``moderator_required`` is the role check alone.)
* ``StaffMFAMiddleware``: a moderator or staff user without an authenticator
  app is sent to set one up (``mfa_activate_totp``) before any moderation or
  admin page opens. Non-moderators on a moderation path fall through to the
  view's 404.
* ``sensitive=True``: actions that hurt someone (suspending, voiding, hiding)
  also need a sign-in (password or TOTP) within ``ACCOUNT_REAUTHENTICATION_TIMEOUT``
  seconds; allauth's reauthentication page asks and comes back.
"""

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.account.internal.flows.login import get_authentication_records
from allauth.core.exceptions import ReauthenticationRequired
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from marketplace.http import portal_state
from marketplace.selectors import user_has_totp

MFA_GUARDED_PREFIXES = ("/moderation/", "/admin/")


def is_moderator(request: HttpRequest) -> bool:
    return request.user.is_authenticated and portal_state(request)["is_moderator"]


View = Callable[..., HttpResponseBase]


def moderator_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_moderator(request):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def recently_authenticated(request: HttpRequest) -> bool:
    """A sign-in or a reauthentication (password or TOTP) in this session
    within ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` seconds. allauth's own check
    counts only its reauthentication page; a moderator who has just signed in
    with password and TOTP has proved as much."""
    records = get_authentication_records(request, request.user)
    if not records:
        return False
    latest = max((record.get("at", 0) for record in records if isinstance(record, dict)), default=0)
    return time.time() - latest < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT


def _recent_sign_in_required(view: View) -> View:
    """The action needs a recent sign-in; otherwise allauth's middleware
    sends the moderator to reauthenticate and replays the action afterwards."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not recently_authenticated(request):
            raise ReauthenticationRequired()
        return view(request, *args, **kwargs)

    return wrapper


def moderator_view(*methods: str, sensitive: bool = False) -> Callable[[View], View]:
    """A moderators' page or action answering ``methods``, checked in this
    order: the role (404 for everyone else, whatever the method), the method
    (405), then with ``sensitive`` a recent sign-in."""

    def decorator(view: View) -> View:
        inner = _recent_sign_in_required(view) if sensitive else view
        return moderator_required(require_http_methods(list(methods))(inner))

    return decorator


def mfa_setup_url(next_url: str) -> str:
    return f"{reverse('mfa_activate_totp')}?{urlencode({'next': next_url})}"


class StaffMFAMiddleware:
    """Moderators and staff set up TOTP before any moderation or admin page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path.startswith(MFA_GUARDED_PREFIXES) and request.user.is_authenticated:
            privileged = request.user.is_staff or portal_state(request)["is_moderator"]
            if privileged and not user_has_totp(request.user):
                return HttpResponseRedirect(mfa_setup_url(request.get_full_path()))
        return self.get_response(request)
