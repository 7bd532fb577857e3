"""The API's JSON parser: DRF's, with a limit on how deep a body may nest.

Python's ``json`` recurses once per level, so a body of 10,000 ``[`` (20 KB,
well under any size limit) raises ``RecursionError``, which DRF does not
catch: a 500. Here it is a 400 like any other unreadable body. A body that
parses but nests past ``MAX_JSON_DEPTH`` is refused as well, so no serializer
or error renderer recurses over it later. No body of this API nests more
than three levels (``decisions`` → a decision → its ``note``).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_JSON_DEPTH = 32
TOO_DEEP = _("The JSON body is nested more than %(max)s levels deep.")


def nests_deeper_than(data: object, limit: int) -> bool:
    """Whether ``data`` has objects or arrays more than ``limit`` levels deep
    (iterative: the check itself must not recurse)."""
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = list(value.values())
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        too_deep = ParseError(str(TOO_DEEP) % {"max": MAX_JSON_DEPTH})
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        if nests_deeper_than(data, MAX_JSON_DEPTH):
            raise too_deep
        return data
