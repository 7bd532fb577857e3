"""Django's own messages that the portal's catalog translates again.

Django's zh_Hans catalog writes a duration as "6 日，23 小时" (日 for a day
count, a full-width comma between the parts); Chinese readers of a deadline
expect "6 天 23 小时". LOCALE_PATHS come before Django's catalogs, so an
entry in locale/zh_Hans/LC_MESSAGES/django.po wins, but `make messages`
extracts only the project's sources and drops every other entry
(--no-obsolete). Listing the msgids here keeps them extracted, so their
overrides survive. Nothing imports this module at run time; a test checks
that Django still uses every msgid listed.

The separator ", " is also the one ``django.utils.text.get_text_list``
puts between list items (in unique-together errors, which no portal form
raises): there it reads "甲 乙 和 丙", which is still understood.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

DJANGO_MESSAGES = [
    # django.utils.timesince.TIME_STRINGS: the parts of "6 days, 23 hours".
    ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
    # django.utils.timesince.timesince: what joins the parts.
    gettext_noop(", "),
]
