"""PostgreSQL: a page of search matches whose cost does not hang on the
planner's guess of how many actors a search matches.

Left alone, the planner chooses from its statistics between walking the
order's index and testing each row until the page is full (cheap when many
actors match) and fetching every match through the search indexes, then
sorting (cheap when few do). For what its statistics cannot see (a rare pair
of characters, a vocabulary alternative, a word of the rest that is only in
names) it guesses a few thousand matches and walks: with none there, it reads
the whole table, a second instead of milliseconds. So every part of a page
is asked for in both ways, bounded:

* walked: the matches among the next ``WINDOW`` rows of the order's index,
  tested in their cheapest form (``creators.selectors.search.walk_tests``);
  the walk stops as soon as the page is full and never reads more than
  ``WINDOW`` rows;
* fetched, only when the walk found fewer than a page: every match after the
  cursor, through the search indexes, sorted by the order's key written so
  that no index serves it (so the planner cannot walk again).

A common word fills its page within a few hundred rows; a rare one costs the
window (a few milliseconds at a million actors) and the fetch of its few
matches; the worst case, about a page's worth of matches per ``WINDOW`` rows,
costs both. Every value is a parameter; only SQL the ORM compiled goes into
the text. Each level of the statement calls its rows "actors_actorprofile",
so conditions compiled for the model apply to them unchanged.
"""

# RawQuerySet is not subscriptable at runtime; its annotations stay strings.
from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection
from django.db.models import DateTimeField, DecimalField, ExpressionWrapper, F, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.query import RawQuerySet

from actors.models import ActorProfile, SearchTerm, fee_sort_key
from actors.search import is_lexicon_shaped
from actors.selectors import listed_actor_user, with_primary_thumbnail
from creators.selectors.query import ParsedSearch
from creators.selectors.search import (
    SORT_FEE,
    SORT_NEWEST,
    TIER_NAME,
    TIER_OTHER,
    name_condition,
    ordering,
    other_condition,
    search_condition,
    walk_tests,
)

WINDOW = 4000
_TABLE = '"actors_actorprofile"'
# What the walk tests read besides what the page shows; the large columns
# the walk never reads stay behind.
_WALK_ONLY = ("user_id", "search_document", "min_fee_usd")


def _where(condition: Q) -> tuple[str, list[Any]]:
    """``condition`` compiled for rows called "actors_actorprofile"."""
    query = ActorProfile.objects.filter(condition).query
    sql, params = query.get_compiler(connection=connection).compile(query.where)
    return sql, list(params)


def _order_sql(order: list[str]) -> str:
    return ", ".join(
        f"{connection.ops.quote_name(name.lstrip('-'))} {'DESC' if name.startswith('-') else 'ASC'}" for name in order
    )


def _keyed(rows: QuerySet[ActorProfile], sort: str) -> QuerySet[ActorProfile]:
    return rows.annotate(fee_key=fee_sort_key()) if sort == SORT_FEE else rows


def _unwalkable(sort: str, *, forward: bool) -> list:
    """The order's key in a form no index serves (so only a sort can give it)."""
    if sort == SORT_FEE:
        key = ExpressionWrapper(F("fee_key") + Value(0), output_field=DecimalField())
        ascending = forward
    else:
        key = ExpressionWrapper(F("created_at") + Value(timedelta(0)), output_field=DateTimeField())
        ascending = not forward
    pk = ExpressionWrapper(F("id") + Value(0), output_field=DecimalField())
    return [key.asc(), pk.asc()] if ascending else [key.desc(), pk.desc()]


