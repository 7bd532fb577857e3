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

A page that counts its matches (page 1: later pages carry the count in
their cursor) walks the newest ``WINDOW`` rows once for the count and for
the walks that start at the top of the newest order: the ``newest`` CTE
keeps the first matches it meets (as many as the count needs), each marked
with whether the stage name has every word, and a walk takes its rows from
there when they are enough (a page's worth of its tier, or the whole window
read). Two walks of the same rows cost a rare search 3 ms at 1,000,000
actors.
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
    carried_sql,
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
    *,
    filters: Q,
    walk: Q,
    fetch: Q,
    after: Q | None,
    sort: str,
    forward: bool,
    columns: list[str],
    limit: int,
    shared: tuple[str, int] | None = None,
    walked: bool = True,
) -> tuple[str, list[Any]]:
    """SQL of one ordered part of a page (the module docstring): at most
    ``limit`` rows (``columns``) matching, after the cursor condition
    ``after``. ``shared``: the part walks from the top of the newest order,
    and the ``newest`` CTE's rows that pass this condition are its walk when
    they are enough (with the number of rows the CTE keeps at most).
    ``walked`` False: the walk is known to come back short; only fetch."""
    order = ordering(sort, forward=forward)
    order_sql = _order_sql(order)
    window = _keyed(ActorProfile.objects.filter(is_listed=True), sort)
    if after is not None:
        window = window.filter(after)
    window_sql, window_params = window.order_by(*order).values(*columns, *_WALK_ONLY)[:WINDOW].query.sql_with_params()
    test_sql, test_params = _where(walk & filters & Q(listed_actor_user()))
    fetched = _keyed(ActorProfile.objects.filter(is_listed=True).filter(listed_actor_user()), sort)
    fetched = fetched.filter(fetch & filters & (after or Q())).order_by(*_unwalkable(sort, forward=forward))
    fetched_sql, fetched_params = fetched.values(*columns)[:limit].query.sql_with_params()
    selected = ", ".join(connection.ops.quote_name(column) for column in columns)
    own = f"SELECT {selected} FROM ({window_sql}) AS {_TABLE} WHERE {test_sql}"  # noqa: S608
    walk_sql, walked_params = f"{own} ORDER BY {order_sql} LIMIT %s", [*window_params, *test_params, limit]
    if not walked:
        walk_sql, walked_params = f"SELECT {selected} FROM ({window_sql}) AS {_TABLE} WHERE FALSE", window_params  # noqa: S608
    elif shared is not None:
        condition, kept = shared
        # Enough: a page's worth of the part's rows, or every match of the window.
        enough = f"((SELECT COUNT(*) FROM newest WHERE {condition}) >= %s OR (SELECT COUNT(*) FROM newest) < %s)"  # noqa: S608
        walk_sql = (
            f"(SELECT {selected} FROM newest AS {_TABLE} WHERE {condition} AND {enough} "  # noqa: S608
            f"ORDER BY {order_sql} LIMIT %s) UNION ALL ({own} AND NOT {enough} ORDER BY {order_sql} LIMIT %s)"
        )
        walked_params = [limit, kept, limit, *window_params, *test_params, limit, kept, limit]
    sql = (
        f"WITH walked AS MATERIALIZED ({walk_sql}) "  # noqa: S608
        "SELECT * FROM walked WHERE (SELECT COUNT(*) FROM walked) >= %s "
        f"UNION ALL SELECT * FROM ({fetched_sql}) AS fetched WHERE (SELECT COUNT(*) FROM walked) < %s"
    )
    return sql, [*walked_params, limit, *fetched_params, limit]


