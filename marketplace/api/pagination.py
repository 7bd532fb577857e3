"""Cursor pagination for every list of the API.

A cursor is opaque; a page is "the rows after the last one seen", so rows
added meanwhile never shift a page. A cursor that cannot be read is a 400
naming the ``cursor`` parameter, not DRF's default 404 and never a quiet
first page: DRF's own reading skips characters outside base64, takes any
length and passes any position to the query (a non-numeric one is a 500).
An empty ``cursor`` is the first page, as on the roster.
"""

import binascii
import re
from base64 import b64decode
from urllib.parse import parse_qs

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import Cursor, CursorPagination

from marketplace.forms import MAX_PK

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
BAD_CURSOR = _("This cursor is not valid here. Start again from the first page.")

# What ``encode_cursor`` writes: standard base64 of ``o=<offset>&r=1&p=<position>``,
# under 50 characters; the schema documents both limits.
MAX_CURSOR_LENGTH = 100
CURSOR_PATTERN = r"^[A-Za-z0-9+/]*={0,2}$"
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,19}")


def page_size_from(request, *, default: int = DEFAULT_PAGE_SIZE, maximum: int = MAX_PAGE_SIZE) -> int:
    """``?page_size=``: a whole number from 1 to ``maximum``; absent means
    ``default``; anything else, empty included (see ``marketplace.api.filters``),
    is a 400 naming the parameter."""
    if "page_size" not in request.query_params:
        return default
    raw = request.query_params["page_size"].strip()
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= maximum):
        raise ValidationError({"page_size": [str(_("Give a whole number from 1 to %(max)s.") % {"max": maximum})]})
    return int(raw)


class NewestFirstPagination(CursorPagination):
    """Newest first by id (ids only grow, so the order is total and stable)."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering: str | tuple[str, ...] = "-id"

    def decode_cursor(self, request) -> Cursor | None:
        """The cursor of ``?cursor=``, None for the first page. Every
        ordering here starts with an integer column (an id, a shot's
        position), so the position must be a 64-bit whole number."""
        encoded = request.query_params.get(self.cursor_query_param)
        if not encoded:
            return None
        if len(encoded) > MAX_CURSOR_LENGTH or not re.fullmatch(CURSOR_PATTERN, encoded):
            raise self._bad_cursor()
        try:
            tokens = parse_qs(
                b64decode(encoded, validate=True).decode("ascii"), keep_blank_values=True, strict_parsing=True
            )
        except (binascii.Error, ValueError) as exc:  # UnicodeDecodeError is a ValueError
            raise self._bad_cursor() from exc
        if not tokens.keys() <= {"o", "r", "p"} or any(len(values) != 1 for values in tokens.values()):
            raise self._bad_cursor()
        offset = tokens.get("o", ["0"])[0]
        reverse = tokens.get("r", ["0"])[0]
        position = tokens.get("p", [None])[0]
        if not (offset.isascii() and offset.isdigit() and int(offset) <= self.offset_cutoff):
            raise self._bad_cursor()
        if reverse not in ("0", "1"):
            raise self._bad_cursor()
        if position is not None and not (_WHOLE_NUMBER.fullmatch(position) and abs(int(position)) <= MAX_PK):
            raise self._bad_cursor()
        # A string, as DRF's own decode_cursor gives it and compares it with
        # str() of each row's value; the stubs say int.
        return Cursor(offset=int(offset), reverse=reverse == "1", position=position)  # type: ignore[arg-type]

    def _bad_cursor(self) -> ValidationError:
        return ValidationError({self.cursor_query_param: [str(BAD_CURSOR)]})

    def get_page_size(self, request):
        return page_size_from(request, default=self.page_size, maximum=self.max_page_size)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        """DRF's two parameters, with the limits the server holds them to."""
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.cursor_query_param:
                parameter["description"] = "From `next` or `previous` of the last page; empty or absent: the first."
                parameter["schema"].update(pattern=CURSOR_PATTERN, maxLength=MAX_CURSOR_LENGTH)
            elif parameter["name"] == self.page_size_query_param:
                parameter["description"] = f"1-{self.max_page_size}, default {self.page_size}."
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


class OldestFirstPagination(NewestFirstPagination):
    """Oldest first by id: a message thread reads top to bottom."""

    ordering: str | tuple[str, ...] = "id"
