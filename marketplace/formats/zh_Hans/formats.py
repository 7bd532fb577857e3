"""Simplified Chinese: Django's formats (dates as 2026年12月4日 21:06), with
amounts grouped by thousands as CLDR and Chinese finance write them
("9,000.00 CNY"); Django's default writes no separator at all ("9000.00")."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
