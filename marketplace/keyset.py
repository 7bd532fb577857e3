"""Keyset pagination for the logs (the audit log, the access log): newest
first on ``(created_at, id)``, never COUNT and never OFFSET, so page 2,000
costs what page 1 does and the table's size is never read.

A page links to the next older and the next newer page with a ``cursor``:
the direction and the ``(created_at, id)`` of the row it starts after,
signed (``django.core.signing``, one salt per page) so only positions the
portal wrote are read back. A cursor that is not one (forged, truncated,
from another page, too long) gives the first page, never an error.
"""

import datetime
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core import signing
from django.db.models import Model, Q, QuerySet

M = TypeVar("M", bound=Model)

MAX_CURSOR_LENGTH = 200
OLDER, NEWER = "o", "n"


@dataclass(frozen=True)
class KeysetPage(Generic[M]):
    """One page: its rows, newest first, and the cursors of the pages either
    side ("" when there is none). ``rejected``: the cursor given could not
    be read, so this is the first page."""

    rows: list[M]
    newer: str = ""
    older: str = ""
    rejected: bool = False

    @property
    def has_other_pages(self) -> bool:
        return bool(self.newer or self.older)


def keyset_page(rows: QuerySet[M], *, cursor: str, salt: str, size: int) -> KeysetPage[M]:
    """The page of ``rows`` (a queryset with ``created_at`` and ``id``) at
    ``cursor``; the first (newest) page for an empty or unreadable one. One
    query, or two when a "newer" cursor reaches the newest rows (then the
    first page is shown, full)."""
    position = _read(cursor, salt) if cursor else None
    if position is None:
        return _older_than(rows, None, salt=salt, size=size, rejected=bool(cursor))
    direction, at, pk = position
    if direction == OLDER:
        return _older_than(rows, (at, pk), salt=salt, size=size)
    newer = list(
        rows.filter(Q(created_at__gt=at) | Q(created_at=at, id__gt=pk)).order_by("created_at", "id")[: size + 1]
    )
    if len(newer) <= size:
        return _older_than(rows, None, salt=salt, size=size)
    page = newer[:size][::-1]
    return KeysetPage(
        rows=page,
        newer=_write(NEWER, page[0], salt),
        older=_write(OLDER, page[-1], salt),
    )


def _older_than(
    rows: QuerySet[M], after: tuple[datetime.datetime, int] | None, *, salt: str, size: int, rejected: bool = False
) -> KeysetPage[M]:
    if after is not None:
        at, pk = after
        # created_at <= at bounds the index range; the OR breaks ties by id.
        rows = rows.filter(created_at__lte=at).filter(Q(created_at__lt=at) | Q(id__lt=pk))
    found = list(rows.order_by("-created_at", "-id")[: size + 1])
    page = found[:size]
    return KeysetPage(
        rows=page,
        newer=_write(NEWER, page[0], salt) if after is not None and page else "",
        older=_write(OLDER, page[-1], salt) if len(found) > size else "",
        rejected=rejected,
    )


def _write(direction: str, row: Any, salt: str) -> str:
    return signing.dumps([direction, row.created_at.isoformat(), row.pk], salt=salt)


def _read(cursor: str, salt: str) -> tuple[str, datetime.datetime, int] | None:
    """The cursor's direction and position, or None when it is not one this
    page wrote."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        return None
    try:
        direction, stamp, pk = signing.loads(cursor, salt=salt)
        at = datetime.datetime.fromisoformat(stamp)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if direction not in (OLDER, NEWER) or type(pk) is not int or not 0 < pk < 2**63 or at.tzinfo is None:
        return None
    return direction, at, pk
