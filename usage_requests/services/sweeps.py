"""Periodic sweeps: expire requests, remind whoever must act, cancel unsigned
contracts, complete ended ones.

Each sweep works a chunk of rows at a time, one transaction per chunk. One
statement claims the chunk: ``UPDATE … WHERE pk IN (up to CHUNK due rows)
AND <still due> RETURNING pk``, the compare-and-set of every row at once.
Then one statement writes the chunk's event rows, ``notify_many`` its
notifications (one per party, with ``tell_party``'s event keys, so telling
twice sends once), and their emails are queued, a task per batch, once the
chunk commits.

On PostgreSQL the chunk is picked ``FOR NO KEY UPDATE SKIP LOCKED``: two
sweeps at once take different rows instead of queueing behind each other,
and a row that a user's move holds is left to that move (the next run takes
it if it is still due). The condition is checked again on every row the
UPDATE writes, so a row another transaction moved first is not claimed. That
is also what lets one run claim with ``CLAIMERS`` connections at once. On
SQLite one writer at a time does the same. Either way, two sweeps, or a
sweep and a user's move, change each row once.
"""

import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from django.db import connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from marketplace.exceptions import InvalidTransition
from marketplace.notifications import NotificationKind
from marketplace.services import Notice, notify_many
from usage_requests import notifications as kinds
from usage_requests.models import (
    AWAITING_PARTY,
    CONTRACT_TRANSITIONS,
    OPEN_REQUEST_STATUSES,
    REQUEST_TRANSITIONS,
    Contract,
    ContractEvent,
    ContractStatus,
    Party,
    RequestEvent,
    RequestStatus,
    TimelineEvent,
    UsageRequest,
)
from usage_requests.services.webhook_events import webhook_deliveries_record_many

M = TypeVar("M", bound=Model)

# Rows claimed per statement and transaction: 100,000 due requests are a
# hundred transactions of a few statements each.
CHUNK = 1000
REMIND_BEFORE = timedelta(hours=24)
# A run takes no new chunk after this many seconds, well inside the task's
# 60 s soft time limit; the next run carries on with what is left.
RUN_SECONDS = 40.0
# Connections claiming chunks at once in one run, on PostgreSQL (``_in_chunks``).
CLAIMERS = 2

PLATFORM = "platform"


