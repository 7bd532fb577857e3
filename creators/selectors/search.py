"""Text search, relevance tiers, orderings and cursors of the roster.

The design (what matches, how tiers and keyset pagination work, what a cursor
holds) is described in ``creators.selectors.roster``, whose ``roster_search``
is the one entry point; this module holds its parts that depend on the
database and on the sort, and depends on nothing of the roster module.
"""

# RawQuerySet is not subscriptable at runtime; its annotations stay strings.
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.lookups import DataContains
from django.core import signing
from django.db import connection
from django.db.models import F, Func, IntegerField, Q, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.db.models.functions import Concat, StrIndex, Substr
from django.db.models.lookups import Contains, GreaterThan
from django.db.models.query import RawQuerySet

from actors.models import ActorProfile
from actors.search import NAME_GRAM_PREFIX, is_cjk
from actors.selectors import with_primary_thumbnail
from creators.selectors.query import ParsedSearch, Unit

SORT_RELEVANCE = "relevance"
SORT_NEWEST = "newest"
SORT_FEE = "fee"
SORTS = (SORT_RELEVANCE, SORT_NEWEST, SORT_FEE)

_CURSOR_SALT = "creators.roster.cursor"
# 2: relevance cursors carry (tier, key); version 1 cursors are rejected.
_CURSOR_VERSION = 2
# Relevance tiers, highest first.
TIER_NAME = _TIER_NAME = 1  # the stage name matches the search
TIER_OTHER = _TIER_OTHER = 0  # anything else that matches
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The largest count a cursor may carry (the roster counts to a hundred and one).
_MAX_COUNT = 1_000_000

# The boundary row's key as a query compares it: created_at (newest, and
# both relevance tiers, with the tier) or the fee key (fee).
SortKey = datetime | Decimal | tuple[int, datetime]
# The same key as the cursor's JSON carries it (see key_of).
CursorKey = str | list[Any]

NAME, REST = "name", "rest"


class BadCursor(Exception):
    """The cursor is tampered, truncated, foreign or of an older format."""


# --- What matches: the units of a search, in the stored text ---------------------------


def _part(part: str) -> Func:
    """The stage-name line or the rest of ``search_document``: on PostgreSQL
    the functions its indexes are on (actors.search_index), on SQLite the
    same in its own functions."""
    if connection.vendor == "postgresql":
        return Func(F("search_document"), function=f"actor_search_{part}", output_field=TextField())
    line_end = StrIndex(Concat(F("search_document"), Value("\n"), output_field=TextField()), Value("\n"))
    if part == NAME:
        return Substr(F("search_document"), 1, line_end - 1, output_field=TextField())
    return Substr(F("search_document"), line_end + 1, output_field=TextField())


def _phrase(text: str) -> str:
    """An FTS5 phrase: a substring, for the trigram tokenizer (SQLite)."""
    return '"' + text.replace('"', '""') + '"'


def _in_fts(columns: str, text: str) -> Q:
    """``text`` is in those ``columns`` of the SQLite FTS5 table."""
    match = f"{columns} : {_phrase(text)}"
    return Q(pk__in=RawSQL("SELECT rowid FROM actors_search_fts WHERE actors_search_fts MATCH %s", [match]))


def _found(part: str, text: str) -> Q:
    """``text`` is a substring of the ``part`` of the actor's search text.

    PostgreSQL finds it through an index: the trigram index of the part for
    three characters or more, the gram keys (``search_grams``) for one or two
    (every character and pair of the stage name; Chinese characters and every
    pair of the rest: a lone Latin letter of the rest has no key, and every
    actor has one anyway). The cheap substring test comes first, so that a
    walk along another index checks the keys of the few rows that pass only.
    SQLite looks words of three characters or more up in its FTS5 table."""
    postgresql = connection.vendor == "postgresql"
    if len(text) >= 3:
        return Q(Contains(_part(part), text)) if postgresql else _in_fts(part, text)
    substring = Q(GreaterThan(StrIndex(_part(part), Value(text)), 0))
    if not postgresql or (part == REST and not (len(text) == 2 or is_cjk(text))):
        return substring
    key = NAME_GRAM_PREFIX + text if part == NAME else text
    grams = Func(F("search_grams"), function="actor_search_keys", output_field=ArrayField(TextField()))
    return substring & Q(DataContains(grams, Value([key], output_field=ArrayField(TextField()))))


