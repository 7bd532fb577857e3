"""Who may open the actor's own pages (/actors/me/…)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from actors.selectors import (
    actor_profile_for_user,
)
from marketplace.http import AuthenticatedRequest


def actor_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Signed-in actors only: anonymous visitors go to sign in, anyone else
    gets 403. The view receives the actor's profile as ``actor``."""

    @wraps(view)
    @login_required
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        actor = actor_profile_for_user(request.user)
        if actor is None:
            raise PermissionDenied(_("Only actors have this page."))
        return view(request, *args, actor=actor, **kwargs)

    return wrapper