def _newest(*, filters: Q, search: ParsedSearch, columns: list[str], limit: int) -> tuple[str, list[Any]]:
    """SQL of the ``newest`` CTE (the module docstring): the first ``limit``
    matches among the newest ``WINDOW`` rows, newest first, with ``columns``
    and ``in_name`` (the stage name has every word)."""
    window = ActorProfile.objects.filter(is_listed=True).order_by("-created_at", "-id")
    read = list(dict.fromkeys([*columns, *_WALK_ONLY, *_FILTERED]))
    window_sql, window_params = window.values(*read)[:WINDOW].query.sql_with_params()
    tests = walk_tests(search)
    test_sql, test_params = _where(tests["match"] & filters & Q(listed_actor_user()))
    name_sql, name_params = _where(tests["name"])
    selected = ", ".join(connection.ops.quote_name(column) for column in columns)
    sql = (
        f"SELECT {selected}, ({name_sql}) AS in_name FROM ({window_sql}) AS {_TABLE} "  # noqa: S608
        f"WHERE {test_sql} ORDER BY {_order_sql(ordering(SORT_NEWEST, forward=True))} LIMIT %s"
    )
    return sql, [*name_params, *window_params, *test_params, limit]


def search_rows(
    *,
    filters: Q,
    search: ParsedSearch,
    sort: str,
    tier: int | None,
    after: Q | None,
    forward: bool,
    limit: int,
    carried: int | None,
    count_limit: int,
    columns: list[str],
    others: int | None = None,
) -> RawQuerySet[ActorProfile]:
    """At most ``limit`` listed actors passing ``filters`` and matching
    ``search``, in ``sort`` (relevance: tier 1 then tier 0) after the cursor
    condition ``after`` (which applies to ``tier``), with ``primary_photo_id``
    and ``roster_total`` on each row: the count page 1 made (``carried``),
    or None to count the matches (no further than ``count_limit``). One
    statement.

    A relevance page that counts also gives ``roster_others`` on each row:
    how many tier-0 matches the newest ``WINDOW`` rows hold when the count's
    walk read them all, else None. A later page passes it back as
    ``others``: fewer than ``limit`` there, and the walk of tier 0 from the
    top would come back short, so the page where tier 1 ends fetches tier 0
    without walking (3 ms at 1,000,000 actors for "晓雨")."""
    # Both relevance tiers are in the newest order.
    sort = SORT_FEE if sort == SORT_FEE else SORT_NEWEST
    newest, total = None, carried_sql(carried)
    if carried is None:
        shown = columns if sort == SORT_NEWEST else ["id", "created_at"]
        newest = _newest(filters=filters, search=search, columns=shown, limit=count_limit)
        total = count_sql(filters=filters, search=search, limit=count_limit)
    columns = [*columns, "fee_key"] if sort == SORT_FEE else columns
    parts: list[tuple[int | None, str, list[Any]]] = []
    for number, walk, fetch in _wanted(search, tier=tier, forward=forward):
        part_after = after if number == tier else None
        top = part_after is None and forward and sort == SORT_NEWEST
        short = top and number == TIER_OTHER and others is not None and others < limit
        sql, params = _part(
            filters=filters,
            walk=walk,
            fetch=fetch,
            after=part_after,
            sort=sort,
            forward=forward,
            columns=columns,
            limit=limit,
            shared=(_SHARED[number], count_limit) if top and newest is not None else None,
            walked=not short,
        )
        parts.append((number, sql, params))
    counted_others = _others(newest if tier is not None else None, others, count_limit=count_limit)
    gate = _known_words(search)
    return _page(
        parts, sort=sort, forward=forward, limit=limit, total=total, others=counted_others, gate=gate, newest=newest
    )


def _others(newest: tuple[str, list[Any]] | None, carried: int | None, *, count_limit: int) -> RawSQL:
    """``roster_others`` (``search_rows``): counted in the ``newest`` CTE
    when the page has one and relevance tiers, else ``carried``."""
    if newest is not None:
        return RawSQL(
            "CASE WHEN (SELECT COUNT(*) FROM newest) < %s THEN (SELECT COUNT(*) FROM newest WHERE NOT in_name) END",
            [count_limit],
        )
    return carried_sql(carried)


# The rows of the newest CTE that a part's walk wants, by tier.
_SHARED = {None: "TRUE", TIER_NAME: '"in_name"', TIER_OTHER: 'NOT "in_name"'}


