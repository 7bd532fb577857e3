"""PostgreSQL finds search words through the search indexes, never by
reading the whole profile table (plan checks, actors.search_index).

With sequential scans priced out (``enable_seqscan = off``), a condition no
index can serve still shows as a sequential scan: these tests fail the day a
change to the search makes one of its words unindexable again. Plain index
scans are priced out too, so that walking the newest index with a filter
(which reads the whole table for a rare word) cannot stand in for a lookup.
"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actors.models import ActorProfile, SearchTerm
from actors.tests.factories import ActorProfileFactory
from creators.selectors import search
from creators.selectors.query import _postgresql_corrections, parse_search
from creators.selectors.roster import RosterParams, roster_search

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SEARCH_INDEXES = {"actor_search_grams", "actor_search_parts_trgm"}


@pytest.fixture(autouse=True)
def _only_index_lookups():
    for index in range(20):
        ActorProfileFactory(listed=True, stage_name=f"王一凡 {index}", bio="北京动作演员", skills="martial arts")
        ActorProfileFactory(listed=True, stage_name=f"Maya Okafor {index}", city="Berlin")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE actors_actorprofile")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")


def scans(sql: str, params=()) -> list[tuple[str, str]]:
    """(node type, index or table) of every scan of the statement's plan."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params or None)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found = []

    def walk(node):
        if "Scan" in node["Node Type"] and node["Node Type"] not in ("CTE Scan", "Subquery Scan", "Values Scan"):
            found.append((node["Node Type"], node.get("Index Name") or node.get("Relation Name", "")))
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return found


def lookups(condition) -> list[tuple[str, str]]:
    """The scans that find the profiles matching ``condition`` (the heap
    fetch of what a bitmap found and the user look-up left out)."""
    sql, params = ActorProfile.objects.filter(condition).values("pk").query.sql_with_params()
    return [scan for scan in scans(sql, params) if scan[1] != "marketplace_user" and scan[0] != "Bitmap Heap Scan"]


@pytest.mark.parametrize("word", ["王", "雨", "晓雨", "li"])
def test_one_or_two_characters_are_looked_up_in_the_gram_index(word):
    parsed = parse_search(word, correct=False)
    for condition in (search.name_condition(parsed), search.other_condition(parsed), search.search_condition(parsed)):
        found = lookups(condition)
        assert found
        assert all(node == "Bitmap Index Scan" and index in SEARCH_INDEXES for node, index in found), found
        assert ("Bitmap Index Scan", "actor_search_grams") in found


@pytest.mark.parametrize("words", ["okafor", "Maya Okafor", "martial arts", "林晓雨"])
def test_longer_words_are_looked_up_in_the_trigram_indexes(words):
    parsed = parse_search(words, correct=False)
    for condition in (search.name_condition(parsed), search.other_condition(parsed), search.search_condition(parsed)):
        found = lookups(condition)
        assert found
        assert all(node == "Bitmap Index Scan" and index in SEARCH_INDEXES for node, index in found), found
        assert ("Bitmap Index Scan", "actor_search_parts_trgm") in found


def test_a_word_in_the_name_and_another_in_the_rest_are_one_index_scan():
    """The second relevance tier of a search of two words: one in the stage
    name, the other elsewhere. One trigram index holds both parts, so one
    scan intersects the two words' entries (actors/0012)."""
    maya, berlin = parse_search("maya berlin", correct=False).units
    condition = search._unit_in(search.NAME, maya) & search._unit_in(search.REST, berlin)
    assert lookups(condition) == [("Bitmap Index Scan", "actor_search_parts_trgm")]
    assert ActorProfile.objects.filter(condition).count() == 20


@pytest.mark.parametrize("q", ["王", "li", "Maya Okafr", "martial arts"])
def test_no_roster_search_reads_the_whole_profile_table(q):
    with CaptureQueriesContext(connection) as captured:
        roster_search(params=RosterParams(q=q))
    for query in captured.captured_queries:
        found = scans(query["sql"])
        assert ("Seq Scan", "actors_actorprofile") not in found, (q, found)
        assert ("Seq Scan", "actors_searchterm") not in found, (q, found)


def test_typo_corrections_are_looked_up_in_the_lexicon_trigram_index():
    # A lexicon of some size: a few dozen words are read whole, rightly.
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = {a + b + c + d + "ton" for a in letters[:9] for b in letters[9:18] for c in letters[18:] for d in "aeiou"}
    SearchTerm.objects.bulk_create([SearchTerm(term=word) for word in words])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE actors_searchterm")
    assert _postgresql_corrections(["okafr"]) == {"okafr": ("okafor",)}
    with connection.cursor() as cursor:
        # The nearest words are read in order from the GiST index (a KNN
        # scan, which is an index scan).
        cursor.execute("SET LOCAL enable_indexscan = on")
    with CaptureQueriesContext(connection) as captured:
        _postgresql_corrections(["okafr", "xaoyu"])
    found = scans(captured.captured_queries[0]["sql"])
    assert found == [("Index Scan", "search_term_trgm")]


def test_the_lexicon_answers_whether_a_word_exists_from_its_index():
    # The check a typo's exact try starts with (bounded._known_words): the
    # lexicon holds every word of every profile, so it must never be read whole.
    for index in range(200):
        SearchTerm.objects.get_or_create(term=f"filler{index:03d}word")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE actors_searchterm")
    from creators.selectors.bounded import _known_words

    sql, params = _known_words(parse_search("maya okafr", correct=False))
    assert ("Bitmap Index Scan", "search_term_trgm") in scans(f"SELECT {sql}", params)
    assert all(name != "actors_searchterm" or kind != "Seq Scan" for kind, name in scans(f"SELECT {sql}", params))
