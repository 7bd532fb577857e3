"""Cursor pagination for every list of the API.

A cursor is opaque; a page is "the rows after the last one seen", so rows
added meanwhile never shift a page. A cursor that cannot be read is a 400
naming the ``cursor`` parameter, not DRF's default 404.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
BAD_CURSOR = _("This cursor is not valid here. Start again from the first page.")


def page_size_from(request, *, default: int = DEFAULT_PAGE_SIZE, maximum: int = MAX_PAGE_SIZE) -> int:
    """``?page_size=``: a whole number from 1 to ``maximum``; absent or empty
    means ``default``; anything else is a 400 naming the parameter."""
    raw = request.query_params.get("page_size", "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= maximum):
        raise ValidationError({"page_size": [str(_("Give a whole number from 1 to %(max)s.") % {"max": maximum})]})
    return int(raw)


class NewestFirstPagination(CursorPagination):
    """Newest first by id (ids only grow, so the order is total and stable)."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering: str | tuple[str, ...] = "-id"

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound as exc:  # DRF's answer to any unreadable cursor
            raise ValidationError({self.cursor_query_param: [str(BAD_CURSOR)]}) from exc

    def get_page_size(self, request):
        return page_size_from(request, default=self.page_size, maximum=self.max_page_size)


class OldestFirstPagination(NewestFirstPagination):
    """Oldest first by id: a message thread reads top to bottom."""

    ordering: str | tuple[str, ...] = "id"