def _wanted(search: ParsedSearch, *, tier: int | None, forward: bool) -> list[tuple[int | None, Q, Q]]:
    """The parts of a page, in the order they fill it: (tier, walk test,
    fetch condition); one part, tier None, without relevance tiers."""
    tests = walk_tests(search)
    if tier is None:
        return [(None, tests["match"], search_condition(search))]
    wanted: list[tuple[int | None, Q, Q]] = [
        (TIER_NAME, tests["name"], name_condition(search)),
        (TIER_OTHER, tests["other"], other_condition(search)),
    ]
    # Forward, tier 1 comes first, and a cursor in tier 0 needs no tier-1
    # part; backwards the other way round.
    wanted = [entry for entry in wanted if entry[0] is not None and (entry[0] <= tier if forward else entry[0] >= tier)]
    return wanted if forward else wanted[::-1]


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
    others: RawSQL,
    gate: tuple[str, list[Any]],
    newest: tuple[str, list[Any]] | None,
) -> RawQuerySet[ActorProfile]:
    """The parts one after the other (the second only if the first left the
    page short), with the thumbnail, the count and ``roster_others``
    (``search_rows``) on each row; none of
    them read unless ``gate`` (``_known_words``) holds. ``newest``: the SQL
    of the CTE the count and the walks from the top share."""
    thumbnails = with_primary_thumbnail(ActorProfile.objects.all()).query
    thumbnail_sql, thumbnail_params = thumbnails.get_compiler(connection=connection).compile(
        thumbnails.annotations["primary_photo_id"]
    )
    order = ordering(sort, forward=forward)
    ctes, unions, params = [], [], []
    if newest is not None:
        ctes.append(f"newest AS MATERIALIZED ({newest[0]})")
        params += newest[1]
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
        f"SELECT {_TABLE}.*, ({thumbnail_sql}) AS primary_photo_id, ({total.sql}) AS roster_total, "
        f"({others.sql}) AS roster_others "
        f"FROM ({' UNION ALL '.join(unions)} ORDER BY {order_sql} LIMIT %s) AS {_TABLE} ORDER BY {order_sql}"
    )
    values = [*params, *thumbnail_params, *total.params, *others.params, *union_params, limit]
    return ActorProfile.objects.raw(sql, values)


def count_sql(*, filters: Q, search: ParsedSearch, limit: int) -> RawSQL:
    """How many listed actors pass ``filters`` and match ``search``, counted
    no further than ``limit``, by the cheapest of three ways that suffices:
    in the newest ``WINDOW`` rows (the ``newest`` CTE of the statement, which
    keeps ``limit`` matches at most); else among actors with every word in
    their stage name (a subset of the matches, found by one scan of the
    name's index, which intersects the words itself); else through the
    search indexes. In no order: a count needs none, and an ORDER BY made
    PostgreSQL fetch and sort every match and hash-join every user first
    (18 to 26 ms for "雨", "maya" or "Okafor" at 100,000 actors, against 0.5
    to 1 ms, a nested loop stopping at ``limit``). The name's count spares a
    widened search its most expensive part: at 1,000,000 actors "Lin Xaoyu"
    matches 487 names, and counting through every profile with "lin"
    anywhere (64,000) took 10 ms."""
    listed = ActorProfile.objects.filter(is_listed=True).filter(listed_actor_user()).order_by()
    named_sql, named_params = (
        listed.filter(name_condition(search) & filters).values("id")[:limit].query.sql_with_params()
    )
    fetched_sql, fetched_params = (
        listed.filter(search_condition(search) & filters).values("id")[:limit].query.sql_with_params()
    )
    sql = (
        "CASE WHEN (SELECT COUNT(*) FROM newest) >= %s THEN %s "  # noqa: S608
        f"WHEN (SELECT COUNT(*) FROM ({named_sql}) AS named) >= %s THEN %s "
        f"ELSE (SELECT COUNT(*) FROM ({fetched_sql}) AS fetched) END"
    )
    params = [limit, limit, *named_params, limit, limit, *fetched_params]
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
