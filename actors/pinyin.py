"""Chinese stage names written in pinyin, for readable ASCII slugs
(``/roster/chen-si-yuan/`` rather than ``/roster/actor-3f9a2c/``).

The readings come from pypinyin (``make pinyin-table`` regenerates
``actors/data/pinyin.json`` from it): the 6,763 characters of GB 2312 with
their most common reading, toneless, plus the surname readings of
characters that read differently as a family name (单 shàn, 曾 zēng, 解 xiè,
…). The table is a 60 KB file loaded on first use; pypinyin itself keeps
about 57 MB in memory, too much for every web process to carry for a slug.
"""

import json
import re
from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).with_name("data") / "pinyin.json"
HAN = re.compile(r"[\u3400-\u9fff]+")


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, str], dict[str, str]]:
    data = json.loads(TABLE.read_text(encoding="utf-8"))
    return data["readings"], data["surnames"]


def romanized(name: str) -> str:
    """``name`` with every run of Chinese characters in toneless pinyin, a
    syllable per character, separated by spaces; a name that starts with
    Chinese characters reads its first one as a surname. A character the
    table lacks is dropped (the caller's slug then falls back)."""
    readings, surnames = _table()

    def run(match: re.Match[str]) -> str:
        syllables = []
        for index, character in enumerate(match.group()):
            if index == 0 and match.start() == 0 and character in surnames:
                syllables.append(surnames[character])
            elif character in readings:
                syllables.append(readings[character])
        return " " + " ".join(syllables) + " "

    return HAN.sub(run, name).strip()