def claim_chunk(candidates: QuerySet[M], *, limit: int | None = None, **values: Any) -> list[int]:
    """Write ``values`` on up to ``limit`` (``CHUNK``) rows of ``candidates`` in one
    statement; returns the ids of the rows written. Call it inside
    ``transaction.atomic()``: the rows stay claimed until the commit.

    ``candidates`` is the condition that makes a row due (status, deadline,
    marker); it is checked again on each row the UPDATE writes, so a row
    that stopped being due meanwhile is left alone. On PostgreSQL rows
    another transaction holds are skipped, not waited for.
    """
    connection = connections[candidates.db]
    picked = candidates.order_by().values("pk")[: limit or CHUNK]
    if connection.features.has_select_for_update_skip_locked:
        picked = picked.select_for_update(skip_locked=True, no_key=connection.features.has_select_for_no_key_update)
    picked_sql, picked_params = picked.query.get_compiler(connection=connection).as_sql()
    due = candidates.query
    due_sql, due_params = due.get_compiler(connection=connection).compile(due.where)
    model = candidates.model
    quote = connection.ops.quote_name
    assignments, assignment_params = [], []
    for name, value in values.items():
        field = _concrete(model, name)
        assignments.append(f"{_quoted(field, connection)} = %s")
        assignment_params.append(field.get_db_prep_save(value, connection))
    # PostgreSQL runs an array subquery once, then fetches the ids through
    # the primary key; an IN (subquery) may be planned as a semi-join that
    # runs the locking subquery again for every due row. SQLite runs an IN
    # subquery once.
    among_picked = "= ANY(ARRAY({}))" if connection.vendor == "postgresql" else "IN ({})"
    table, pk = quote(model._meta.db_table), _quoted(model._meta.pk, connection)
    # Names from the model's metadata, quoted; every value a parameter.
    sql = (
        f"UPDATE {table} SET {', '.join(assignments)} "  # noqa: S608
        f"WHERE {table}.{pk} {among_picked.format(picked_sql)} AND {due_sql} RETURNING {pk}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*assignment_params, *picked_params, *due_params])
        return [pk for (pk,) in cursor.fetchall()]


def _require_legal(transitions: Mapping[Any, Iterable[str]], old: Iterable[str], new: str) -> None:
    """The sweep's move is one of the legal moves listed next to the status
    (STYLE.md "State"); anything else is a programming error."""
    olds = list(old)
    if not all(new in transitions.get(status, ()) for status in olds):
        raise InvalidTransition(f"{', '.join(olds)} -> {new} is not a legal move")


def _concrete(model: type[Model], name: str) -> Field:
    field = model._meta.get_field(name)
    assert isinstance(field, Field), f"{name} is not a column"
    return field


def _quoted(field: Field, connection: BaseDatabaseWrapper) -> str:
    # Concrete fields all have a column (the stubs allow None).
    return connection.ops.quote_name(cast(str, field.column))


def _in_chunks(work: Callable[[], int]) -> int:
    """Run ``work`` (one chunk, in its own transaction; returns how many rows
    it claimed) until it claims nothing or the run's time is up; returns how
    many rows were claimed in all.

    On PostgreSQL, outside a transaction, ``CLAIMERS`` connections do it at
    once: SKIP LOCKED keeps them on different rows, and most of a chunk's
    time is the database's (the rows, their indexes, the foreign-key
    checks at commit), which one connection spends on one core only.
    """
    connection = connections[router.db_for_write(UsageRequest)]
    if CLAIMERS < 2 or connection.in_atomic_block or not connection.features.has_select_for_update_skip_locked:
        return _claim_until_done(work)
    with ThreadPoolExecutor(CLAIMERS, thread_name_prefix="sweep") as pool:
        claimers = [pool.submit(_in_own_connection, work) for _ in range(CLAIMERS)]
        return sum(claimer.result() for claimer in claimers)


def _in_own_connection(work: Callable[[], int]) -> int:
    try:
        return _claim_until_done(work)
    finally:
        # This thread's connections, opened for it, go back now.
        connections.close_all()


def _claim_until_done(work: Callable[[], int]) -> int:
    done = 0
    stop_at = time.monotonic() + RUN_SECONDS
    while time.monotonic() < stop_at:
        with transaction.atomic():
            claimed = work()
        if not claimed:
            break
        done += claimed
    return done


def _record_events(model: type[TimelineEvent], parent: str, ids: list[int], kind: str, **data: Any) -> None:
    """One ``kind`` event row by the platform for each of ``ids`` (the
    ``parent`` request's or contract's), with ``data``.

    On PostgreSQL one ``INSERT … SELECT … FROM unnest(ids)``: about 8 ms a
    thousand rows, where ``bulk_create`` spends 65 ms building and quoting
    them in Python. Contract events also record the deliveries of the
    creators' webhooks (``webhook_deliveries_record_many``).
    """
    if not ids:
        return
    now = timezone.now()
    if model is ContractEvent:
        # The creators' webhooks hear of it in the same transaction.
        webhook_deliveries_record_many(contract_ids=ids, kind=kind, occurred_at=now)
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        fields: dict[str, Any] = {"kind": kind, "by": None, "by_party": PLATFORM, "data": data}
        model.objects.bulk_create(model(**{f"{parent}_id": pk}, **fields) for pk in ids)
        return
    written = [_concrete(model, name) for name in (parent, "kind", "by_party", "data", "created_at")]
    values = [kind, PLATFORM, data, now]
    prepared = [field.get_db_prep_save(value, connection) for field, value in zip(written[1:], values, strict=True)]
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} "  # noqa: S608 - names from the model
        f"({', '.join(_quoted(field, connection) for field in written)}) "
        f"SELECT id, {', '.join(['%s'] * len(prepared))} FROM unnest(%s::bigint[]) AS id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*prepared, ids])


