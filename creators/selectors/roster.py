"""The talent roster: search, filters, sorts and keyset pagination.

One entry point, ``roster_search``, for the roster page and the API (with
``roster_count`` for "N actors"). It starts from
``actors.selectors.listed_actors()``, the one listing rule, so an unlisted,
opted-out, unverified or suspended actor can never appear.

Search (``q``), the same on both databases (``creators.selectors.query``):
the search is split into units, words or bilingual vocabulary phrases
("martial arts" also finds 武术); an actor matches when every unit (one of
its alternatives) is a substring of the actor's stored search text
(``actors.search``: the stage name on its first line, then the rest). How it
is found depends on the database, decided in ``creators.selectors.search``:

* PostgreSQL looks every alternative up in an index (``actors.search_index``):
  the trigram index of the stage name or of the rest for three characters or
  more, the gram keys for one or two ("王", "晓雨", "li").
* SQLite looks words of three characters or more up in its FTS5 trigram
  table and tests shorter ones on the row.

Typos: in the relevance order, when the first page of a search comes back
short, its Latin words that no actor's text contains ("Okafr", "Elna") are
widened to their closest words of the lexicon ("okafor", "elena"), the page
is searched again, and ``RosterPage.suggestion`` offers the corrected search
("Did you mean …?") when a listed actor on the page has the corrected words.
Its cursors say so, and the next pages widen the same words. The other sorts
take the words as typed.

Relevance is tiered, on both databases, so that an index can serve the order
and a page stops after ``page_size + 1`` rows however many actors match:

* tier 1, first: every unit is in the stage name;
* tier 0, then: every other match (some unit found elsewhere).

Each tier is the newest order, (created_at desc, id desc), restricted to its
matches, a query of its own with its own ORDER BY and LIMIT. PostgreSQL
walks the ``(is_listed, -created_at, -id)`` index for a word many actors
have ("maya", "martial arts": a page reads a few hundred index entries), or
fetches the few matches of a rare one ("Maya Okafor") through the search
indexes and sorts them: its statistics of the indexed expressions say which
(the planner's choice; both read about the same on every page). The rest of
the text never repeats the stage name, so the tier-0 query of "王" or "maya"
finds through an index that no one else matches, instead of walking the
whole newest index for nothing (the slow page where tier 1 ended).

Both tiers are one statement: the tier that comes first in the walking
direction in a CTE, then the other tier, only if the first left the page
short (``UNION ALL`` with a one-time filter), ordered by (tier, created_at,
id). A cursor inside tier 0 going forward (most pages of a broad search)
queries tier 0 alone.

Pagination is keyset (cursor) pagination on (sort key, id), never OFFSET: a
page is "the next ``page_size`` rows after the last row seen" in a total order
(id breaks ties), so an actor cannot appear twice or be skipped when actors
are added between two pages, and page 200 costs what page 1 costs (the newest
sort walks the ``(is_listed, -created_at, -id)`` index from the cursor).

* newest: (created_at desc, id desc).
* fee: (fee key asc, id asc), where the fee key is ``min_fee_usd`` with a
  value above any fee standing in for "no fee" (``actors.models.fee_sort_key``),
  so actors without a fee come last and the whole order is one range of the
  partial expression index ``actor_listed_fee_idx`` (actors/0004), which a
  cursor enters where the previous page stopped.
* relevance: (tier desc, created_at desc, id desc); the cursor carries
  ``[tier, created_at]`` (in tier 1 as whole microseconds since 1970) and
  the id.

The cursor is an opaque, signed token holding a format version, the sort, the
direction, the key of the boundary row, its id, a fingerprint of the search
parameters, the count page 1 made ("N actors": the pages after it show it
instead of counting again, so the figure stays put while a creator pages
through and a later page reads only its own rows) and, for a widened
search, a mark saying so. A tampered,
truncated or foreign cursor (another search, another sort, an older format
such as version 1's bare relevance score) is not an error: the first page is
returned with ``cursor_rejected`` set, so the page can say so. "Previous"
walks the same order backwards from the first row shown.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.cache import caches
from django.db import connection
from django.db.models import IntegerField, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.query import RawQuerySet

from actors.models import ActorProfile, fee_sort_key
from actors.selectors import listed_actors, with_primary_thumbnail
from creators.selectors import bounded
from creators.selectors.params import RosterParams, roster_filters
from creators.selectors.query import ParsedSearch, parse_search
from creators.selectors.search import (
    SORT_FEE,
    SORT_NEWEST,
    SORT_RELEVANCE,
    SORTS,
    TIER_NAME,
    BadCursor,
    CursorKey,
    after_row,
    carried_sql,
    decode_cursor,
    encode_cursor,
    key_of,
    ordering,
    parse_key,
    relevance_rows,
    search_condition,
)

__all__ = [
    "COUNT_LIMIT",
    "MAX_PAGE_SIZE",
    "PAGE_SIZE",
    "SORTS",
    "SORT_FEE",
    "SORT_NEWEST",
    "SORT_RELEVANCE",
    "RosterCount",
    "RosterPage",
    "RosterParams",
    "roster_search",
]

PAGE_SIZE = 24
MAX_PAGE_SIZE = 100
# "N actors" is exact up to this; beyond it the roster says "more than".
COUNT_LIMIT = 100
# What a card, the API's summary and the cursors read; nothing else is
# fetched (the search columns are large, and every column costs per row).
LISTED_FIELDS = (
    "id",
    "slug",
    "stage_name",
    "headline",
    "languages",
    "gender",
    "playing_age_min",
    "playing_age_max",
    "city",
    "country",
    "skills",
    "min_fee",
    "fee_currency",
    "max_term_months",
    "verification_status",
    "created_at",
)


@dataclass
class RosterPage:
    actors: list[ActorProfile]
    sort: str
    next_cursor: str | None = None
    previous_cursor: str | None = None
    # True when the cursor given was unusable and the first page was returned.
    cursor_rejected: bool = False
    # The search as run (widened by typo corrections or not), for roster_count.
    search: ParsedSearch = field(default_factory=lambda: ParsedSearch(()))
    # "Did you mean": the search with its typos corrected, or "".
    suggestion: str = ""
    # How many actors match; None on a page past the end of the list.
    count: "RosterCount | None" = None


@dataclass(frozen=True)
class RosterCount:
    """How many listed actors match: exact up to ``COUNT_LIMIT``."""

    value: int
    exact: bool  # False: more than ``value`` (COUNT_LIMIT) actors match


def roster_search(*, params: RosterParams, cursor: str | None = None, page_size: int = PAGE_SIZE) -> RosterPage:
    """One page of listed actors matching ``params``, in ``params``' order.

    One query whatever the page size, the page or the filters (the thumbnail
    comes in it as ``primary_photo_id``, the count of matches as
    ``roster_total``, see ``RosterPage.count``). A first page of a relevance search
    that comes back short adds one look-up of its unknown words, and one query
    more if some were typos (the module docstring); so does every page of a
    search so widened. Never raises on a bad ``cursor``.
    """
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    sort = params.effective_sort
    rejected = False
    position = None
    if cursor:
        try:
            position = decode_cursor(cursor, fingerprint=params.fingerprint(), sort=sort)
        except BadCursor:
            rejected = True
    widened = bool(position and position.get("c"))
    search = parse_search(params.q, correct=widened)
    page = _page(params, search, position, page_size=page_size, widened=widened)
    if position is None and sort == SORT_RELEVANCE and len(page.actors) < page_size:
        wider = parse_search(params.q)
        if wider.corrected:
            page = _page(params, wider, None, page_size=page_size, widened=True)
            page.suggestion = _suggestion(params.q, wider, page.actors)
    page.cursor_rejected = rejected
    return page


def _page(
    params: RosterParams, search: ParsedSearch, position: dict | None, *, page_size: int, widened: bool
) -> RosterPage:
    """The page at ``position`` (a decoded cursor, or None for the first)."""
    sort = params.effective_sort
    forward = position is None or position["d"] == "n"
    rows = list(_query(params, search, position, limit=page_size + 1))
    more = len(rows) > page_size
    rows = rows[:page_size]
    if not forward:
        rows.reverse()

    if not rows and not forward:
        # Everything before the cursor vanished meanwhile: the first page is
        # what "previous" means now.
        return roster_search(params=params, cursor=None, page_size=page_size)

    page = RosterPage(actors=rows, sort=sort, search=search)
    counted: int | None = None
    found_others: int | None = None
    if rows:
        # Annotations of the page's query, unknown to the model's stubs;
        # roster_others only on PostgreSQL (creators.selectors.bounded).
        counted = rows[0].roster_total  # type: ignore[attr-defined]
        found_others = getattr(rows[0], "roster_others", None)
        page.count = RosterCount(value=min(counted, COUNT_LIMIT), exact=counted <= COUNT_LIMIT)
    elif position is None:
        page.count = RosterCount(value=0, exact=True)
    fingerprint = params.fingerprint()

    def cursor_at(key: CursorKey, pk: int, direction: str) -> str:
        return encode_cursor(
            fingerprint, sort, key, pk, direction=direction, widened=widened, count=counted, others=found_others
        )

    if rows:
        if more or not forward:
            page.next_cursor = cursor_at(key_of(sort, rows[-1]), rows[-1].pk, "n")
        if (more and not forward) or (forward and position is not None):
            page.previous_cursor = cursor_at(key_of(sort, rows[0]), rows[0].pk, "p")
    elif position is not None:
        # Past the end (the rows after the cursor vanished): offer the way back.
        page.previous_cursor = cursor_at(position["k"], position["i"], "p")
    return page


def _query(
    params: RosterParams, search: ParsedSearch, position: dict | None, *, limit: int
) -> "QuerySet[ActorProfile] | RawQuerySet[ActorProfile]":
    """The statement of the page at ``position``: at most ``limit`` rows,
    each with the count of matches, counted (page 1) or carried by the
    cursor from page 1, one statement for the page and "N actors"."""
    sort = params.effective_sort
    forward = position is None or position["d"] == "n"
    key = None if position is None else parse_key(sort, position["k"])
    pk: int | None = None if position is None else position["i"]
    carried = None if position is None else position.get("n")
    if search and connection.vendor == "postgresql":
        others = None if position is None else position.get("o")
        return _bounded_rows(
            params, search, sort, key, pk, forward=forward, limit=limit, carried=carried, others=others
        )
    if sort == SORT_RELEVANCE:
        total = _count_of(_matching(params, search), carried)
        return relevance_rows(_matching(params), search, key, pk, forward=forward, limit=limit, total=total)
    if position is None and not search:
        return _first_listing(params, sort, limit=limit)
    return _listing(params, search, sort, key, pk, forward=forward, limit=limit, carried=carried)


def _listing(
    params: RosterParams,
    search: ParsedSearch,
    sort: str,
    key: Any,
    pk: int | None,
    *,
    forward: bool,
    limit: int,
    carried: int | None = None,
) -> QuerySet[ActorProfile]:
    """A page in the newest or the fee order, with the count (``carried``
    from page 1, or counted) and the thumbnail."""
    queryset = _matching(params, search).annotate(roster_total=_count_of(_matching(params, search), carried))
    if sort == SORT_FEE:
        queryset = queryset.annotate(fee_key=fee_sort_key())
    if pk is not None:
        queryset = queryset.filter(after_row(sort, key, pk, forward=forward))
    return with_primary_thumbnail(queryset.order_by(*ordering(sort, forward=forward)))[:limit]


def _first_listing(params: RosterParams, sort: str, *, limit: int) -> "RawQuerySet[ActorProfile]":
    """The first page of a filter set without search words (the roster as
    a creator first sees it), from its statement compiled once per process
    (the "local" cache, keyed by the filters' fingerprint and the limits,
    which decide every value in it; the rows are read each time). Building
    and compiling it with the ORM took about 2.5 ms of Python per request;
    running it takes 0.2 ms."""
    cache_key = f"roster-first-page:{connection.vendor}:{params.fingerprint()}:{limit}:{COUNT_LIMIT}"
    compiled = caches["local"].get(cache_key)
    if compiled is None:
        rows = _listing(params, parse_search(""), sort, None, None, forward=True, limit=limit)
        compiled = rows.query.sql_with_params()
        caches["local"].set(cache_key, compiled)
    sql, values = compiled
    return ActorProfile.objects.raw(sql, values)


def _suggestion(q: str, search: ParsedSearch, actors: list[ActorProfile]) -> str:
    """``q`` with each widened word that no card on the page shows (name,
    headline, skills, city) replaced by its closest correction that one
    does, in the typed word's case; "" when there is none. Only words a
    listed actor on the page shows are ever suggested: the lexicon also
    holds words of actors no one may see."""
    shown = "\n".join(f"{actor.stage_name}\n{actor.headline}\n{actor.skills}\n{actor.city}" for actor in actors)
    shown = shown.lower()
    replacements = {}
    for unit in search.units:
        if unit.text in shown:
            continue
        correction = next((term for term in unit.corrections if term in shown), None)
        if correction:
            replacements[unit.text] = correction
    if not replacements:
        return ""
    words = [_cased(replacements[word.lower()], word) if word.lower() in replacements else word for word in q.split()]
    return " ".join(words)


def _cased(term: str, typed: str) -> str:
    if len(typed) > 1 and typed.isupper():
        return term.upper()
    return term[:1].upper() + term[1:] if typed[:1].isupper() else term


def _bounded_rows(
    params: RosterParams,
    search: ParsedSearch,
    sort: str,
    key: Any,
    pk: int | None,
    *,
    forward: bool,
    limit: int,
    carried: int | None = None,
    others: int | None = None,
) -> "RawQuerySet[ActorProfile]":
    """PostgreSQL's page of a search: ``creators.selectors.bounded``
    (``carried`` and ``others``: what page 1 found, from the cursor)."""
    if sort == SORT_RELEVANCE:
        tier, moment = key if isinstance(key, tuple) else (TIER_NAME, None)
        after = None if pk is None else after_row(SORT_NEWEST, moment, pk, forward=forward)
    else:
        tier, after = None, None if pk is None else after_row(sort, key, pk, forward=forward)
    filters = roster_filters(params)
    return bounded.search_rows(
        filters=filters,
        search=search,
        sort=sort,
        tier=tier,
        after=after,
        forward=forward,
        limit=limit,
        carried=carried,
        count_limit=COUNT_LIMIT + 1,
        columns=list(LISTED_FIELDS),
        others=others,
    )


def _count_of(matching: QuerySet[ActorProfile], carried: int | None = None) -> RawSQL:
    """How many rows ``matching`` has, counting no further than
    ``COUNT_LIMIT + 1``: a scalar subquery, computed once per statement;
    or the count page 1 made (``carried``), counting nothing."""
    if carried is not None:
        return carried_sql(carried)
    sql, params = matching.order_by().values("pk")[: COUNT_LIMIT + 1].query.sql_with_params()
    # Only SQL the ORM compiled goes into the text; the values stay parameters.
    counted = f"SELECT COUNT(*) FROM ({sql}) AS counted"  # noqa: S608
    return RawSQL(counted, params, output_field=IntegerField())  # noqa: S611


def _matching(params: RosterParams, search: ParsedSearch | None = None) -> QuerySet[ActorProfile]:
    """Listed actors passing the filters, and ``search`` if given (relevance
    splits the search into its tiers, see relevance_rows in creators.selectors.search)."""
    queryset = listed_actors().only(*LISTED_FIELDS).filter(roster_filters(params))
    return queryset.filter(search_condition(search)) if search else queryset
