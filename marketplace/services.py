"""Writes of the platform core: notifications, roles, API tokens (audit events: ``marketplace.audit``)."""

import secrets
from datetime import timedelta
from functools import partial
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.audit import audit
from marketplace.exceptions import DomainError
from marketplace.http import ClientInfo
from marketplace.models import (
    API_TOKEN_PREFIX,
    EMAIL_TRANSITIONS,
    ApiToken,
    AuditEvent,
    EmailStatus,
    Notification,
    User,
    api_token_hash,
)
from marketplace.notifications import MODERATOR_GRANTED, NotificationKind
from marketplace.roles import MODERATORS_GROUP
from marketplace.transitions import transition_by_pk


def notify(
    *,
    recipient: User,
    kind: NotificationKind,
    event_key: str,
    params: dict | None = None,
    target: Model | None = None,
    url: str = "",
    email: bool = True,
) -> Notification:
    """Tell ``recipient`` about an event, in the app and by email.

    ``event_key`` names the event (``"usage_request:12:accepted"``); telling
    the same recipient about the same event again returns the existing row and
    sends nothing more. The email is queued only once the surrounding
    transaction commits, so a rolled-back change never mails anyone.
    """
    # marketplace.tasks imports this module (its task calls the services);
    # the task is looked up here, at call time, to break that cycle.
    from marketplace.tasks import queue_notification_email

    fields: dict[str, Any] = {
        "kind": kind.key,
        "params": params or {},
        "url": url,
        "email_status": EmailStatus.PENDING if email and recipient.is_active else EmailStatus.NOT_WANTED,
    }
    if target is not None:
        fields["target_type"] = ContentType.objects.get_for_model(target)
        fields["target_id"] = target.pk
    try:
        with transaction.atomic():
            notification, created = Notification.objects.get_or_create(
                recipient=recipient, event_key=event_key[:200], defaults=fields
            )
    except IntegrityError:
        # Another transaction told the same recipient about the same event.
        return Notification.objects.get(recipient=recipient, event_key=event_key[:200])
    if created and notification.email_status == EmailStatus.PENDING:
        # After the commit, never failing it: a broker that is down must not
        # turn a change that happened into an error page.
        transaction.on_commit(partial(queue_notification_email, notification.pk))
    return notification


def notification_email_transition(*, notification_id: int, old: EmailStatus, new: EmailStatus, **fields: Any) -> bool:
    """Move a notification's email from ``old`` to ``new`` if it is still ``old``.

    Compare-and-set: returns False when another run got there first, which
    callers treat as "someone else owns this email now". Raises
    ``InvalidTransition`` when ``EMAIL_TRANSITIONS`` has no such move.
    """
    return transition_by_pk(
        Notification,
        notification_id,
        old=old,
        new=new,
        transitions=EMAIL_TRANSITIONS,
        field="email_status",
        illegal=f"email {old} -> {new} is not a legal move",
        **fields,
    )


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def user_set_language(*, user: User, language: str) -> User:
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return user


@transaction.atomic
def moderator_grant(*, user: User, granted_by: User | None = None) -> User:
    """Put ``user`` in the moderators group (idempotent) and audit it."""
    group = Group.objects.get(name=MODERATORS_GROUP)
    if user.groups.filter(pk=group.pk).exists():
        return user
    user.groups.add(group)
    user.__dict__.pop("_is_moderator", None)
    audit(
        action=AuditEvent.Action.ROLE_ADDED,
        actor=granted_by,
        target=f"marketplace.user:{user.pk}",
        data={"role": "moderator", "user": user.email},
    )
    notify(recipient=user, kind=MODERATOR_GRANTED, event_key="role:moderator:granted", url="/accounts/2fa/")
    return user


# --- Personal access tokens -------------------------------------------------------

# Enough for a few tools and machines; more is a sign of keys never cleaned up.
MAX_ACTIVE_TOKENS = 20
# A token used many times a minute is written at most once a minute.
TOKEN_TOUCH_INTERVAL = timedelta(seconds=60)


class TokenRefused(DomainError):
    """The token cannot be created (name, or too many active tokens)."""


@transaction.atomic
def api_token_create(*, user: User, name: str, client: ClientInfo | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it and its key, which is never
    stored and cannot be shown again. Raises ``TokenRefused`` for an empty
    name or when the user already has ``MAX_ACTIVE_TOKENS`` active tokens."""
    name = " ".join(name.split())
    if not name:
        raise TokenRefused(_("Give the token a name, so you know later where it is used."))
    # Lock the user's row: two concurrent creations cannot both pass the cap.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise TokenRefused(
            _("You already have %(max)s active tokens. Revoke one you no longer use first.")
            % {"max": MAX_ACTIVE_TOKENS}
        )
    key = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:80], prefix=key[:10], key_hash=api_token_hash(key))
    audit(
        action=AuditEvent.Action.TOKEN_CREATED,
        actor=user,
        target=f"marketplace.apitoken:{token.pk}",
        client=client,
        data={"name": token.name, "prefix": token.prefix},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, user: User, client: ClientInfo | None = None) -> ApiToken:
    """Revoke ``token`` (idempotent): the next request with its key is a 401."""
    now = timezone.now()
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now) == 1:
        token.revoked_at = now
        audit(
            action=AuditEvent.Action.TOKEN_REVOKED,
            actor=user,
            target=f"marketplace.apitoken:{token.pk}",
            client=client,
            data={"name": token.name, "prefix": token.prefix},
        )
    return token


def api_token_touch(*, token: ApiToken, ip_address: str | None) -> None:
    """Record that ``token`` was just used (at most one write a minute)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOKEN_TOUCH_INTERVAL:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip_address)
    token.last_used_at = now
    token.last_used_ip = ip_address
