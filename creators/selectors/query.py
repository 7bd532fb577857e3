"""What a roster search asks for: its words, their bilingual forms and
their typo corrections, the same on both databases.

A search is split into units. A unit is a word, or a run of words that is a
form of a concept of the bilingual vocabulary (``creators.vocabulary``); an
actor matches when, for every unit, one of its alternatives is a substring
of the actor's search text (``actors.search``). A word's alternatives are
the word itself and, when the search is widened for typos, its closest
lexicon words by trigram similarity ("Okafr": "okafor"; "Xaoyu": "xiaoyu";
"Elna": "elena"). A vocabulary unit's alternatives are the concept's forms
("martial arts", "kung fu", 武术 …).

The lexicon (``actors.models.SearchTerm``) is looked up once per search,
through an index on each database: pg_trgm's trigram GiST index on
PostgreSQL (the nearest words by ``<->``, those with a similarity of at
least the default threshold, 0.3, ``%``), an FTS5 trigram table on SQLite
(words sharing a trigram or the first two letters, then the same similarity
computed here).
"""

import re
from dataclasses import dataclass

from django.db import connection

from actors.search import CJK_RANGES, similarity
from creators.vocabulary import LONGEST_FORM, concept_of

# Typo correction: words of letters only, long enough for trigrams to mean
# something, and at most this many corrections each.
_CORRECTABLE = re.compile(rf"[^\W\d_{CJK_RANGES}]{{4,40}}")
MAX_CORRECTIONS = 3
SIMILARITY_THRESHOLD = 0.3


@dataclass(frozen=True)
class Unit:
    """One thing the search asks for: any of ``alternatives`` will do."""

    text: str  # as searched, lower-cased
    alternatives: tuple[str, ...]
    corrections: tuple[str, ...] = ()  # the alternatives that correct a typo, closest first


@dataclass(frozen=True)
class ParsedSearch:
    units: tuple[Unit, ...]

    @property
    def corrected(self) -> bool:
        return any(unit.corrections for unit in self.units)

    def __bool__(self) -> bool:
        return bool(self.units)


def parse_search(q: str, *, correct: bool = True) -> ParsedSearch:
    """The units of ``q``; with ``correct``, typos get their corrections
    (one query to the lexicon, none when no word needs it)."""
    words = q.lower().split()
    units: dict[str, Unit] = {}
    index = 0
    while index < len(words):
        for length in range(min(LONGEST_FORM, len(words) - index), 0, -1):
            phrase = " ".join(words[index : index + length])
            concept = concept_of(phrase)
            if concept is not None:
                units.setdefault(phrase, Unit(phrase, concept.forms))
                index += length
                break
        else:
            units.setdefault(words[index], Unit(words[index], (words[index],)))
            index += 1
    parsed = ParsedSearch(tuple(units.values()))
    return _with_corrections(parsed) if correct else parsed


def _with_corrections(parsed: ParsedSearch) -> ParsedSearch:
    candidates = [unit.text for unit in parsed.units if unit.alternatives == (unit.text,)]
    candidates = [word for word in candidates if _CORRECTABLE.fullmatch(word)]
    if not candidates:
        return parsed
    corrections = _lexicon_corrections(candidates)
    units = []
    for unit in parsed.units:
        found = tuple(term for term in corrections.get(unit.text, ()) if term != unit.text)
        units.append(Unit(unit.text, (unit.text, *found), found) if found else unit)
    return ParsedSearch(tuple(units))


def _lexicon_corrections(words: list[str]) -> dict[str, tuple[str, ...]]:
    """For each word, its closest lexicon words, closest first."""
    if connection.vendor == "postgresql":
        return _postgresql_corrections(words)
    return {word: found for word in words if (found := _sqlite_corrections(word))}


def _postgresql_corrections(words: list[str]) -> dict[str, tuple[str, ...]]:
    # One statement for every word. "%%" is pg_trgm's similarity operator
    # (the parameter style doubles it) and "<->" its distance: the nearest
    # words come first out of the lexicon's GiST index, which stops after
    # MAX_CORRECTIONS + 1 (the word itself may be one of them).
    rows = ", ".join(["(%s)"] * len(words))
    sql = (
        "SELECT word, ARRAY(SELECT term FROM (SELECT term FROM actors_searchterm WHERE term %% word "  # noqa: S608
        f"ORDER BY term <-> word LIMIT {MAX_CORRECTIONS + 1}) AS nearest WHERE term <> word "
        f"LIMIT {MAX_CORRECTIONS}) FROM (VALUES {rows}) AS searched(word)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, words)
        return {word: tuple(terms) for word, terms in cursor.fetchall() if terms}


def _sqlite_corrections(word: str) -> tuple[str, ...]:
    """Lexicon words sharing a trigram or the first two letters with
    ``word`` (the FTS5 trigram table, the primary key), then pg_trgm's
    similarity computed here."""
    with connection.cursor() as cursor:
        trigrams = " OR ".join(_phrase(word[i : i + 3]) for i in range(len(word) - 2))
        cursor.execute(
            "SELECT term FROM actors_searchterm_fts WHERE actors_searchterm_fts MATCH %s "
            "UNION SELECT term FROM actors_searchterm WHERE term >= %s AND term < %s LIMIT 2000",
            [trigrams, word[:2], word[:1] + chr(ord(word[1]) + 1)],
        )
        scored = [(similarity(word, term), term) for (term,) in cursor.fetchall() if term != word]
    best = sorted((item for item in scored if item[0] >= SIMILARITY_THRESHOLD), key=lambda item: (-item[0], item[1]))
    return tuple(term for _score, term in best[:MAX_CORRECTIONS])


def _phrase(text: str) -> str:
    """An FTS5 phrase matching ``text`` as a substring (trigram tokenizer)."""
    return '"' + text.replace('"', '""') + '"'
