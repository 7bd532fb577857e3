"""English for an international audience: day-month-year with the month's
abbreviation and a 24-hour clock ("4 Dec 2026", "4 Dec 2026, 21:06"),
unambiguous to a reader in London, Beijing or Los Angeles alike. Django's US
default ("Dec. 4, 2026, 9:06 p.m.") ends in a full stop, which doubled when
a sentence ended with a date ("Closed on … p.m.."), and its short form
"12/04/2026" reads as 12 April outside the US."""

from django.conf.locale.en.formats import *  # noqa: F403

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
