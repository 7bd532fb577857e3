"""Small presentation helpers for the portal's templates."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
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