def _part(
    *, filters: Q, walk: Q, fetch: Q, after: Q | None, sort: str, forward: bool, columns: list[str], limit: int
) -> tuple[str, list[Any]]:
    """SQL of one ordered part of a page (the module docstring): at most
    ``limit`` rows (``columns``) matching, after the cursor condition ``after``."""
    order = ordering(sort, forward=forward)
    window = _keyed(ActorProfile.objects.filter(is_listed=True), sort)
    if after is not None:
        window = window.filter(after)
    window_sql, window_params = window.order_by(*order).values(*columns, *_WALK_ONLY)[:WINDOW].query.sql_with_params()
    test_sql, test_params = _where(walk & filters & Q(listed_actor_user()))
    fetched = _keyed(ActorProfile.objects.filter(is_listed=True).filter(listed_actor_user()), sort)
    fetched = fetched.filter(fetch & filters & (after or Q())).order_by(*_unwalkable(sort, forward=forward))
    fetched_sql, fetched_params = fetched.values(*columns)[:limit].query.sql_with_params()
    selected = ", ".join(connection.ops.quote_name(column) for column in columns)
    sql = (
        f"WITH walked AS MATERIALIZED (SELECT {selected} FROM ({window_sql}) AS {_TABLE} "  # noqa: S608
        f"WHERE {test_sql} ORDER BY {_order_sql(order)} LIMIT %s) "
        "SELECT * FROM walked WHERE (SELECT COUNT(*) FROM walked) >= %s "
        f"UNION ALL SELECT * FROM ({fetched_sql}) AS fetched WHERE (SELECT COUNT(*) FROM walked) < %s"
    )
    return sql, [*window_params, *test_params, limit, limit, *fetched_params, limit]


def search_rows(
    *,
    filters: Q,
    search: ParsedSearch,
    sort: str,
    tier: int | None,
    after: Q | None,
    forward: bool,
    limit: int,
    total: RawSQL,
    columns: list[str],
) -> RawQuerySet[ActorProfile]:
    """At most ``limit`` listed actors passing ``filters`` and matching
    ``search``, in ``sort`` (relevance: tier 1 then tier 0) after the cursor
    condition ``after`` (which applies to ``tier``), with ``primary_photo_id``
    and ``roster_total`` (``total``) on each row. One statement."""
    tests = walk_tests(search)
    columns = [*columns, "fee_key"] if sort == SORT_FEE else columns
    # Both relevance tiers are in the newest order.
    sort = SORT_FEE if sort == SORT_FEE else SORT_NEWEST
    wanted: list[tuple[int | None, Q, Q]]
    if tier is None:
        wanted = [(None, tests["match"], search_condition(search))]
    else:
        wanted = [
            (TIER_NAME, tests["name"], name_condition(search)),
            (TIER_OTHER, tests["other"], other_condition(search)),
        ]
        # Forward, tier 1 comes first, and a cursor in tier 0 needs no tier-1
        # part; backwards the other way round.
        wanted = [
            entry for entry in wanted if entry[0] is not None and (entry[0] <= tier if forward else entry[0] >= tier)
        ]
        wanted = wanted if forward else wanted[::-1]
    parts: list[tuple[int | None, str, list[Any]]] = []
    for number, walk, fetch in wanted:
        part_after = after if number == tier else None
        sql, params = _part(
            filters=filters,
            walk=walk,
            fetch=fetch,
            after=part_after,
            sort=sort,
            forward=forward,
            columns=columns,
            limit=limit,
        )
        parts.append((number, sql, params))
    return _page(parts, sort=sort, forward=forward, limit=limit, total=total, gate=_known_words(search))


def _known_words(search: ParsedSearch) -> tuple[str, list[Any]]:
    """SQL that is false when some word of ``search`` is in no document,
    because no lexicon word contains it (``actors.search.is_lexicon_shaped``):
    then the search has no match and its page reads nothing. A typo sent as
    it was typed ("Okafr") used to walk the newest rows for each tier
    before widening, 5 to 7 ms at 1,000,000 actors; the lexicon answers in
    a tenth of a millisecond. Words with corrections (lexicon words among
    their alternatives) and words of other shapes are not asked about."""
    tests: list[str] = []
    params: list[Any] = []
    for unit in search.units:
        if unit.corrections or not all(is_lexicon_shaped(text) for text in unit.alternatives):
            continue
        condition = Q()
        for text in unit.alternatives:
            condition |= Q(term__contains=text)
        sql, values = SearchTerm.objects.filter(condition).values("term")[:1].query.sql_with_params()
        tests.append(f"EXISTS ({sql})")
        params += values
    return " AND ".join(tests) or "TRUE", params


