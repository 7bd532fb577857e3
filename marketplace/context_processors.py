"""Template context every page gets."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from marketplace.http import portal_state


def portal(request) -> dict:
    """``portal``: the user's roles and unread count, fetched once, lazily."""
    user = getattr(request, "user", None)

    def state() -> dict:
        if user is None or not user.is_authenticated:
            return {"unread": 0, "is_actor": False, "is_creator": False, "is_moderator": False}
        return portal_state(request)

    return {"portal": SimpleLazyObject(state), "LANGUAGES_AVAILABLE": settings.LANGUAGES}
