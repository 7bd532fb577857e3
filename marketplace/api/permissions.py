"""Role checks of the API: a signed-in user without the role gets a 403
saying which role the endpoint needs."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from marketplace.http import portal_state


class IsCreator(BasePermission):
    message = _("Only creators can do this. Add the creator role to your account first.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and portal_state(request)["is_creator"])


class IsActorOrCreator(BasePermission):
    message = _("Only actors and creators can do this. Choose a role for your account first.")

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        state = portal_state(request)
        return bool(state["is_actor"] or state["is_creator"])
