"""The roster search's bilingual vocabulary: skills and roles that actors
write in English or in Chinese, so a search for one finds the other
("martial arts" finds 武术, and 武术 finds "martial arts").

Curated, small, lower-case. A search word (or run of words) that is exactly
one of a concept's forms is searched as "any form of the concept": each form
is then matched like any search word (as a substring of the actor's text),
on both databases. Forms are data, not interface text: they are never shown
translated, only searched.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Concept:
    forms: tuple[str, ...]  # English forms first, then Chinese ones


VOCABULARY: tuple[Concept, ...] = (
    Concept(("martial arts", "kung fu", "wushu", "武术", "功夫")),
    Concept(("horse riding", "horseback riding", "equestrian", "马术", "骑马")),
    Concept(("peking opera", "beijing opera", "京剧")),
    Concept(("dance", "dancing", "舞蹈", "跳舞")),
    Concept(("dancer", "舞蹈演员")),
    Concept(("guzheng", "古筝")),
    Concept(("calligraphy", "书法")),
    Concept(("tai chi", "taichi", "太极拳", "太极")),
    Concept(("swimming", "游泳")),
    Concept(("singing", "唱歌", "演唱")),
    Concept(("singer", "歌手")),
    Concept(("voice acting", "dubbing", "配音")),
    Concept(("voice actor", "配音演员")),
    Concept(("fencing", "击剑")),
    Concept(("acrobatics", "杂技")),
    Concept(("dialects", "方言")),
    Concept(("skiing", "滑雪")),
    Concept(("ballet", "芭蕾", "芭蕾舞")),
    Concept(("piano", "钢琴")),
    Concept(("improv", "improvisation", "即兴表演", "即兴")),
    Concept(("stage combat", "舞台格斗")),
    Concept(("stunt driving", "特技驾驶")),
    Concept(("motion capture", "mocap", "动作捕捉", "动捕")),
    Concept(("sign language", "手语")),
    Concept(("skateboarding", "滑板")),
    Concept(("stunt performer", "stunt double", "stuntman", "fight double", "武打替身", "特技演员", "替身")),
    Concept(("comedy", "comedian", "喜剧", "喜剧演员")),
    Concept(("model", "模特")),
    Concept(("action actor", "动作演员")),
    Concept(("stage actor", "theatre actor", "话剧演员")),
)

_CONCEPT_OF: dict[str, Concept] = {form: concept for concept in VOCABULARY for form in concept.forms}
# The longest form, in words: how far ahead a search is looked at.
LONGEST_FORM = max(len(form.split()) for form in _CONCEPT_OF)


def concept_of(phrase: str) -> Concept | None:
    """The concept of which the lower-cased ``phrase`` is exactly a form."""
    return _CONCEPT_OF.get(phrase)
