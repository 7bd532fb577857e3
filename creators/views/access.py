"""Who may open the creator's pages."""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from marketplace.http import portal_state


def creator_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """403 for a signed-in user without a creator profile. Goes under ``login_required``."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if not portal_state(request)["is_creator"]:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