def _page(
    parts: list[tuple[int | None, str, list[Any]]],
    *,
    sort: str,
    forward: bool,
    limit: int,
    total: RawSQL,
    gate: tuple[str, list[Any]],
) -> RawQuerySet[ActorProfile]:
    """The parts one after the other (the second only if the first left the
    page short), with the thumbnail and the count on each row; none of
    them read unless ``gate`` (``_known_words``) holds."""
    thumbnails = with_primary_thumbnail(ActorProfile.objects.all()).query
    thumbnail_sql, thumbnail_params = thumbnails.get_compiler(connection=connection).compile(
        thumbnails.annotations["primary_photo_id"]
    )
    order = ordering(sort, forward=forward)
    ctes, unions, params = [], [], []
    gate_sql, gate_params = gate
    union_params: list[Any] = []
    for index, (tier, sql, part_params) in enumerate(parts):
        ctes.append(f"part{index} AS ({sql})")
        params += part_params
        # Literal integers only: the tier number and the page size.
        tier_sql = "" if tier is None else f", {int(tier)} AS tier"
        short = "" if index == 0 else f" AND (SELECT COUNT(*) FROM part0) < {int(limit)}"  # noqa: S608
        unions.append(f"SELECT *{tier_sql} FROM part{index} WHERE {gate_sql}{short}")  # noqa: S608
        union_params += gate_params
    if parts[0][0] is not None:
        order = [("-tier" if forward else "tier"), *order]
    order_sql = _order_sql(order)
    sql = (
        f"WITH {', '.join(ctes)} "  # noqa: S608
        f"SELECT {_TABLE}.*, ({thumbnail_sql}) AS primary_photo_id, ({total.sql}) AS roster_total "
        f"FROM ({' UNION ALL '.join(unions)} ORDER BY {order_sql} LIMIT %s) AS {_TABLE} ORDER BY {order_sql}"
    )
    return ActorProfile.objects.raw(sql, [*params, *thumbnail_params, *total.params, *union_params, limit])


def count_sql(*, filters: Q, search: ParsedSearch, limit: int) -> RawSQL:
    """How many listed actors pass ``filters`` and match ``search``, counted
    no further than ``limit``, by the cheapest of three ways that suffices:
    in the newest ``WINDOW`` rows; else among actors with every word in
    their stage name (a subset of the matches, found by one scan of the
    name's index, which intersects the words itself); else through the
    search indexes. In no order: a count needs none, and an ORDER BY made
    PostgreSQL fetch and sort every match and hash-join every user first
    (18 to 26 ms for "雨", "maya" or "Okafor" at 100,000 actors, against 0.5
    to 1 ms, a nested loop stopping at ``limit``). The name's count spares a
    widened search its most expensive part: at 1,000,000 actors "Lin Xaoyu"
    matches 487 names, and counting through every profile with "lin"
    anywhere (64,000) took 10 ms."""
    window = ActorProfile.objects.filter(is_listed=True).order_by("-created_at", "-id")
    window_sql, window_params = window.values("id", *_WALK_ONLY, *_FILTERED)[:WINDOW].query.sql_with_params()
    test_sql, test_params = _where(walk_tests(search)["match"] & filters & Q(listed_actor_user()))
    listed = ActorProfile.objects.filter(is_listed=True).filter(listed_actor_user()).order_by()
    named_sql, named_params = (
        listed.filter(name_condition(search) & filters).values("id")[:limit].query.sql_with_params()
    )
    fetched_sql, fetched_params = (
        listed.filter(search_condition(search) & filters).values("id")[:limit].query.sql_with_params()
    )
    sql = (
        "CASE WHEN (SELECT COUNT(*) FROM (SELECT 1 FROM "  # noqa: S608
        f"({window_sql}) AS {_TABLE} WHERE {test_sql} LIMIT %s) AS walked) >= %s THEN %s "
        f"WHEN (SELECT COUNT(*) FROM ({named_sql}) AS named) >= %s THEN %s "
        f"ELSE (SELECT COUNT(*) FROM ({fetched_sql}) AS fetched) END"
    )
    params = [*window_params, *test_params, limit, limit, limit, *named_params, limit, limit, *fetched_params]
    return RawSQL(sql, params)  # noqa: S611


# The columns the roster's filters read (creators.selectors.roster).
_FILTERED = (
    "languages",
    "gender",
    "playing_age_min",
    "playing_age_max",
    "country",
    "city",
    "skills",
)
