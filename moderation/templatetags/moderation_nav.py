"""The navigation's moderation badge: ``{% open_queue_total as waiting %}``.

Only the navigation of a moderator calls it; the total is counted once per
request, however often a page asks."""

from typing import Any

from django import template

from moderation.selectors import open_queue_total as _open_queue_total

register = template.Library()


@register.simple_tag(takes_context=True)
def open_queue_total(context: dict[str, Any]) -> int:
    request = context.get("request")
    cached = getattr(request, "_open_queue_total", None)
    if cached is None:
        cached = _open_queue_total()
        if request is not None:
            request._open_queue_total = cached
    return cached
