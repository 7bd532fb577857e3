"""The versions of a request's terms side by side: what each counter-offer
changed from the version before it (the request page's diff)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from usage_requests.models import RequestTerms

# The terms a counter-offer can change, as the request page groups them
# (the licence term is its start and end together). The shots are not part
# of a version: a counter-offer changes the terms, never which shots are asked.
TERMS_DIFF_FIELDS: dict[str, tuple[str, ...]] = {
    "fee": ("fee",),
    "currency": ("currency",),
    "term": ("term_start", "term_end"),
    "territory": ("territory",),
    "ai_training": ("ai_training",),
}


@dataclass(frozen=True)
class TermsChange:
    """One term that differs between two consecutive versions; ``before``
    and ``after`` are the stored values (a tuple for the licence term)."""

    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class TermsVersion:
    """A version of the terms with the version before it (None for the
    first) and what changed since (``changed``: the names, for templates)."""

    terms: RequestTerms
    previous: RequestTerms | None
    changes: tuple[TermsChange, ...]

    @property
    def changed(self) -> frozenset[str]:
        return frozenset(change.field for change in self.changes)


def _term_value(terms: RequestTerms, names: tuple[str, ...]) -> Any:
    values = tuple(getattr(terms, name) for name in names)
    return values[0] if len(values) == 1 else values


def terms_changes(previous: RequestTerms, current: RequestTerms) -> tuple[TermsChange, ...]:
    """What ``current`` changes from ``previous``, in the page's order."""
    changes = []
    for field, names in TERMS_DIFF_FIELDS.items():
        before, after = _term_value(previous, names), _term_value(current, names)
        if before != after:
            changes.append(TermsChange(field=field, before=before, after=after))
    return tuple(changes)


def terms_history(versions: Sequence[RequestTerms]) -> list[TermsVersion]:
    """Each version (oldest first, as ``request_detail`` prefetches them)
    with what it changed from the one before it; no query."""
    ordered = sorted(versions, key=lambda terms: terms.version)
    return [
        TermsVersion(
            terms=terms,
            previous=ordered[index - 1] if index else None,
            changes=terms_changes(ordered[index - 1], terms) if index else (),
        )
        for index, terms in enumerate(ordered)
    ]
