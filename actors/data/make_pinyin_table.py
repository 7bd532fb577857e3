"""Write ``actors/data/pinyin.json`` from pypinyin (``make pinyin-table``).

pypinyin is a development requirement only: the portal reads the table
(``actors.pinyin``), never the library (about 57 MB in memory).
"""

import json
from pathlib import Path

from pypinyin import Style, lazy_pinyin, pinyin

OUT = Path(__file__).with_name("pinyin.json")
# Characters that read differently as a family name than in most words.
SURNAMES = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "区": "ou", "查": "zha", "朴": "piao", "盖": "ge",
    "覃": "qin", "秘": "bi", "尉": "yu", "乐": "yue", "繁": "po", "缪": "miao", "翟": "zhai", "褚": "chu",
    "员": "yun", "万": "wan", "长": "chang", "参": "can", "种": "chong", "洗": "xian", "冼": "xian",
    "召": "shao", "折": "she", "藏": "zang", "令": "ling", "过": "guo", "柏": "bai", "华": "hua",
}  # fmt: skip


def gb2312_characters() -> list[str]:
    """The 6,763 Chinese characters of GB 2312 (rows 16 to 87)."""
    found = []
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                found.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return found


def main() -> None:
    readings = {}
    for character in gb2312_characters():
        reading = lazy_pinyin(character, style=Style.NORMAL, v_to_u=False, errors="ignore")
        if reading and reading[0].isascii() and reading[0].isalpha():
            readings[character] = reading[0]
    surnames = {
        character: value
        for character, value in SURNAMES.items()
        if value in {item for items in pinyin(character, style=Style.NORMAL, heteronym=True) for item in items}
    }
    table = {"readings": readings, "surnames": surnames}
    OUT.write_text(
        json.dumps(table, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    print(f"{OUT}: {len(readings)} characters, {len(surnames)} surname readings")


if __name__ == "__main__":
    main()
