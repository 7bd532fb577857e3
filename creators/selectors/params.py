"""What a creator asked the roster for (``RosterParams``) and its filters as
one condition on the profile row (``roster_filters``); the search itself is
``creators.selectors.search``, the page ``creators.selectors.roster``."""

import hashlib
import json
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Exists, OuterRef, Q

from actors.models import RedLines
from creators.selectors.search import SORT_NEWEST, SORT_RELEVANCE, SORTS
from marketplace.money import Currency, to_reference


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


def roster_filters(params: RosterParams) -> Q:
    """The filters of ``params`` as one condition on the profile row (no
    join: creators.selectors.bounded tests it on rows of its own)."""
    condition = Q()
    if params.language:
        condition &= _json_list_has("languages", params.language)
    if params.gender:
        condition &= Q(gender=params.gender)
    if params.age_min is not None:
        # A missing bound is open-ended; an actor with no playing age at all
        # does not match an age filter.
        condition &= Q(playing_age_max__gte=params.age_min) | Q(
            playing_age_max__isnull=True, playing_age_min__isnull=False
        )
    if params.age_max is not None:
        condition &= Q(playing_age_min__lte=params.age_max) | Q(
            playing_age_min__isnull=True, playing_age_max__isnull=False
        )
    if params.country:
        condition &= Q(country=params.country)
    if params.city.strip():
        condition &= Q(city__icontains=params.city.strip())
    if params.skill.strip():
        condition &= Q(skills__icontains=params.skill.strip())
    if params.category:
        excluded = RedLines.objects.filter(_json_list_has("excluded_categories", params.category), actor=OuterRef("pk"))
        condition &= Q(~Exists(excluded))
    if params.fee_max is not None:
        ceiling = to_reference(params.fee_max, params.currency)
        condition &= Q(min_fee_usd__isnull=True) | Q(min_fee_usd__lte=ceiling)
    if params.ai_training:
        condition &= Q(Exists(RedLines.objects.filter(actor=OuterRef("pk"), ai_training_allowed=True)))
    return condition


def _json_list_has(field: str, key: str) -> Q:
    """The JSON list in ``field`` holds ``key`` (an ASCII code or key)."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__contains": [key]})  # jsonb @>
    # SQLite has no JSON containment lookup; keys are ASCII, so the quoted
    # key as a substring of the stored JSON text is exact.
    return Q(**{f"{field}__icontains": f'"{key}"'})
