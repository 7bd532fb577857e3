"""The text of an actor profile that the roster searches, as stored.

Computed in Python from the profile (``actors.services.actor_search_refresh``
on every save, ``seed_volume`` in bulk) and stored on the row, so both
databases search exactly the same text:

* ``search_document``: the lower-cased stage name on the first line, then
  the headline, skills, city and biography, one per line, where the stage
  name itself is replaced by a line break. Text found on the first line is a
  stage-name match; text found below is a match elsewhere. The actor's own
  name repeated in their biography is not text "elsewhere": without this,
  "王" would find every 王 of a name a second time, below the first line,
  and the roster could not tell cheaply that no one else matches.
* ``search_grams``: space-separated keys for search words too short for
  trigrams (one or two characters): ``n:`` and every character and every
  pair of neighbouring characters of the stage name; then, without a prefix,
  every Chinese or Japanese character and every pair of neighbouring
  non-space characters of the rest. PostgreSQL indexes them (GIN), so
  "王", "雨", "晓雨" or "li" are looked up, never scanned for.
* terms (``search_terms_in``): the Latin words of three letters or more,
  the lexicon that typo correction and "did you mean" look words up in
  (``actors.models.SearchTerm``).
"""

import re

CJK_RANGES = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RUN = re.compile(f"[{CJK_RANGES}]+")
_CJK_CHAR = re.compile(f"[{CJK_RANGES}]")
# Letters only (no digits, underscores or Chinese characters), three or more.
_LATIN_WORD = re.compile(rf"[^\W\d_{CJK_RANGES}]{{3,}}")
NAME_GRAM_PREFIX = "n:"
MAX_TERM_LENGTH = 40


def is_cjk(character: str) -> bool:
    return bool(_CJK_CHAR.fullmatch(character))


def search_name_line(stage_name: str) -> str:
    """The first line of the document: the stage name, lower-cased, on one line."""
    return " ".join(stage_name.lower().split())


def search_document_for(*, stage_name: str, headline: str, skills: str, city: str, bio: str) -> str:
    """The stored search text: the name line, then the rest without the name."""
    name = search_name_line(stage_name)
    rest = "\n".join(part for part in (headline, skills, city, bio) if part).lower()
    return f"{name}\n{_without_name(rest, name)}"


def _without_name(text: str, name: str) -> str:
    """``text`` with each mention of ``name`` replaced by a line break. A
    name ending in a Latin letter or digit is only replaced as a whole word,
    so "Al" is not cut out of "martial"; a one-character name is kept."""
    if len(name) < 2:
        return text
    before = r"(?<!\w)" if name[0].isalnum() and not is_cjk(name[0]) else ""
    after = r"(?!\w)" if name[-1].isalnum() and not is_cjk(name[-1]) else ""
    return re.sub(before + re.escape(name) + after, "\n", text)


def split_document(document: str) -> tuple[str, str]:
    """(name line, rest) of a stored search document."""
    name, _newline, rest = document.partition("\n")
    return name, rest


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1) if not (text[i].isspace() or text[i + 1].isspace())}


def search_grams_for(document: str) -> str:
    """The stored gram keys of a search document (see the module docstring)."""
    name, rest = split_document(document)
    name_grams = {character for character in name if not character.isspace()} | _pairs(name)
    rest_grams = {character for character in rest if is_cjk(character)} | _pairs(rest)
    keys = {NAME_GRAM_PREFIX + gram for gram in name_grams} | rest_grams
    return " ".join(sorted(keys))


def search_terms_in(document: str) -> set[str]:
    """The lexicon words of a search document: Latin words, three letters or more."""
    return {word for word in _LATIN_WORD.findall(document) if len(word) <= MAX_TERM_LENGTH}


def is_lexicon_shaped(text: str) -> bool:
    """``text`` is Latin letters only, as many as a lexicon word may have:
    found in a search document, it lies inside one lexicon word (a run of
    letters ends at anything else), unless that run is longer than
    ``MAX_TERM_LENGTH``, which the lexicon does not keep."""
    return bool(_LATIN_WORD.fullmatch(text)) and len(text) <= MAX_TERM_LENGTH


def cjk_bigrams(text: str) -> list[str]:
    """Overlapping character pairs of every run of Chinese (or Japanese)
    characters; a run of one character is kept as it is.

    "林晓雨，擅长武术" gives ["林晓", "晓雨", "擅长", "长武", "武术"]. Indexed
    as words (``search_ngrams``, part of ``search_vector``), they let
    PostgreSQL's full-text search find any two or more consecutive characters.
    """
    grams: list[str] = []
    for run in CJK_RUN.findall(text or ""):
        if len(run) == 1:
            grams.append(run)
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def trigrams(word: str) -> set[str]:
    """pg_trgm's trigrams of one word: padded with two spaces in front and
    one behind, so short words and their first letters count."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(first: str, second: str) -> float:
    """pg_trgm's ``similarity`` for single words: shared trigrams over all."""
    mine, theirs = trigrams(first), trigrams(second)
    union = mine | theirs
    return len(mine & theirs) / len(union) if union else 0.0
