"""Text search, relevance tiers, orderings and cursors of the roster.

The design (what matches, how tiers and keyset pagination work, what a cursor
holds) is described in ``creators.selectors.roster``, whose ``roster_search``
is the one entry point; this module holds its parts that depend on the
database and on the sort, and depends on nothing of the roster module.
"""

# RawQuerySet is not subscriptable at runtime; its annotations stay strings.
from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.lookups import DataContains, TrigramSimilar
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.core import signing
from django.db import connection
from django.db.models import (
    Case,
    DateTimeField,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Lower
from django.db.models.lookups import Contains
from django.db.models.query import RawQuerySet

from actors.models import ActorProfile
from actors.selectors import with_primary_thumbnail
from actors.services.profile import cjk_bigrams

SORT_RELEVANCE = "relevance"
SORT_NEWEST = "newest"
SORT_FEE = "fee"
SORTS = (SORT_RELEVANCE, SORT_NEWEST, SORT_FEE)

_CURSOR_SALT = "creators.roster.cursor"
# 2: relevance cursors carry (tier, key); version 1 cursors are rejected.
_CURSOR_VERSION = 2
# Relevance tiers, highest first.
_TIER_NAME = 1  # the stage name matches the search
_TIER_OTHER = 0  # anything else that matches

# The boundary row's key as a query compares it: created_at (newest), the fee
# key (fee), (tier, score) or (tier, created_at) (relevance).
SortKey = datetime | Decimal | tuple[int, float] | tuple[int, datetime]
# The same key as the cursor's JSON carries it (see key_of).
CursorKey = str | list[Any]


class BadCursor(Exception):
    """The cursor is tampered, truncated, foreign or of an older format."""


def _words(q: str) -> list[str]:
    return q.lower().split()


def _short(q: str) -> bool:
    """Too short for trigrams: fewer than three characters without spaces."""
    return len("".join(q.split())) < 3


def _substrings(q: str) -> Q:
    """Every word of ``q`` is a substring of the actor's search document."""
    condition = Q()
    for word in _words(q):
        condition &= Q(search_document__contains=word)
    return condition


def search_condition(q: str) -> Q:
    """An actor matches the search ``q`` (see the roster module docstring)."""
    substrings = _substrings(q)
    if connection.vendor != "postgresql":
        return substrings
    pairs = _cjk_pairs_query(q)
    if pairs is not None:
        # Chinese: every character pair of the query is an indexed word of the
        # vector (actors' search_ngrams), so the GIN index finds the few
        # candidates; the substring test on those keeps the match exact.
        return Q(search_vector=pairs) & substrings
    if _short(q):
        return substrings
    return Q(search_vector=_text_query(q)) | Q(_similar_name(q)) | substrings


def _text_query(q: str) -> SearchQuery:
    return SearchQuery(q, config="simple", search_type="websearch")


def _similar_name(q: str) -> TrigramSimilar:
    """The lower-cased stage name is trigram-similar to ``q`` (a typo)."""
    return TrigramSimilar(Lower("stage_name"), Value(" ".join(_words(q))))


def _name_condition(q: str, *, indexed: bool = True) -> Q:
    """Tier 1 of relevance: the stage name matches ``q``.

    Everywhere: every word of ``q`` is a substring of the lower-cased stage
    name. On PostgreSQL, also (unless ``q`` is Chinese or short, as for the
    match itself) a stage name trigram-similar to ``q``, so typos rank first.
    Each test is served by an index there: a word of three or more characters
    by the trigram index on lower(stage_name) (actors/0003), a two-character
    word by the index of the name's character pairs (actors/0006). The pairs
    test only leads PostgreSQL to that index (for a two-character word it is
    true exactly when the LIKE is); ``indexed=False`` leaves it out where the
    condition is tested row by row, as it is costly to compute."""
    condition = Q()
    postgresql = connection.vendor == "postgresql"
    for word in _words(q):
        if postgresql and indexed and len(word) == 2:
            condition &= Q(DataContains(_name_pairs(), Value([word], output_field=ArrayField(TextField()))))
        condition &= Q(Contains(Lower("stage_name"), word))
    if postgresql and _cjk_pairs_query(q) is None and not _short(q):
        condition |= Q(_similar_name(q))
    return condition


def _name_pairs() -> Func:
    """The expression of the GIN index actor_stage_name_pairs (actors/0006)."""
    return Func(Lower("stage_name"), function="actor_name_pairs", output_field=ArrayField(TextField()))


def _other_condition(q: str) -> Q:
    """Tier 0 of relevance: everything else that matches ``q``. A stage name
    trigram-similar to ``q`` is tier 1, so that branch of the match is left
    out here; what remains is cheap to test row by row, which is what the walk
    of the newest index does."""
    substrings = _substrings(q)
    if connection.vendor == "postgresql":
        pairs = _cjk_pairs_query(q)
        if pairs is not None:
            substrings = Q(search_vector=pairs) & substrings
        elif not _short(q):
            substrings = Q(search_vector=_text_query(q)) | substrings
    return substrings & ~_name_condition(q, indexed=False)


def _cjk_pairs_query(q: str) -> SearchQuery | None:
    """All character pairs of the Chinese runs in ``q`` (AND), or None when
    ``q`` has no run of two or more Chinese characters."""
    pairs = [gram for gram in cjk_bigrams(q) if len(gram) == 2]
    if not pairs:
        return None
    query = None
    for gram in dict.fromkeys(pairs):
        part = SearchQuery(gram, config="simple", search_type="plain")
        query = part if query is None else query & part
    return query


def _score_expression(q: str) -> Case | Value:
    """Relevance within tier 1 (the stage name matches, a few rows): on
    PostgreSQL, full-text matches first, by ts_rank (stage name weighs most);
    then the rest by the trigram similarity of the stage name (typos). On
    SQLite every tier-1 row scores 1, so the id alone orders them."""
    if connection.vendor == "postgresql":
        text = _text_query(q)
        return Case(
            When(search_vector=text, then=Value(1.0) + Cast(SearchRank(F("search_vector"), text), FloatField())),
            default=Cast(TrigramSimilarity(Lower("stage_name"), " ".join(_words(q))), FloatField()),
            output_field=FloatField(),
        )
    return Value(1.0, output_field=FloatField())


def relevance_rows(
    queryset: QuerySet[ActorProfile],
    q: str,
    key: SortKey | None,
    pk: int | None,
    *,
    forward: bool,
    limit: int,
) -> QuerySet[ActorProfile] | RawQuerySet[ActorProfile]:
    """At most ``limit`` rows of ``queryset`` matching ``q``, in relevance
    order, after (or, backwards, before) the row at (``key``, ``pk``); ``key``
    is a (tier, value) pair, or None (with ``pk``) for the first page.

    The order is (tier desc, key desc, id desc): tier 1 (the stage name
    matches) by score, then tier 0 (the rest) by created_at, newest first. Each
    tier is a query of its own with its own ORDER BY and LIMIT, so PostgreSQL
    scores the few tier-1 rows and walks the (is_listed, -created_at, -id)
    index for tier 0, stopping after ``limit`` matches, however many actors
    match. A cursor in tier 0 going forward needs no tier-1 part; one in tier
    1 going backwards needs no tier-0 part; otherwise both parts are one
    statement (a CTE and a UNION ALL, valid on PostgreSQL and SQLite).
    """
    tier, value = key if isinstance(key, tuple) and pk is not None else (None, None)
    boundary = None if pk is None else (value, pk)
    parts = []
    if tier != _TIER_OTHER or not forward:
        parts.append(_name_tier(queryset, q, boundary if tier == _TIER_NAME else None, forward=forward))
    if tier != _TIER_NAME or forward:
        parts.append(_other_tier(queryset, q, boundary if tier == _TIER_OTHER else None, forward=forward))
    parts = [with_primary_thumbnail(part)[:limit] for part in parts]
    if len(parts) == 1:
        return parts[0]
    # Both tiers: the one that comes first in this direction, then the other.
    first, then = parts if forward else parts[::-1]
    return _first_then(first, then, forward=forward, limit=limit)


def _name_tier(
    queryset: QuerySet[ActorProfile], q: str, after: tuple[Any, int] | None, *, forward: bool
) -> QuerySet[ActorProfile]:
    """Tier 1, scored, in (score, id) order, after the (score, id) ``after``."""
    top = queryset.filter(_name_condition(q)).annotate(
        tier=Value(_TIER_NAME, output_field=IntegerField()),
        score=_score_expression(q),
        newest=Cast(Value(None), DateTimeField()),
    )
    if after is not None:
        score, pk = after
        if forward:
            top = top.filter(Q(score__lt=score) | Q(score=score, id__lt=pk))
        else:
            top = top.filter(Q(score__gt=score) | Q(score=score, id__gt=pk))
    return top.order_by(*(["-score", "-id"] if forward else ["score", "id"]))


def _other_tier(
    queryset: QuerySet[ActorProfile], q: str, after: tuple[Any, int] | None, *, forward: bool
) -> QuerySet[ActorProfile]:
    """Tier 0 in the newest order, after the (created_at, id) ``after``."""
    rest = queryset.filter(_other_condition(q)).annotate(
        tier=Value(_TIER_OTHER, output_field=IntegerField()),
        score=Cast(Value(0.0), FloatField()),
        newest=F("created_at"),
    )
    if after is not None:
        created_at, pk = after
        rest = rest.filter(after_row(SORT_NEWEST, created_at, pk, forward=forward))
    return rest.order_by(*ordering(SORT_NEWEST, forward=forward))


def _first_then(
    first: QuerySet[ActorProfile], then: QuerySet[ActorProfile], *, forward: bool, limit: int
) -> RawQuerySet[ActorProfile]:
    """The rows of ``first``, then those of ``then`` if the page is still
    short: one statement, in (tier, score, newest, id) order."""
    first_sql, first_params = first.query.sql_with_params()
    then_sql, then_params = then.query.sql_with_params()
    direction = "DESC" if forward else "ASC"
    order = ", ".join(
        f"{connection.ops.quote_name(column)} {direction}" for column in ("tier", "score", "newest", "id")
    )
    # The CTE is computed once (PostgreSQL materializes a CTE used twice).
    # The second tier runs only when the first left the page short (a
    # one-time filter: not executed at all otherwise). Without that gate, a
    # search whose matches are nearly all stage-name matches ("maya") would
    # walk the whole newest index for a tier 0 that is empty. Only SQL the ORM
    # compiled goes into the text; every value (the search too) is a parameter.
    sql = (
        f"WITH first_tier AS ({first_sql}) "  # noqa: S608
        f"SELECT * FROM first_tier UNION ALL "
        f"SELECT * FROM ({then_sql}) AS then_tier WHERE (SELECT COUNT(*) FROM first_tier) < %s "
        f"ORDER BY {order} LIMIT %s"
    )
    return ActorProfile.objects.raw(sql, (*first_params, *then_params, limit, limit))


_KEY_FIELD = {SORT_NEWEST: "created_at", SORT_FEE: "fee_key"}


def ordering(sort: str, *, forward: bool) -> list[str]:
    """ORDER BY of the newest or fee sort, walked forward or backward."""
    key = _KEY_FIELD[sort]
    if sort == SORT_FEE:
        return [key, "id"] if forward else [f"-{key}", "-id"]
    return [f"-{key}", "-id"] if forward else [key, "id"]


def after_row(sort: str, key: Any, pk: int, *, forward: bool) -> Q:
    """Rows strictly after (forward) or before (backward) the row (key, pk)
    of the newest or fee sort."""
    if sort == SORT_FEE:
        # As for "newest", the redundant bound starts the index range scan of
        # actor_listed_fee_idx at the cursor.
        if forward:
            return Q(fee_key__gte=key) & (Q(fee_key__gt=key) | Q(fee_key=key, id__gt=pk))
        return Q(fee_key__lte=key) & (Q(fee_key__lt=key) | Q(fee_key=key, id__lt=pk))
    # The redundant bound lets PostgreSQL start the (is_listed, -created_at,
    # -id) index scan at the cursor instead of filtering every row before it.
    if forward:
        return Q(created_at__lte=key) & (Q(created_at__lt=key) | Q(created_at=key, id__lt=pk))
    return Q(created_at__gte=key) & (Q(created_at__gt=key) | Q(created_at=key, id__gt=pk))


def key_of(sort: str, actor: ActorProfile) -> CursorKey:
    """The cursor key of ``actor``, a row of a page in ``sort``."""
    if sort == SORT_NEWEST:
        return actor.created_at.isoformat()
    # fee_key, tier and score are annotations of the page's query, unknown to
    # the model's stubs.
    if sort == SORT_FEE:
        return str(actor.fee_key)  # type: ignore[attr-defined]
    if actor.tier == _TIER_NAME:  # type: ignore[attr-defined]
        return [_TIER_NAME, float(actor.score)]  # type: ignore[attr-defined]
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
        # Relevance: [tier, score] in tier 1, [tier, created_at] in tier 0.
        if not isinstance(raw, list) or len(raw) != 2 or isinstance(raw[0], bool):
            raise BadCursor
        tier, value = raw
        if tier == _TIER_OTHER:
            return (_TIER_OTHER, _parse_moment(value))
        if tier != _TIER_NAME or isinstance(value, bool) or not isinstance(value, int | float):
            raise BadCursor
        return (_TIER_NAME, float(value))
    except (TypeError, ValueError, InvalidOperation) as exc:
        raise BadCursor from exc


def _parse_moment(raw: object) -> datetime:
    if not isinstance(raw, str):
        raise BadCursor
    moment = datetime.fromisoformat(raw)
    if moment.tzinfo is None:
        raise BadCursor
    return moment


def encode_cursor(fingerprint: str, sort: str, key: CursorKey, pk: int, *, direction: str) -> str:
    """A signed cursor at the row (``key``, ``pk``) of the search whose
    parameters have ``fingerprint``; ``direction`` is "n" (next) or "p"."""
    payload = {"v": _CURSOR_VERSION, "s": sort, "d": direction, "k": key, "i": pk, "h": fingerprint}
    return signing.dumps(payload, salt=_CURSOR_SALT, compress=True)


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
    parse_key(sort, payload.get("k"))
    return payload
