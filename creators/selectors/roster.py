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
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.lookups import DataContains, TrigramSimilar
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.core import signing
from django.db import connection
from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Lower
from django.db.models.lookups import Contains
from django.db.models.query import RawQuerySet

from actors.models import ActorProfile, RedLines, fee_sort_key
from actors.selectors import listed_actors, with_primary_thumbnail
from actors.services.profile import cjk_bigrams
from creators.models import Project, ShortlistEntry
from marketplace.money import Currency, to_reference

PAGE_SIZE = 24
MAX_PAGE_SIZE = 100
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


class _BadCursor(Exception):
    pass


def roster_search(*, params: RosterParams, cursor: str | None = None, page_size: int = PAGE_SIZE) -> RosterPage:
    """One page of listed actors matching ``params``, in ``params``' order.

    One query whatever the page size, the page or the filters (the thumbnail
    comes in it as ``primary_photo_id``); two in the rare case of "previous"
    from a page whose predecessors all vanished. Never raises on a bad
    ``cursor``: see the module docstring.
    """
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    sort = params.effective_sort

    rejected = False
    position = None
    if cursor:
        try:
            position = _decode_cursor(cursor, params=params, sort=sort)
        except _BadCursor:
            rejected = True
    forward = position is None or position["d"] == "n"
    key = None if position is None else _parse_key(sort, position["k"])

    if sort == SORT_RELEVANCE:
        queryset = _relevance_rows(
            _matching(params, search=False),
            params.q,
            key,
            position and position["i"],
            forward=forward,
            limit=page_size + 1,
        )
    else:
        queryset = _matching(params)
        if sort == SORT_FEE:
            queryset = queryset.annotate(fee_key=fee_sort_key())
        if position is not None:
            queryset = queryset.filter(_after(sort, key, position["i"], forward=forward))
        queryset = with_primary_thumbnail(queryset.order_by(*_ordering(sort, forward=forward)))[: page_size + 1]

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
            page.next_cursor = _encode_cursor(params, sort, _key_of(sort, rows[-1]), rows[-1].pk, direction="n")
        if (more and not forward) or (forward and position is not None):
            page.previous_cursor = _encode_cursor(params, sort, _key_of(sort, rows[0]), rows[0].pk, direction="p")
    elif position is not None:
        # Past the end (the rows after the cursor vanished): offer the way back.
        page.previous_cursor = _encode_cursor(params, sort, position["k"], position["i"], direction="p")
    return page


def _matching(params: RosterParams, *, search: bool = True) -> QuerySet[ActorProfile]:
    """Listed actors passing the filters, and the search unless ``search`` is
    False (relevance splits the search into its tiers, see _relevance_rows)."""
    # The card never shows these; the search columns are large.
    queryset = listed_actors().defer("bio", "legal_name", "search_document", "search_vector")
    if search and params.q.strip():
        queryset = queryset.filter(_search_condition(params.q))
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


def _words(q: str) -> list[str]:
    return q.lower().split()


def _json_list_has(field: str, key: str) -> Q:
    """The JSON list in ``field`` holds ``key`` (an ASCII code or key)."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__contains": [key]})  # jsonb @>
    # SQLite has no JSON containment lookup; keys are ASCII, so the quoted
    # key as a substring of the stored JSON text is exact.
    return Q(**{f"{field}__icontains": f'"{key}"'})


def _short(q: str) -> bool:
    """Too short for trigrams: fewer than three characters without spaces."""
    return len("".join(q.split())) < 3


def _substrings(q: str) -> Q:
    """Every word of ``q`` is a substring of the actor's search document."""
    condition = Q()
    for word in _words(q):
        condition &= Q(search_document__contains=word)
    return condition


def _search_condition(q: str) -> Q:
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


def _score_expression(q: str):
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


