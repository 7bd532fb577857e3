"""The stored search text of a profile (actors.search) and what indexes it
(actors.search_index)."""

import pytest
from django.db import connection

from actors.models import ActorProfile, SearchTerm
from actors.search import search_document_for, search_grams_for, search_terms_in, similarity
from actors.search_index import SQLITE_TABLES, SQLITE_TRIGGERS, ensure_sqlite_search_index
from actors.services import actor_profile_update
from actors.tests.factories import ActorProfileFactory


def document(**fields) -> str:
    values = {"stage_name": "", "headline": "", "skills": "", "city": "", "bio": ""} | fields
    return search_document_for(**values)


def test_the_stage_name_is_the_first_line_and_not_repeated_below():
    text = document(stage_name="王一凡", headline="动作演员", bio="王一凡，北京动作演员。")
    assert text == "王一凡\n动作演员\n\n，北京动作演员。"


def test_a_latin_name_is_only_taken_out_as_whole_words():
    text = document(stage_name="Al", skills="martial arts", bio="Al trains daily.")
    assert text == "al\nmartial arts\n\n trains daily."


def test_a_one_character_name_stays_in_the_text():
    assert document(stage_name="王", bio="王府井") == "王\n王府井"


def test_gram_keys_hold_the_names_characters_and_pairs_and_the_rests_chinese_and_pairs():
    keys = search_grams_for(document(stage_name="王一凡", city="Berlin 北京"))
    assert {"n:王", "n:王一", "n:一凡", "n:凡"} <= set(keys.split())
    assert {"北", "北京", "be", "li", "in"} <= set(keys.split())
    # A lone Latin letter of the rest has no key; a pair across a space none either.
    assert "b" not in keys.split()
    assert "n 北" not in keys


def test_lexicon_words_are_latin_words_of_three_letters_or_more():
    assert search_terms_in("lin xiaoyu\n武术, horse riding\nab 12345 o'neil") == {
        "lin",
        "xiaoyu",
        "horse",
        "riding",
        "neil",
    }


def test_similarity_is_pg_trgms_for_single_words():
    assert similarity("okafr", "okafor") == pytest.approx(4 / 9)
    assert similarity("elna", "elena") == pytest.approx(3 / 8)
    assert similarity("word", "word") == 1.0


@pytest.mark.django_db
def test_saving_a_profile_stores_its_grams_and_adds_its_words_to_the_lexicon():
    actor = ActorProfileFactory(stage_name="林晓雨")
    actor_profile_update(actor=actor, data={"headline": "Wuxia Lead", "skills": "武术"})
    stored = ActorProfile.objects.values("search_document", "search_grams").get(pk=actor.pk)
    assert stored["search_document"].startswith("林晓雨\nwuxia lead\n")
    assert {"n:林晓", "n:晓雨", "武术", "wu"} <= set(stored["search_grams"].split())
    assert SearchTerm.objects.filter(term__in=["wuxia", "lead"]).count() == 2


@pytest.mark.django_db
def test_sqlite_full_text_index_follows_every_write_and_comes_back_after_a_table_rebuild():
    if connection.vendor != "sqlite":
        pytest.skip("the FTS5 tables are SQLite's")
    actor = ActorProfileFactory(stage_name="Maya Okafor")

    def indexed(text: str) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowid FROM actors_search_fts WHERE actors_search_fts MATCH %s", [f'"{text}"'])
            return [row[0] for row in cursor.fetchall()]

    assert indexed("okafor") == [actor.pk]
    actor_profile_update(actor=actor, data={"stage_name": "Maya Okoye"})
    assert indexed("okafor") == []
    assert indexed("okoye") == [actor.pk]
    # What Django's rebuild of an altered SQLite table leaves: no triggers.
    with connection.cursor() as cursor:
        for name in SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
        cursor.execute("DELETE FROM actors_search_fts")
    assert ensure_sqlite_search_index(connection) is True
    assert indexed("okoye") == [actor.pk]
    assert ensure_sqlite_search_index(connection) is False
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master")
        assert set(SQLITE_TABLES) | set(SQLITE_TRIGGERS) <= {row[0] for row in cursor.fetchall()}
