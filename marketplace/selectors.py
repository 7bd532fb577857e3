"""Reads of the platform core, scoped to the user who asks."""

from allauth.mfa.models import Authenticator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from actors.models import ActorProfile
from creators.models import CreatorProfile
from marketplace.models import ApiToken, Notification, User
from marketplace.roles import MODERATORS_GROUP


def notifications_for_user(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def portal_state_for_user(user: User) -> dict:
    """Roles and the unread count for the navigation, in one query."""
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            unread=Count("notifications", filter=Q(notifications__read_at__isnull=True)),
            has_actor=Exists(ActorProfile.objects.filter(user=OuterRef("pk"))),
            has_creator=Exists(CreatorProfile.objects.filter(user=OuterRef("pk"))),
            has_moderator=Exists(User.groups.through.objects.filter(user=OuterRef("pk"), group__name=MODERATORS_GROUP)),
        )
        .values("unread", "has_actor", "has_creator", "has_moderator")
        .first()
    )
    if row is None:
        return {"unread": 0, "is_actor": False, "is_creator": False, "is_moderator": False}
    return {
        "unread": row["unread"],
        "is_actor": row["has_actor"],
        "is_creator": row["has_creator"],
        "is_moderator": row["has_moderator"] and user.is_active,
    }


def user_needs_onboarding(user: User, state: dict | None = None) -> bool:
    """A signed-in user with no role at all picks one before anything else.

    ``state`` is ``portal_state_for_user(user)`` when the caller has it already.
    """
    state = state or portal_state_for_user(user)
    return not (state["is_actor"] or state["is_creator"] or state["is_moderator"] or user.is_staff)


def user_has_totp(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def api_tokens_for_user(user: User) -> QuerySet[ApiToken]:
    """The user's tokens, active first, newest first."""
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).order_by(F("revoked_at").desc(nulls_first=True), "-created_at", "-id")


def api_token_for_key(key: str) -> ApiToken | None:
    """The active token whose key is ``key``, with its user, or None."""
    from marketplace.services import api_token_hash

    return ApiToken.objects.select_related("user").filter(key_hash=api_token_hash(key), revoked_at__isnull=True).first()
