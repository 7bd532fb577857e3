"""The talent roster: search, filters, sorts and keyset pagination.

One entry point, ``roster_search``, for the roster page and (later) the API.
It starts from ``actors.selectors.listed_actors()``, the one listing rule, so
an unlisted, opted-out, unverified or suspended actor can never appear.

Search (``q``) depends on the database, decided here and nowhere else:

* PostgreSQL: an actor matches when the weighted ``search_vector`` matches
  ``websearch_to_tsquery('simple', q)``, OR its lower-cased stage name is
  trigram-similar to ``q`` (``%``, pg_trgm's default threshold 0.3, so "Lin
  Xaoyu" finds "Lin Xiaoyu"), OR every whitespace-separated word of ``q`` is a
  substring of ``search_document`` (Chinese has no spaces, so the tsvector holds
  whole runs like "擅长武术和马术"). Each branch is served by an index of
  actors/0003 (GIN on the vector, trigram GIN on lower(stage_name) and on
  search_document). A query with Chinese characters instead matches every
  character pair of the query against the pairs each profile stores in
  ``search_ngrams`` (weight D of the vector, actors/0004), so "晓雨" or "武术"
  are found through the GIN index, not a scan, then checked as substrings.
* SQLite: every word must be a substring of ``search_document``. For plain
  words both databases return the same actors (PostgreSQL adds the near
  misses of a typo).

Relevance is tiered, on both databases, so that an index can serve the order
and a page stops after ``page_size + 1`` rows however many actors match:

* tier 1, first: the stage name matches, i.e. every word of ``q`` is a
  substring of the lower-cased stage name (on PostgreSQL, also a stage name
  trigram-similar to ``q``, the typos). These are few; they are scored fully
  and ordered by (score desc, id desc). PostgreSQL scores by ts_rank
  (stage name weighs most) for full-text matches, else by the trigram
  similarity of the stage name; SQLite scores every one 1, so the id orders
  them. PostgreSQL finds them through the trigram index on lower(stage_name)
  (words of three or more characters) and the index of the stage name's
  character pairs (two-character words such as "晓雨", actors/0006).
* tier 0, then: every other match, newest first, (created_at desc, id desc),
  exactly the "newest" order restricted to the matches. PostgreSQL walks the
  ``(is_listed, -created_at, -id)`` index, tests each row and stops after
  ``page_size + 1`` matches: a word matching 9,000 actors costs what a page
  of "newest" costs, instead of reading and scoring all 9,000. (For a rare
  word the planner, from its statistics, uses the GIN indexes and sorts the
  few matches instead.)

Both tiers are one statement: the tier that comes first in the walking
direction in a CTE, then the other tier, only if the first left the page short
(``UNION ALL`` with a one-time filter), ordered by (tier, key, id). A cursor
inside tier 0 going forward (most pages of a broad search) queries tier 0
alone. The one slow case left: the page where tier 1 ends, when tier 0 is
nearly empty but the planner expects it to be dense (a common name such as
"maya", whose matches are almost all stage names), walks the whole index once.

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
* relevance: (tier desc, key desc, id desc), the key being the score in tier
  1 and created_at in tier 0; the cursor carries ``[tier, key]`` and the id.
  The score is computed per row from the row's own text and ``q``
  (deterministic), so it can be a keyset column: the cursor carries the last
  row's exact float score and the next page filters on the same annotation.
  Only an edit to an actor's text between two pages can move that actor.

The cursor is an opaque, signed token holding a format version, the sort, the
direction, the key of the boundary row, its id and a fingerprint of the search
parameters. A tampered, truncated or foreign cursor (another search, another
sort, an older format such as version 1's bare relevance score) is not an
error: the first page is returned with ``cursor_rejected`` set, so the page can
say so. "Previous" walks the same order backwards from the first row shown.
"""

import hashlib
import json
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.query import RawQuerySet

from actors.models import ActorProfile, RedLines, fee_sort_key
from actors.selectors import listed_actors, with_primary_thumbnail
from creators.models import Project, ShortlistEntry
from creators.selectors.search import (
    SORT_FEE,
    SORT_NEWEST,
    SORT_RELEVANCE,
    SORTS,
    BadCursor,
    after_row,
    decode_cursor,
    encode_cursor,
    key_of,
    ordering,
    parse_key,
    relevance_rows,
    search_condition,
)
from marketplace.money import Currency, to_reference

__all__ = [
    "MAX_PAGE_SIZE",
    "PAGE_SIZE",
    "SORTS",
    "SORT_FEE",
    "SORT_NEWEST",
    "SORT_RELEVANCE",
    "RosterPage",
    "RosterParams",
    "roster_search",
    "shortlisted_actor_ids",
]

PAGE_SIZE = 24
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class RosterParams:
    """What the creator asked for; already validated (see the roster form).

    Empty strings and None mean "any". Ages are a requested playing-age range
    that must overlap the actor's; ``fee_max`` is in ``currency``.
    """

    q: str = ""
    language: str = ""
    gender: str = ""
    age_min: int | None = None
    age_max: int | None = None
    country: str = ""
    city: str = ""
    skill: str = ""
    category: str = ""
    fee_max: Decimal | None = None
    currency: str = Currency.CNY.value
    ai_training: bool = False
    sort: str = SORT_RELEVANCE

    @property
    def effective_sort(self) -> str:
        """Relevance needs a search; without one the newest come first."""
        if self.sort == SORT_RELEVANCE and not self.q.strip():
            return SORT_NEWEST
        return self.sort if self.sort in SORTS else SORT_NEWEST

    def fingerprint(self) -> str:
        """Short digest of everything that decides the order and the rows."""
        data = {**asdict(self), "sort": self.effective_sort}
        raw = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


