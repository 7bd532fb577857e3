"""Both catalogs stay complete: a message without its Chinese translation fails."""

import gettext
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
ZH_PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
ZH_MO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.mo"


def test_every_chinese_message_is_translated_and_not_fuzzy():
    catalog = polib.pofile(str(ZH_PO))
    untranslated = [entry.msgid for entry in catalog.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
    assert untranslated == [], f"untranslated: {untranslated}"
    assert fuzzy == [], f"fuzzy: {fuzzy}"


def test_chinese_translations_keep_their_placeholders():
    import re

    placeholder = re.compile(r"%\(\w+\)s|\{\w*\}")
    for entry in polib.pofile(str(ZH_PO)):
        # Chinese has one plural form, used for every count: it follows the
        # English plural, which names the count the singular may leave out.
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        source = entry.msgid_plural or entry.msgid
        for translated in translations:
            assert sorted(placeholder.findall(source)) == sorted(placeholder.findall(translated)), entry.msgid


# Half-width punctuation touching Chinese text, or a space after full-width
# punctuation on the same line ("创作者: …", "原因： 改变主意了", "人民币（CNY）)").
HALF_WIDTH_BESIDE_CHINESE = {
    "colon": r"[\u4e00-\u9fff]:",
    "comma": r"[\u4e00-\u9fff],",
    "semicolon": r"[\u4e00-\u9fff];",
    "question or exclamation mark": r"[\u4e00-\u9fff][?!]",
    "bracket": r"[\u4e00-\u9fff][()]|[()][\u4e00-\u9fff]",
    "space after full-width punctuation": r"[：，。；（！？][ \t\u3000]",
    "doubled closing brackets": r"[）)][)）]",
    "mismatched brackets": r"（[^）(]*\)(?!s)|\([^)（]*）",
}


@pytest.mark.parametrize("rule", sorted(HALF_WIDTH_BESIDE_CHINESE))
def test_chinese_translations_use_full_width_punctuation(rule):
    import re

    pattern = re.compile(HALF_WIDTH_BESIDE_CHINESE[rule])
    placeholder = re.compile(r"%\(\w+\)[sd]")
    offending = []
    for entry in polib.pofile(str(ZH_PO)):
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for translated in translations:
            # A placeholder's own brackets are not punctuation.
            if pattern.search(placeholder.sub("X", translated)):
                offending.append(translated)
    assert offending == [], f"{rule}: {offending}"


def test_compiled_catalog_matches_the_source_catalog():
    with ZH_MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in polib.pofile(str(ZH_PO)).translated_entries():
        if entry.msgid_plural:
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr_plural[0], entry.msgid
        else:
            key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
            assert compiled._catalog.get(key) == entry.msgstr, f"stale .mo for {entry.msgid!r}: run `make messages`"


@pytest.mark.gettext
def test_catalog_holds_every_message_of_the_source(tmp_path):
    """Extract messages afresh; any msgid missing from the committed catalog fails."""
    root = Path(settings.BASE_DIR)
    work = tmp_path / "src"
    work.mkdir()
    for name in ["marketplace", "actors", "creators", "usage_requests", "moderation", "templates", "manage.py"]:
        (work / name).symlink_to(root / name)
    (work / "locale").mkdir()
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--symlinks", "--ignore=*/tests/*"],
        cwd=work,
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "marketplace.settings.test", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    fresh = polib.pofile(str(work / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    committed = {entry.msgid for entry in polib.pofile(str(ZH_PO))}
    missing = sorted({entry.msgid for entry in fresh} - committed)
    assert missing == [], f"messages missing from locale/zh_Hans (run `make messages`): {missing}"


def test_amounts_are_grouped_by_thousands_in_both_languages():
    from decimal import Decimal

    from django.template.defaultfilters import floatformat
    from django.utils import translation

    for language in ("en", "zh-hans"):
        with translation.override(language):
            assert floatformat(Decimal("12000"), "2g") == "12,000.00"
    with translation.override("zh-hans"):
        from datetime import date

        from django.utils.formats import date_format

        assert date_format(date(2026, 12, 4)) == "2026年12月4日"


def test_english_dates_are_day_month_year_on_a_24_hour_clock_with_no_trailing_full_stop():
    from datetime import date, datetime

    from django.utils import translation
    from django.utils.formats import date_format

    with translation.override("en"):
        assert date_format(date(2026, 12, 4)) == "4 Dec 2026"
        assert date_format(datetime(2026, 12, 4, 21, 6), "DATETIME_FORMAT") == "4 Dec 2026, 21:06"
        assert date_format(datetime(2026, 12, 4, 21, 6), "SHORT_DATETIME_FORMAT") == "2026-12-04 21:06"
        sentence = f"Closed on {date_format(datetime(2026, 12, 4, 21, 6), 'DATETIME_FORMAT')}."
        assert not sentence.endswith("..")


@pytest.mark.parametrize(
    ("count", "english", "chinese"),
    [(1, "1 unread message about “Rain”", "关于“Rain”有 1 条未读消息"), (4, "4 unread messages about “Rain”", None)],
)
def test_counted_notifications_use_the_plural_form_of_their_language(count, english, chinese):
    from django.utils import translation

    from usage_requests.notifications import MESSAGES_DIGEST

    params = {"count": count, "project": "Rain"}
    with translation.override("en"):
        assert MESSAGES_DIGEST.render_title(params) == english
    with translation.override("zh-hans"):
        assert MESSAGES_DIGEST.render_title(params) == (chinese or f"关于“Rain”有 {count} 条未读消息")


def test_no_message_counts_with_a_bracketed_plural():
    offending = [entry.msgid for entry in polib.pofile(str(ZH_PO)) if "(s)" in entry.msgid]
    assert offending == []


def test_a_counted_text_without_its_count_still_shows_a_title():
    from usage_requests.notifications import MESSAGES_DIGEST

    assert MESSAGES_DIGEST.render_title({"project": "Rain"}) == "You have a new notification"


def test_a_chinese_deadline_reads_in_days_and_hours():
    from datetime import timedelta

    from django.template import Context, Template
    from django.utils import timezone, translation

    now = timezone.now()
    template = Template(
        "{% load i18n %}{% blocktranslate with when=t|timeuntil:now %}Expires in {{ when }}.{% endblocktranslate %}"
    )
    context = Context({"t": now + timedelta(days=6, hours=23, minutes=5), "now": now})
    with translation.override("zh-hans"):
        assert template.render(context) == "6\xa0天 23\xa0小时后过期。"
    with translation.override("en"):
        assert template.render(context) == "Expires in 6\xa0days, 23\xa0hours."


def test_django_still_uses_every_message_the_catalog_translates_again():
    import inspect

    from django.utils import timesince

    from marketplace.django_messages import DJANGO_MESSAGES

    source = inspect.getsource(timesince)
    for message in DJANGO_MESSAGES:
        msgid = getattr(message, "_proxy____args", [message])[0] if not isinstance(message, str) else message
        assert f'"{msgid}"' in source, msgid
