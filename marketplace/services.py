"""Writes of the platform core: notifications, roles, API tokens (audit events: ``marketplace.audit``)."""

import json
import secrets
from collections.abc import Iterable, Mapping
from datetime import timedelta
from functools import partial
from types import MappingProxyType
from typing import Any, NamedTuple, cast

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model
from django.db.models.expressions import RawSQL
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


class Notice(NamedTuple):
    """One notification for ``notify_many``: ``notify``'s arguments, with the
    recipient and the target by id (a sweep need not load them as objects).
    A tuple: a sweep makes a thousand of them a chunk."""

    recipient_id: int
    kind: NotificationKind
    event_key: str
    params: Mapping[str, Any] = MappingProxyType({})
    target_model: type[Model] | None = None
    target_id: int | None = None
    url: str = ""
    email: bool = True


# Rows per INSERT, and emails per queued task: a sweep of 100,000 requests is
# a few hundred statements and messages instead of 300,000.
NOTIFY_BATCH = 1000
# What each notice sets; every other column takes its model default.
_NOTICE_COLUMNS = ("recipient", "kind", "event_key", "params", "target_type", "target_id", "url", "email_status")


def notify_many(notices: Iterable[Notice]) -> list[int]:
    """``notify`` for many notifications at once; returns the ids it created.

    One ``INSERT … ON CONFLICT (recipient, event_key) DO NOTHING RETURNING``
    per batch: a notice whose recipient was already told about its event
    (before, or by a transaction that commits first) creates nothing and
    sends nothing, exactly as ``notify``. An inactive recipient gets no
    email. The emails of the rows created are queued once the surrounding
    transaction commits, one task per batch that a worker fans out to the
    usual one-email tasks (whose claim keeps each email to one delivery).
    (``bulk_create(ignore_conflicts=True)`` would not say which rows it
    created, so not which emails to queue.)
    """
    # marketplace.tasks imports this module (its tasks call the services);
    # the task is looked up here, at call time, to break that cycle.
    from marketplace.tasks import queue_notification_email_batch

    pending = list(notices)
    created: list[int] = []
    for start in range(0, len(pending), NOTIFY_BATCH):
        batch = pending[start : start + NOTIFY_BATCH]
        rows = _insert_new_notifications(batch, emailed=_active_among({n.recipient_id for n in batch if n.email}))
        created += [pk for pk, _status in rows]
        emails = [pk for pk, status in rows if status == EmailStatus.PENDING]
        if emails:
            transaction.on_commit(partial(queue_notification_email_batch, emails))
    return created


def _active_among(user_ids: set[int]) -> set[int]:
    """The ids of active users among ``user_ids``."""
    among: Any = list(user_ids)
    if connections[router.db_for_read(User)].vendor == "postgresql":
        # One array parameter: a thousand placeholders cost the driver more
        # than the query.
        among = RawSQL("SELECT unnest(%s::bigint[])", [among])
    return set(User.objects.filter(pk__in=among, is_active=True).values_list("pk", flat=True))


def _insert_new_notifications(notices: list[Notice], *, emailed: set[int]) -> list[tuple[int, str]]:
    """Insert ``notices`` but those whose (recipient, event_key) exists, with
    an email for the recipients in ``emailed``; ``(id, email_status)`` of the
    rows inserted."""
    connection = connections[router.db_for_write(Notification)]
    columns = [column for column in Notification._meta.concrete_fields if not column.primary_key]
    varying = [column for column in columns if column.name in _NOTICE_COLUMNS]
    now = timezone.now()
    # The same for every row: the model's defaults, and one creation time.
    fixed = {
        column: column.get_db_prep_save(
            now if getattr(column, "auto_now_add", False) else column.get_default(), connection
        )
        for column in columns
        if column.name not in _NOTICE_COLUMNS
    }
    rows = _notification_rows(notices, emailed=emailed)
    if connection.vendor == "postgresql":
        return _insert_as_json(connection, rows, varying=varying, fixed=fixed)
    return _insert_as_values(connection, rows, varying=varying, fixed=fixed)


