"""Middleware of the platform core."""

from marketplace.http import ClientInfo
from marketplace.languages import activate_for_user
from marketplace.models import AuditEvent
from marketplace.services import audit


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
