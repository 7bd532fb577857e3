"""Authentication backends that refuse suspended accounts.

``user_can_authenticate`` is what Django asks both when someone signs in and,
through ``get_user``, on every request of an existing session: refusing a
suspended user here blocks new sign-ins and logs out every open session on
its next request, whatever the session store (the suspension also deletes
the sessions it knows about; see ``moderation.services.user_suspend``).
"""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend


class _NotSuspended:
    def user_can_authenticate(self, user) -> bool:
        # A mixin: super() is the backend it is mixed into, unknown to mypy here.
        allowed = super().user_can_authenticate(user)  # type: ignore[misc]
        return allowed and getattr(user, "suspended_at", None) is None


class ModelBackend(_NotSuspended, DjangoModelBackend):
    pass


class AuthenticationBackend(_NotSuspended, AllauthBackend):
    pass