# --- Requests -------------------------------------------------------------------------


def _due_for_expiry(now: datetime) -> QuerySet[UsageRequest]:
    return UsageRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES, expires_at__lte=now)


def _due_for_reminder(now: datetime) -> QuerySet[UsageRequest]:
    return UsageRequest.objects.filter(
        status__in=OPEN_REQUEST_STATUSES,
        reminded_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=now + REMIND_BEFORE,
    )


def _among(ids: list[int]) -> Any:
    """``ids`` for a ``pk__in`` filter: on PostgreSQL one array parameter (a
    thousand placeholders cost the driver more than the query)."""
    if connections[router.db_for_read(UsageRequest)].vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [ids])
    return ids


def _claimed_requests(ids: list[int], *more: str) -> list[dict[str, Any]]:
    """What the notifications about the claimed requests name (and the
    fields ``more``), as plain values: a thousand requests loaded as objects
    would cost more than the rest of the chunk."""
    facts = ("actor__user_id", "creator__user_id", "actor__stage_name", "creator__display_name", "project__title")
    return list(UsageRequest.objects.filter(pk__in=_among(ids)).order_by("pk").values("pk", *facts, *more))


def _request_notices(
    row: dict[str, Any], recipient_ids: tuple[int, ...], kind: NotificationKind, event: str
) -> list[Notice]:
    """What ``tell_party`` sends each recipient about a move: the same event
    key (telling twice sends once), parameters (``notification_params``)
    and link."""
    pk = row["pk"]
    params = {
        "project": row["project__title"],
        "actor": row["actor__stage_name"],
        "creator": row["creator__display_name"],
    }
    event_key, url = f"usage_request:{pk}:{event}", f"/requests/{pk}/"
    return [
        Notice(recipient_id, kind, event_key, params, target_model=UsageRequest, target_id=pk, url=url)
        for recipient_id in recipient_ids
    ]


def _expire_chunk(candidates: QuerySet[UsageRequest]) -> int:
    moment = timezone.now()
    ids = claim_chunk(candidates, status=RequestStatus.EXPIRED, closed_at=moment, updated_at=moment)
    if not ids:
        return 0
    _record_events(RequestEvent, "request", ids, RequestEvent.Kind.EXPIRED)
    notify_many(
        notice
        for row in _claimed_requests(ids)
        for notice in _request_notices(
            row, (row["actor__user_id"], row["creator__user_id"]), kinds.REQUEST_EXPIRED, "expired"
        )
    )
    return len(ids)


def usage_request_expire(*, request_id: int, now: datetime) -> bool:
    """Expire one request whose deadline (``expires_at <= now``) passed. False
    when it was accepted, declined, withdrawn or expired by someone else first."""
    _require_legal(REQUEST_TRANSITIONS, OPEN_REQUEST_STATUSES, RequestStatus.EXPIRED)
    with transaction.atomic():
        return bool(_expire_chunk(_due_for_expiry(now).filter(pk=request_id)))


def usage_requests_expire_due(*, now: datetime | None = None) -> int:
    """Expire every open request past its deadline. Returns how many this run
    expired (a concurrent run's are not counted twice)."""
    _require_legal(REQUEST_TRANSITIONS, OPEN_REQUEST_STATUSES, RequestStatus.EXPIRED)
    due = _due_for_expiry(now or timezone.now())
    return _in_chunks(lambda: _expire_chunk(due))