@dataclass
class RosterPage:
    actors: list[ActorProfile]
    sort: str
    next_cursor: str | None = None
    previous_cursor: str | None = None
    # True when the cursor given was unusable and the first page was returned.
    cursor_rejected: bool = False


def roster_search(*, params: RosterParams, cursor: str | None = None, page_size: int = PAGE_SIZE) -> RosterPage:
    """One page of listed actors matching ``params``, in ``params``' order.

    One query whatever the page size, the page or the filters (the thumbnail
    comes in it as ``primary_photo_id``); two in the rare case of "previous"
    from a page whose predecessors all vanished. Never raises on a bad
    ``cursor``: see the module docstring.
    """
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    sort = params.effective_sort
    fingerprint = params.fingerprint()

    rejected = False
    position = None
    if cursor:
        try:
            position = decode_cursor(cursor, fingerprint=fingerprint, sort=sort)
        except BadCursor:
            rejected = True
    forward = position is None or position["d"] == "n"
    key = None if position is None else parse_key(sort, position["k"])
    pk: int | None = None if position is None else position["i"]

    queryset: QuerySet[ActorProfile] | RawQuerySet[ActorProfile]
    if sort == SORT_RELEVANCE:
        queryset = relevance_rows(
            _matching(params, search=False), params.q, key, pk, forward=forward, limit=page_size + 1
        )
    else:
        queryset = _matching(params)
        if sort == SORT_FEE:
            queryset = queryset.annotate(fee_key=fee_sort_key())
        if pk is not None:
            queryset = queryset.filter(after_row(sort, key, pk, forward=forward))
        queryset = with_primary_thumbnail(queryset.order_by(*ordering(sort, forward=forward)))[: page_size + 1]

    rows = list(queryset)
    more = len(rows) > page_size
    rows = rows[:page_size]
    if not forward:
        rows.reverse()

    if not rows and not forward:
        # Everything before the cursor vanished meanwhile: the first page is
        # what "previous" means now.
        return roster_search(params=params, cursor=None, page_size=page_size)

    page = RosterPage(actors=rows, sort=sort, cursor_rejected=rejected)
    if rows:
        if more or not forward:
            page.next_cursor = encode_cursor(fingerprint, sort, key_of(sort, rows[-1]), rows[-1].pk, direction="n")
        if (more and not forward) or (forward and position is not None):
            page.previous_cursor = encode_cursor(fingerprint, sort, key_of(sort, rows[0]), rows[0].pk, direction="p")
    elif position is not None:
        # Past the end (the rows after the cursor vanished): offer the way back.
        page.previous_cursor = encode_cursor(fingerprint, sort, position["k"], position["i"], direction="p")
    return page


def _matching(params: RosterParams, *, search: bool = True) -> QuerySet[ActorProfile]:
    """Listed actors passing the filters, and the search unless ``search`` is
    False (relevance splits the search into its tiers, see relevance_rows in creators.selectors.search)."""
    # The card never shows these; the search columns are large.
    queryset = listed_actors().defer("bio", "legal_name", "search_document", "search_vector")
    if search and params.q.strip():
        queryset = queryset.filter(search_condition(params.q))
    if params.language:
        queryset = queryset.filter(_json_list_has("languages", params.language))
    if params.gender:
        queryset = queryset.filter(gender=params.gender)
    if params.age_min is not None:
        # A missing bound is open-ended; an actor with no playing age at all
        # does not match an age filter.
        queryset = queryset.filter(
            Q(playing_age_max__gte=params.age_min) | Q(playing_age_max__isnull=True, playing_age_min__isnull=False)
        )
    if params.age_max is not None:
        queryset = queryset.filter(
            Q(playing_age_min__lte=params.age_max) | Q(playing_age_min__isnull=True, playing_age_max__isnull=False)
        )
    if params.country:
        queryset = queryset.filter(country=params.country)
    if params.city.strip():
        queryset = queryset.filter(city__icontains=params.city.strip())
    if params.skill.strip():
        queryset = queryset.filter(skills__icontains=params.skill.strip())
    if params.category:
        excluded = RedLines.objects.filter(_json_list_has("excluded_categories", params.category), actor=OuterRef("pk"))
        queryset = queryset.filter(~Exists(excluded))
    if params.fee_max is not None:
        ceiling = to_reference(params.fee_max, params.currency)
        queryset = queryset.filter(Q(min_fee_usd__isnull=True) | Q(min_fee_usd__lte=ceiling))
    if params.ai_training:
        queryset = queryset.filter(red_lines__ai_training_allowed=True)
    return queryset


def _json_list_has(field: str, key: str) -> Q:
    """The JSON list in ``field`` holds ``key`` (an ASCII code or key)."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__contains": [key]})  # jsonb @>
    # SQLite has no JSON containment lookup; keys are ASCII, so the quoted
    # key as a substring of the stored JSON text is exact.
    return Q(**{f"{field}__icontains": f'"{key}"'})


def shortlisted_actor_ids(*, project: Project, actor_ids: list[int]) -> set[int]:
    """Which of ``actor_ids`` are on ``project``'s shortlist: one query for a
    whole page of cards, never one per card."""
    if not actor_ids:
        return set()
    entries = ShortlistEntry.objects.filter(project=project, actor_id__in=actor_ids)
    return set(entries.values_list("actor_id", flat=True))
