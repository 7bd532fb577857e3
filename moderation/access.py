"""Who may open the moderation workplace, and the MFA rule for staff.

* ``moderator_required``: every moderation view. Anyone who is not a
  moderator gets a 404, signed in or not: the workplace does not admit it
  exists to outsiders (a signed-out moderator opens it again after signing in
  from the ordinary login page).
* ``StaffMFAMiddleware``: a moderator or staff user without an authenticator
  app is sent to set one up (``mfa_activate_totp``) before any moderation or
  admin page opens. Non-moderators on a moderation path fall through to the
  view's 404.
* ``sensitive``: actions that hurt someone (suspending, voiding, hiding) also
  need a sign-in (password or TOTP) within ``ACCOUNT_REAUTHENTICATION_TIMEOUT``
  seconds; allauth's reauthentication page asks and comes back.
"""

from functools import wraps

from allauth.account.decorators import reauthentication_required
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from marketplace.http import portal_state
from marketplace.selectors import user_has_totp

MFA_GUARDED_PREFIXES = ("/moderation/", "/admin/")


def is_moderator(request: HttpRequest) -> bool:
    return request.user.is_authenticated and portal_state(request)["is_moderator"]


def moderator_required(view):
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not is_moderator(request):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def sensitive(view):
    """A moderator action that needs a recent sign-in (after the role check)."""
    return moderator_required(reauthentication_required(view))


def mfa_setup_url(next_url: str) -> str:
    return f"{reverse('mfa_activate_totp')}?{urlencode({'next': next_url})}"


class StaffMFAMiddleware:
    """Moderators and staff set up TOTP before any moderation or admin page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.path.startswith(MFA_GUARDED_PREFIXES) and request.user.is_authenticated:
            privileged = request.user.is_staff or portal_state(request)["is_moderator"]
            if privileged and not user_has_totp(request.user):
                return HttpResponseRedirect(mfa_setup_url(request.get_full_path()))
        return self.get_response(request)
