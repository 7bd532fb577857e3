"""Small presentation helpers for the portal's templates."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

register = template.Library()


@register.filter
def ago(moment: datetime | None) -> str:
    """'just now' under a minute, otherwise '3 hours ago', in the active language."""
    if moment is None:
        return ""
    if timezone.now() - moment < timedelta(minutes=1):
        return _("just now")
    return _("%(ago)s ago") % {"ago": timesince(moment)}


@register.simple_tag
def colon() -> str:
    """The colon between a label and its value, as the active language writes
    it: ": " in English, the full-width "：" (no space) in Chinese."""
    return pgettext("between a label and its value", ": ")


@register.filter
def bracketed(value: str) -> str:
    """``value`` in round brackets as the active language writes them:
    "(CNY)" in English, the full-width "（人民币）" in Chinese. Escaped."""
    return mark_safe(pgettext("round brackets around a note", "(%(text)s)") % {"text": conditional_escape(value)})  # noqa: S308 - the value is escaped, the brackets are ours