def _in_document(unit: Unit) -> Q:
    """SQLite: some alternative of ``unit`` is in the search text, name or
    rest (no alternative holds a line break): its FTS5 table, both columns."""
    condition = Q()
    for text in unit.alternatives:
        if len(text) >= 3:
            condition |= _in_fts("{name rest}", text)
        else:
            condition |= Q(GreaterThan(StrIndex(F("search_document"), Value(text)), 0))
    return condition


def _unit_in(part: str, unit: Unit) -> Q:
    condition = Q()
    for text in unit.alternatives:
        condition |= _found(part, text)
    return condition


def search_condition(parsed: ParsedSearch) -> Q:
    """An actor matches the search: each unit is in the stage name or the
    rest (on PostgreSQL the two tests the search indexes serve)."""
    condition = Q()
    for unit in parsed.units:
        if connection.vendor == "postgresql":
            condition &= _unit_in(NAME, unit) | _unit_in(REST, unit)
        else:
            condition &= _in_document(unit)
    return condition


def name_condition(parsed: ParsedSearch) -> Q:
    """Tier 1 of relevance: every unit is in the stage name."""
    condition = Q()
    for unit in parsed.units:
        condition &= _unit_in(NAME, unit)
    return condition


def other_condition(parsed: ParsedSearch) -> Q:
    """Tier 0: the actor matches and some unit is not in the stage name
    (so it is in the rest), written as "for some unit: in the rest and not
    in the name, and every other unit anywhere". Each part is what an index
    finds (the rest of the text holds no mention of the stage name,
    actors.search, so for "王" or "maya" the rest's index finds the few
    actors who have the word elsewhere, not every actor whose name has it),
    and none repeats another, so the planner's estimate of how many actors
    match (a walk or a fetch of the few) is not divided by a redundant test."""
    condition = Q()
    for unit in parsed.units:
        only_elsewhere = _unit_in(REST, unit) & ~_unit_in(NAME, unit)
        for other in parsed.units:
            if other is not unit:
                only_elsewhere &= _unit_in(NAME, other) | _unit_in(REST, other)
        condition |= only_elsewhere
    return condition


def walk_tests(parsed: ParsedSearch) -> dict[str, Q]:
    """PostgreSQL: the same three tests (the match, tier 1, tier 0) in their
    cheapest form, for rows an index walk reads one by one (no index serves
    them, and none needs one): a substring of the whole text or of its first
    line, never of the rest, since a unit is in the rest of a match that
    does not have it in the name."""
    match, name = Q(), Q()
    for unit in parsed.units:
        anywhere, in_name = Q(), Q()
        for text in unit.alternatives:
            anywhere |= Q(GreaterThan(StrIndex(F("search_document"), Value(text)), 0))
            in_name |= Q(GreaterThan(StrIndex(_part(NAME), Value(text)), 0))
        match &= anywhere
        name &= in_name
    return {"match": match, "name": name, "other": match & ~name}


# --- Relevance: tier 1, then tier 0, each newest first ------------------------------


def relevance_rows(
    queryset: QuerySet[ActorProfile],
    parsed: ParsedSearch,
    key: SortKey | None,
    pk: int | None,
    *,
    forward: bool,
    limit: int,
    total: RawSQL | None = None,
) -> QuerySet[ActorProfile] | RawQuerySet[ActorProfile]:
    """At most ``limit`` rows of ``queryset`` matching ``parsed``, in
    relevance order, after (or, backwards, before) the row at (``key``,
    ``pk``); ``key`` is a (tier, created_at) pair, or None (with ``pk``) for
    the first page.

    The order is (tier desc, created_at desc, id desc): both tiers are the
    newest order restricted to their matches, each a query of its own with
    its own ORDER BY and LIMIT, so PostgreSQL walks the (is_listed,
    -created_at, -id) index for a common word and stops after ``limit``
    matches, or fetches the few matches of a rare one through the search
    indexes, whichever its statistics say is cheaper. A cursor in tier 0
    going forward needs no tier-1 part; one in tier 1 going backwards needs
    no tier-0 part; otherwise both parts are one statement (a CTE and a
    UNION ALL, valid on PostgreSQL and SQLite). ``total``, a scalar
    subquery, comes on every row as ``roster_total``, computed once.
    """
    tier, moment = key if isinstance(key, tuple) and pk is not None else (None, None)
    parts = []
    if tier != _TIER_OTHER or not forward:
        after = (moment, pk) if tier == _TIER_NAME else None
        parts.append(_tier(queryset.filter(name_condition(parsed)), _TIER_NAME, after, forward=forward))
    if tier != _TIER_NAME or forward:
        after = (moment, pk) if tier == _TIER_OTHER else None
        parts.append(_tier(queryset.filter(other_condition(parsed)), _TIER_OTHER, after, forward=forward))
    parts = [with_primary_thumbnail(part)[:limit] for part in parts]
    if len(parts) == 1:
        return parts[0] if total is None else parts[0].annotate(roster_total=total)
    # Both tiers: the one that comes first in this direction, then the other.
    first, then = parts if forward else parts[::-1]
    return _first_then(first, then, forward=forward, limit=limit, total=total)