def _notification_rows(notices: list[Notice], *, emailed: set[int]) -> list[dict[str, Any]]:
    """The columns each notice sets, by attribute name."""
    content_types = {
        model: ContentType.objects.get_for_model(model).pk
        for model in {notice.target_model for notice in notices}
        if model is not None
    }
    return [
        {
            "recipient_id": notice.recipient_id,
            "kind": notice.kind.key,
            "event_key": notice.event_key[:200],
            "params": dict(notice.params),
            "target_type_id": content_types.get(notice.target_model) if notice.target_model else None,
            "target_id": notice.target_id,
            "url": notice.url,
            "email_status": (
                EmailStatus.PENDING if notice.email and notice.recipient_id in emailed else EmailStatus.NOT_WANTED
            ),
        }
        for notice in notices
    ]


def _insert_statement(connection: BaseDatabaseWrapper, columns: list[Field], source: str) -> str:
    """``INSERT INTO notification (columns) <source>``, skipping an event the
    recipient was told already, returning each new row's id and email status."""
    opts = Notification._meta
    by_name = {column.name: column for column in opts.concrete_fields}

    def quoted(column: Field) -> str:
        # Concrete fields all have a column (the stubs allow None).
        return connection.ops.quote_name(cast(str, column.column))

    # Names from the model's metadata, quoted; every value is a parameter.
    return (
        f"INSERT INTO {connection.ops.quote_name(opts.db_table)} ({', '.join(map(quoted, columns))}) {source} "
        f"ON CONFLICT ({quoted(by_name['recipient'])}, {quoted(by_name['event_key'])}) DO NOTHING "
        f"RETURNING {quoted(by_name['id'])}, {quoted(by_name['email_status'])}"
    )


def _insert_as_json(
    connection: BaseDatabaseWrapper, rows: list[dict[str, Any]], *, varying: list[Field], fixed: dict[Field, Any]
) -> list[tuple[int, str]]:
    """PostgreSQL: the rows as one JSON document, so the statement is short
    and has one parameter (thousands of placeholders make the driver's
    quoting the slow part). Types without their length, so a value too long
    is refused, not cut."""

    def sql_type(column: Field) -> str:
        return str(column.db_type(connection)).split("(")[0]

    quote = connection.ops.quote_name
    record = ", ".join(f"{quote(column.attname)} {sql_type(column)}" for column in varying)
    picked = ", ".join([*(f"r.{quote(column.attname)}" for column in varying), *(f"%s::{sql_type(c)}" for c in fixed)])
    source = f"SELECT {picked} FROM jsonb_to_recordset(%s::jsonb) AS r({record})"  # noqa: S608 - names, quoted
    with connection.cursor() as cursor:
        cursor.execute(_insert_statement(connection, [*varying, *fixed], source), [*fixed.values(), json.dumps(rows)])
        return list(cursor.fetchall())


def _insert_as_values(
    connection: BaseDatabaseWrapper, rows: list[dict[str, Any]], *, varying: list[Field], fixed: dict[Field, Any]
) -> list[tuple[int, str]]:
    """Elsewhere: ``VALUES`` lists, as many rows a statement as the database
    takes parameters."""
    params_field = Notification._meta.get_field("params")

    def prepared(row: dict[str, Any], column: Field) -> Any:
        value = row[column.attname]
        return params_field.get_db_prep_save(value, connection) if column is params_field else value

    size = max(1, connection.ops.bulk_batch_size([*varying, *fixed], rows))
    placeholders = "(" + ", ".join(["%s"] * (len(varying) + len(fixed))) + ")"
    inserted: list[tuple[int, str]] = []
    for start in range(0, len(rows), size):
        part = rows[start : start + size]
        params = [value for row in part for value in (*(prepared(row, c) for c in varying), *fixed.values())]
        source = f"VALUES {', '.join([placeholders] * len(part))}"
        with connection.cursor() as cursor:
            cursor.execute(_insert_statement(connection, [*varying, *fixed], source), params)
            inserted += cursor.fetchall()
    return inserted


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