def _remind_chunk(candidates: QuerySet[UsageRequest], now: datetime) -> int:
    ids = claim_chunk(candidates, reminded_at=now)
    if not ids:
        return 0
    rows = _claimed_requests(ids, "status", "expires_at")
    notices = []
    awaiting: dict[str, list[int]] = {Party.ACTOR: [], Party.CREATOR: []}
    for row in rows:
        party = AWAITING_PARTY[row["status"]]
        awaiting[party].append(row["pk"])
        recipient_id = row["actor__user_id"] if party == Party.ACTOR else row["creator__user_id"]
        # One reminder per deadline: a new hand-over sets a new deadline.
        event = f"reminder:{int(row['expires_at'].timestamp())}"
        notices += _request_notices(row, (recipient_id,), kinds.REQUEST_REMINDER, event)
    for to, party_ids in awaiting.items():
        _record_events(RequestEvent, "request", party_ids, RequestEvent.Kind.REMINDED, to=to)
    notify_many(notices)
    return len(ids)


def usage_requests_remind_due(*, now: datetime | None = None) -> int:
    """Remind whoever must act on each open request due within
    ``REMIND_BEFORE``, once per deadline."""
    now = now or timezone.now()
    due = _due_for_reminder(now)
    return _in_chunks(lambda: _remind_chunk(due, now))


# --- Contracts ------------------------------------------------------------------------


def _close_contracts_chunk(
    candidates: QuerySet[Contract],
    *,
    new: str,
    kind: str,
    notification: NotificationKind,
    event: str,
    ended_at: datetime,
) -> int:
    """Move a chunk of ``candidates`` to ``new``, with a ``kind`` event row
    each, and tell both parties what ``_tell`` would (the same event key
    ``contract:<id>:<event>``, parameters and link)."""
    ids = claim_chunk(candidates, status=new, ended_at=ended_at)
    if not ids:
        return 0
    _record_events(ContractEvent, "contract", ids, kind)
    rows = (
        Contract.objects.filter(pk__in=_among(ids))
        .order_by("pk")
        .values(
            "pk",
            "licence_code",
            "actor__user_id",
            "creator__user_id",
            "actor__stage_name",
            "creator__display_name",
            "project__title",
        )
    )
    notify_many(
        Notice(
            recipient_id=recipient_id,
            kind=notification,
            event_key=f"contract:{row['pk']}:{event}",
            params={
                "code": row["licence_code"],
                "project": row["project__title"],
                "actor": row["actor__stage_name"],
                "creator": row["creator__display_name"],
            },
            target_model=Contract,
            target_id=row["pk"],
            url=f"/contracts/{row['pk']}/",
        )
        for row in rows
        for recipient_id in (row["actor__user_id"], row["creator__user_id"])
    )
    return len(ids)


def contracts_cancel_unsigned(*, now: datetime | None = None) -> int:
    """Cancel contracts not signed by both parties by their deadline."""
    _require_legal(CONTRACT_TRANSITIONS, [ContractStatus.AWAITING_SIGNATURES], ContractStatus.CANCELLED)
    now = now or timezone.now()
    due = Contract.objects.filter(status=ContractStatus.AWAITING_SIGNATURES, sign_deadline__lte=now)
    return _in_chunks(
        lambda: _close_contracts_chunk(
            due,
            new=ContractStatus.CANCELLED,
            kind=ContractEvent.Kind.CANCELLED,
            notification=kinds.CONTRACT_CANCELLED,
            event="cancelled",
            ended_at=now,
        )
    )


def contracts_complete_ended(*, now: datetime | None = None) -> int:
    """Complete active contracts whose last licensed day has passed."""
    _require_legal(CONTRACT_TRANSITIONS, [ContractStatus.ACTIVE], ContractStatus.COMPLETED)
    today = timezone.localdate(now or timezone.now())
    ended = Contract.objects.filter(status=ContractStatus.ACTIVE, term_end__lt=today)
    return _in_chunks(
        lambda: _close_contracts_chunk(
            ended,
            new=ContractStatus.COMPLETED,
            kind=ContractEvent.Kind.COMPLETED,
            notification=kinds.CONTRACT_COMPLETED,
            event="completed",
            ended_at=timezone.now(),
        )
    )