def _tier(
    rows: QuerySet[ActorProfile], tier: int, after: tuple[Any, int | None] | None, *, forward: bool
) -> QuerySet[ActorProfile]:
    """The rows of one tier in the newest order, after the (created_at, id) ``after``."""
    rows = rows.annotate(tier=Value(tier, output_field=IntegerField()))
    if after is not None and after[1] is not None:
        rows = rows.filter(after_row(SORT_NEWEST, after[0], after[1], forward=forward))
    return rows.order_by(*ordering(SORT_NEWEST, forward=forward))


def _first_then(
    first: QuerySet[ActorProfile],
    then: QuerySet[ActorProfile],
    *,
    forward: bool,
    limit: int,
    total: RawSQL | None,
) -> RawQuerySet[ActorProfile]:
    """The rows of ``first``, then those of ``then`` if the page is still
    short: one statement, in (tier, created_at, id) order."""
    first_sql, first_params = first.query.sql_with_params()
    then_sql, then_params = then.query.sql_with_params()
    direction = "DESC" if forward else "ASC"
    columns = ("tier", "created_at", "id")
    order = ", ".join(f"{connection.ops.quote_name(column)} {direction}" for column in columns)
    total_sql, total_params = ("", ()) if total is None else (f", ({total.sql}) AS roster_total", tuple(total.params))
    # The CTE is computed once (PostgreSQL materializes a CTE used twice).
    # The second tier runs only when the first left the page short (a
    # one-time filter: not executed at all otherwise). The total is counted
    # once, for the page. Only SQL the ORM compiled goes into the text;
    # every value (the search too) is a parameter.
    sql = (
        f"WITH first_tier AS ({first_sql}) "  # noqa: S608
        f"SELECT page.*{total_sql} FROM (SELECT * FROM first_tier UNION ALL "
        f"SELECT * FROM ({then_sql}) AS then_tier WHERE (SELECT COUNT(*) FROM first_tier) < %s "
        f"ORDER BY {order} LIMIT %s) AS page ORDER BY {order}"
    )
    return ActorProfile.objects.raw(sql, (*first_params, *total_params, *then_params, limit, limit))


# --- Orders and cursors -----------------------------------------------------------------


_KEY_FIELD = {SORT_NEWEST: "created_at", SORT_FEE: "fee_key"}


def ordering(sort: str, *, forward: bool) -> list[str]:
    """ORDER BY of the newest or fee sort, walked forward or backward."""
    key = _KEY_FIELD[sort]
    if sort == SORT_FEE:
        return [key, "id"] if forward else [f"-{key}", "-id"]
    return [f"-{key}", "-id"] if forward else [key, "id"]


def after_row(sort: str, key: Any, pk: int, *, forward: bool) -> Q:
    """Rows strictly after (forward) or before (backward) the row (key, pk)
    of the newest or fee sort. A row comparison, ``(key, id) > (k, pk)``: on
    PostgreSQL the index range scan starts exactly there, however many rows
    share the key (fees repeat a lot); SQLite spells it out."""
    columns = Tuple(F(_KEY_FIELD[sort]), F("id"))
    if sort == SORT_FEE:
        return Q(TupleGreaterThan(columns, (key, pk)) if forward else TupleLessThan(columns, (key, pk)))
    return Q(TupleLessThan(columns, (key, pk)) if forward else TupleGreaterThan(columns, (key, pk)))