def _relevance_rows(
    queryset: QuerySet, q: str, key, pk: int | None, *, forward: bool, limit: int
) -> QuerySet | RawQuerySet:
    """At most ``limit`` rows of ``queryset`` matching ``q``, in relevance
    order, after (or, backwards, before) the row at (``key``, ``pk``).

    The order is (tier desc, key desc, id desc): tier 1 (the stage name
    matches) by score, then tier 0 (the rest) by created_at, newest first. Each
    tier is a query of its own with its own ORDER BY and LIMIT, so PostgreSQL
    scores the few tier-1 rows and walks the (is_listed, -created_at, -id)
    index for tier 0, stopping after ``limit`` matches, however many actors
    match. A cursor in tier 0 going forward needs no tier-1 part; one in tier
    1 going backwards needs no tier-0 part; otherwise both parts are one
    statement (a CTE and a UNION ALL, valid on PostgreSQL and SQLite).
    """
    tier, value = key if key is not None else (None, None)
    parts = []
    if tier != _TIER_OTHER or not forward:
        top = queryset.filter(_name_condition(q)).annotate(
            tier=Value(_TIER_NAME, output_field=IntegerField()),
            score=_score_expression(q),
            newest=Cast(Value(None), DateTimeField()),
        )
        if tier == _TIER_NAME:
            after = (
                Q(score__lt=value) | Q(score=value, id__lt=pk)
                if forward
                else Q(score__gt=value) | Q(score=value, id__gt=pk)
            )
            top = top.filter(after)
        parts.append(top.order_by(*(["-score", "-id"] if forward else ["score", "id"])))
    if tier != _TIER_NAME or forward:
        rest = queryset.filter(_other_condition(q)).annotate(
            tier=Value(_TIER_OTHER, output_field=IntegerField()),
            score=Cast(Value(0.0), FloatField()),
            newest=F("created_at"),
        )
        if tier == _TIER_OTHER:
            rest = rest.filter(_after(SORT_NEWEST, value, pk, forward=forward))
        parts.append(rest.order_by(*_ordering(SORT_NEWEST, forward=forward)))
    parts = [with_primary_thumbnail(part)[:limit] for part in parts]
    if len(parts) == 1:
        return parts[0]
    # Both tiers: the one that comes first in this direction, then the other.
    first, then = parts if forward else parts[::-1]
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


def _ordering(sort: str, *, forward: bool) -> list:
    key = _KEY_FIELD[sort]
    if sort == SORT_FEE:
        return [key, "id"] if forward else [f"-{key}", "-id"]
    return [f"-{key}", "-id"] if forward else [key, "id"]


def _after(sort: str, key, pk: int, *, forward: bool) -> Q:
    """Rows strictly after (forward) or before (backward) the row (key, pk)."""
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


def _key_of(sort: str, actor: ActorProfile):
    if sort == SORT_NEWEST:
        return actor.created_at.isoformat()
    if sort == SORT_FEE:
        return str(actor.fee_key)
    if actor.tier == _TIER_NAME:
        return [_TIER_NAME, float(actor.score)]
    return [_TIER_OTHER, actor.created_at.isoformat()]


def _parse_key(sort: str, raw):
    try:
        if sort == SORT_NEWEST:
            return _parse_moment(raw)
        if sort == SORT_FEE:
            if not isinstance(raw, str):
                raise _BadCursor
            return Decimal(raw)
        # Relevance: [tier, score] in tier 1, [tier, created_at] in tier 0.
        if not isinstance(raw, list) or len(raw) != 2 or isinstance(raw[0], bool):
            raise _BadCursor
        tier, value = raw
        if tier == _TIER_OTHER:
            return (_TIER_OTHER, _parse_moment(value))
        if tier != _TIER_NAME or isinstance(value, bool) or not isinstance(value, int | float):
            raise _BadCursor
        return (_TIER_NAME, float(value))
    except (TypeError, ValueError, InvalidOperation) as exc:
        raise _BadCursor from exc


def _parse_moment(raw) -> datetime:
    moment = datetime.fromisoformat(raw)
    if moment.tzinfo is None:
        raise _BadCursor
    return moment


def _encode_cursor(params: RosterParams, sort: str, key, pk: int, *, direction: str) -> str:
    payload = {"v": _CURSOR_VERSION, "s": sort, "d": direction, "k": key, "i": pk, "h": params.fingerprint()}
    return signing.dumps(payload, salt=_CURSOR_SALT, compress=True)


def _decode_cursor(cursor: str, *, params: RosterParams, sort: str) -> dict:
    if len(cursor) > 500:
        raise _BadCursor
    try:
        payload = signing.loads(cursor, salt=_CURSOR_SALT)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise _BadCursor from exc
    if not isinstance(payload, dict) or payload.get("v") != _CURSOR_VERSION:
        raise _BadCursor
    if payload.get("s") != sort or payload.get("h") != params.fingerprint() or payload.get("d") not in ("n", "p"):
        raise _BadCursor
    if isinstance(payload.get("i"), bool) or not isinstance(payload.get("i"), int):
        raise _BadCursor
    _parse_key(sort, payload.get("k"))
    return payload


def shortlisted_actor_ids(*, project: Project, actor_ids: list[int]) -> set[int]:
    """Which of ``actor_ids`` are on ``project``'s shortlist: one query for a
    whole page of cards, never one per card."""
    if not actor_ids:
        return set()
    entries = ShortlistEntry.objects.filter(project=project, actor_id__in=actor_ids)
    return set(entries.values_list("actor_id", flat=True))
