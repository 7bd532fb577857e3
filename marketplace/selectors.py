"""Reads of the platform core, scoped to the user who asks."""

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from marketplace.models import ApiToken, Notification, User, api_token_hash
from marketplace.roles import MODERATORS_GROUP, profile_roles


def notifications_for_user(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def portal_state_for_user(user: User | AnonymousUser) -> dict[str, Any]:
    """Roles and the unread count for the navigation, in one query:
    ``unread``, ``is_moderator``, ``is_<role>`` for every profile role
    (``profile_roles``: ``is_actor``, ``is_creator``) and
    ``has_verified_email`` (the roster's condition). An anonymous user has
    none of them."""
    profiles = {f"is_{role}": Exists(held.filter(user=OuterRef("pk"))) for role, held in profile_roles().items()}
    nothing = {"unread": 0, "is_moderator": False, "has_verified_email": False, **dict.fromkeys(profiles, False)}
    if not user.is_authenticated:
        return nothing
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            unread=Count("notifications", filter=Q(notifications__read_at__isnull=True)),
            is_moderator=Exists(User.groups.through.objects.filter(user=OuterRef("pk"), group__name=MODERATORS_GROUP)),
            has_verified_email=Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)),
            **profiles,
        )
        .values("unread", "is_moderator", "has_verified_email", *profiles)
        .first()
    )
    if row is None:
        return nothing
    return {**row, "is_moderator": row["is_moderator"] and user.is_active}


def user_needs_onboarding(user: User, state: dict | None = None) -> bool:
    """A signed-in user with no role at all picks one before anything else.

    ``state`` is ``portal_state_for_user(user)`` when the caller has it already.
    """
    state = state or portal_state_for_user(user)
    return not (state["is_actor"] or state["is_creator"] or state["is_moderator"] or user.is_staff)


def user_has_totp(user: User) -> bool:
    # bool(): allauth is untyped, so its queryset answers Any.
    return bool(Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists())


def api_tokens_for_user(user: User) -> QuerySet[ApiToken]:
    """The user's tokens, active first, newest first."""
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).order_by(F("revoked_at").desc(nulls_first=True), "-created_at", "-id")


def api_token_for_key(key: str) -> ApiToken | None:
    """The active token whose key is ``key``, with its user, or None."""
    return ApiToken.objects.select_related("user").filter(key_hash=api_token_hash(key), revoked_at__isnull=True).first()