def key_of(sort: str, actor: ActorProfile) -> CursorKey:
    """The cursor key of ``actor``, a row of a page in ``sort``."""
    if sort == SORT_NEWEST:
        return actor.created_at.isoformat()
    # fee_key and tier are annotations of the page's query, unknown to the
    # model's stubs.
    if sort == SORT_FEE:
        return str(actor.fee_key)  # type: ignore[attr-defined]
    if actor.tier == _TIER_NAME:  # type: ignore[attr-defined]
        # Tier 1 carries its created_at as a number, whole microseconds since
        # 1970 (exact in a float): version 2 cursors held a number there.
        return [_TIER_NAME, (actor.created_at - _EPOCH) // timedelta(microseconds=1)]
    return [_TIER_OTHER, actor.created_at.isoformat()]


def parse_key(sort: str, raw: object) -> SortKey:
    """The key a cursor carries, as the query compares it; raises BadCursor."""
    try:
        if sort == SORT_NEWEST:
            return _parse_moment(raw)
        if sort == SORT_FEE:
            if not isinstance(raw, str):
                raise BadCursor
            return Decimal(raw)
        # Relevance: [tier, created_at]: in microseconds in tier 1, as text in 0.
        if not isinstance(raw, list) or len(raw) != 2 or isinstance(raw[0], bool):
            raise BadCursor
        tier, value = raw
        if tier == _TIER_OTHER:
            return (_TIER_OTHER, _parse_moment(value))
        if tier != _TIER_NAME or isinstance(value, bool) or not isinstance(value, int | float):
            raise BadCursor
        return (_TIER_NAME, _EPOCH + timedelta(microseconds=round(value)))
    except (TypeError, ValueError, InvalidOperation, OverflowError) as exc:
        raise BadCursor from exc


def _parse_moment(raw: object) -> datetime:
    if not isinstance(raw, str):
        raise BadCursor
    moment = datetime.fromisoformat(raw)
    if moment.tzinfo is None:
        raise BadCursor
    return moment


def encode_cursor(
    fingerprint: str,
    sort: str,
    key: CursorKey,
    pk: int,
    *,
    direction: str,
    widened: bool = False,
    count: int | None = None,
    others: int | None = None,
) -> str:
    """A signed cursor at the row (``key``, ``pk``) of the search whose
    parameters have ``fingerprint``; ``direction`` is "n" (next) or "p";
    ``widened``: the search's typos were corrected (the roster's docstring);
    ``count``: how many actors page 1 counted, for the pages after it;
    ``others``: what page 1 found of tier 0 (``creators.selectors.bounded``)."""
    payload: dict[str, Any] = {"v": _CURSOR_VERSION, "s": sort, "d": direction, "k": key, "i": pk, "h": fingerprint}
    if widened:
        payload["c"] = True
    if count is not None:
        payload["n"] = count
    if others is not None:
        payload["o"] = others
    return signing.dumps(payload, salt=_CURSOR_SALT, compress=True)


def carried_sql(value: int | None) -> RawSQL:
    """A number a cursor carries (``decode_cursor`` checked it is a whole
    number in range), or NULL without one, as a page's statement reads it."""
    return RawSQL("NULL" if value is None else str(int(value)), [], output_field=IntegerField())  # noqa: S611


def decode_cursor(cursor: str, *, fingerprint: str, sort: str) -> dict[str, Any]:
    """The payload of ``cursor``; raises BadCursor unless it was made by
    encode_cursor for this search (``fingerprint``) and ``sort``."""
    if len(cursor) > 500:
        raise BadCursor
    try:
        payload = signing.loads(cursor, salt=_CURSOR_SALT)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise BadCursor from exc
    if not isinstance(payload, dict) or payload.get("v") != _CURSOR_VERSION:
        raise BadCursor
    if payload.get("s") != sort or payload.get("h") != fingerprint or payload.get("d") not in ("n", "p"):
        raise BadCursor
    if isinstance(payload.get("i"), bool) or not isinstance(payload.get("i"), int):
        raise BadCursor
    if payload.get("c", False) is not True and "c" in payload:
        raise BadCursor
    for counted in (payload.get("n", 0), payload.get("o", 0)):
        if isinstance(counted, bool) or not isinstance(counted, int) or not 0 <= counted <= _MAX_COUNT:
            raise BadCursor
    parse_key(sort, payload.get("k"))
    return payload
