"""The roster search's words, the same on SQLite and PostgreSQL: bilingual
vocabulary, typo correction and "did you mean", one-character searches,
and the count of matches."""

from datetime import timedelta

import pytest
from django.utils import timezone

from actors.models import ActorProfile
from actors.services import actor_opt_out
from actors.tests.factories import ActorProfileFactory
from creators.selectors import roster
from creators.selectors.query import parse_search
from creators.selectors.roster import SORT_NEWEST, SORT_RELEVANCE, RosterParams, roster_search
from creators.vocabulary import VOCABULARY

pytestmark = pytest.mark.django_db


def listed(**fields) -> ActorProfile:
    return ActorProfileFactory(listed=True, **fields)


def slugs(**params) -> list[str]:
    return [actor.slug for actor in roster_search(params=RosterParams(**params)).actors]


def aged(actor: ActorProfile, days: int) -> ActorProfile:
    ActorProfile.objects.filter(pk=actor.pk).update(created_at=timezone.now() - timedelta(days=days))
    return actor


# --- Bilingual vocabulary -------------------------------------------------------------


def test_martial_arts_finds_actors_who_wrote_wushu_in_chinese_and_back():
    listed(slug="zh", stage_name="林晓雨", skills="武术, 马术")
    listed(slug="en", stage_name="Maya Okafor", skills="martial arts")
    listed(slug="other", stage_name="Hugo Rossi", skills="ballet")
    assert set(slugs(q="martial arts")) == {"zh", "en"}
    assert set(slugs(q="武术")) == {"zh", "en"}
    assert set(slugs(q="Martial Arts")) == {"zh", "en"}


def test_a_vocabulary_phrase_with_another_word_needs_both():
    listed(slug="rider", stage_name="陈思远", skills="马术", city="北京")
    listed(slug="elsewhere", stage_name="王一凡", skills="马术", city="上海")
    assert slugs(q="horse riding 北京") == ["rider"]


def test_only_a_whole_form_is_widened():
    listed(slug="phrase", skills="擅长武术和马术")
    listed(slug="english", skills="martial arts")
    # "擅长武术" is not a form of the vocabulary: it is searched as typed.
    assert slugs(q="擅长武术") == ["phrase"]


def test_every_vocabulary_form_belongs_to_one_concept_only():
    forms = [form for concept in VOCABULARY for form in concept.forms]
    assert len(forms) == len(set(forms))
    assert all(form == form.lower().strip() for form in forms)


# --- Typos and "did you mean" ---------------------------------------------------------------


def test_a_misspelt_name_finds_the_actor_and_suggests_the_spelling():
    listed(slug="elena", stage_name="Elena Petrova")
    listed(slug="other", stage_name="Ingrid Weber")
    page = roster_search(params=RosterParams(q="Elna Petrova"))
    assert [actor.slug for actor in page.actors] == ["elena"]
    assert page.suggestion == "Elena Petrova"


def test_a_typo_in_a_pinyin_name_finds_the_actor():
    listed(slug="lin", stage_name="Lin Xiaoyu")
    listed(slug="other", stage_name="Daniel Reyes")
    page = roster_search(params=RosterParams(q="lin xaoyu"))
    assert [actor.slug for actor in page.actors] == ["lin"]
    assert page.suggestion == "lin xiaoyu"


def test_a_correctly_spelt_search_suggests_nothing():
    listed(slug="petrova", stage_name="Elena Petrova")
    listed(slug="petrov", stage_name="Ivan Petrov")
    page = roster_search(params=RosterParams(q="Petrova"))
    assert "petrova" in [actor.slug for actor in page.actors]
    assert page.suggestion == ""


def test_a_search_with_enough_results_is_not_widened(django_assert_num_queries):
    for index in range(3):
        listed(stage_name=f"Elena Petrova {index}")
    with django_assert_num_queries(1):
        page = roster_search(params=RosterParams(q="Elena"), page_size=3)
    assert page.suggestion == ""


def test_other_sorts_take_the_words_as_typed():
    listed(slug="elena", stage_name="Elena Petrova")
    assert slugs(q="Elna Petrova", sort=SORT_NEWEST) == []


def test_no_suggestion_names_an_actor_who_is_not_listed():
    hidden = listed(slug="hidden", stage_name="Zephyrine Quartermaine")
    actor_opt_out(actor=hidden)
    page = roster_search(params=RosterParams(q="Zephyrina"))
    assert page.actors == []
    assert page.suggestion == ""


def test_the_pages_of_a_widened_search_stay_widened():
    for index in range(5):
        aged(listed(slug=f"elena-{index}", stage_name=f"Elena Petrova {index}"), index)
    params = RosterParams(q="Elna", sort=SORT_RELEVANCE)
    first = roster_search(params=params, page_size=2)
    assert [actor.slug for actor in first.actors] == ["elena-0", "elena-1"]
    second = roster_search(params=params, page_size=2, cursor=first.next_cursor)
    assert not second.cursor_rejected
    assert [actor.slug for actor in second.actors] == ["elena-2", "elena-3"]


def test_words_of_every_profile_go_to_the_lexicon():
    listed(stage_name="Elena Petrova", skills="Stage combat, 武术")
    parsed = parse_search("Petrva combt")
    assert {unit.text: unit.corrections[:1] for unit in parsed.units} == {"petrva": ("petrova",), "combt": ("combat",)}


# --- One character, and the stage name's own mentions ------------------------------------------


def test_one_chinese_character_finds_names_first_then_other_mentions():
    aged(listed(slug="wang", stage_name="王一凡", bio="王一凡，北京动作演员。"), 30)
    listed(slug="mentions", stage_name="陈思远", bio="曾与王一凡合作")
    listed(slug="neither", stage_name="林晓雨", bio="上海演员")
    assert slugs(q="王") == ["wang", "mentions"]


def test_a_biography_naming_the_actor_is_not_a_second_reason_to_match():
    listed(slug="lin", stage_name="Lin Xiaoyu", bio="Lin Xiaoyu trained in Beijing.")
    page = roster_search(params=RosterParams(q="xiaoyu"))
    assert [actor.slug for actor in page.actors] == ["lin"]
    assert page.count is not None
    assert page.count.value == 1


def test_two_latin_letters_match_inside_words():
    listed(slug="felix", stage_name="Felix Moreau")
    listed(slug="berlin", stage_name="Hana Kim", city="Berlin")
    listed(slug="none", stage_name="Omar Haddad", city="Paris")
    assert slugs(q="li") == ["felix", "berlin"]


# --- How many -------------------------------------------------------------------------------


def test_the_page_counts_the_matches():
    for index in range(3):
        listed(stage_name=f"Stunt Double {index}")
    listed(stage_name="Someone Else")
    page = roster_search(params=RosterParams(q="stunt"), page_size=2)
    assert (page.count.value, page.count.exact) == (3, True)
    empty = roster_search(params=RosterParams(q="nobody at all"))
    assert (empty.count.value, empty.count.exact) == (0, True)


def test_the_count_stops_past_its_limit(monkeypatch):
    monkeypatch.setattr(roster, "COUNT_LIMIT", 3)
    for index in range(5):
        listed(stage_name=f"Stunt Double {index}")
    page = roster_search(params=RosterParams(q="stunt"))
    assert (page.count.value, page.count.exact) == (3, False)


def test_the_count_is_in_the_same_query_as_the_page(django_assert_num_queries):
    for index in range(4):
        listed(stage_name=f"Stunt Double {index}", skills="stunt" if index % 2 else "")
    with django_assert_num_queries(1):
        page = roster_search(params=RosterParams(q="stunt", sort=SORT_RELEVANCE), page_size=2)
    assert page.count.value == 4


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("names", "elsewhere", "expected"),
    [
        # Enough in the names: counted there, past the limit.
        (4, 0, (3, False)),
        # Too few in the names: the rest is counted through the search indexes.
        (1, 1, (2, True)),
        (1, 4, (3, False)),
        (0, 2, (2, True)),
    ],
)
def test_each_way_of_counting_past_the_window_agrees(monkeypatch, names, elsewhere, expected):
    # A window of one row: the walk never suffices, so the count comes from
    # the names' index or from the search indexes (bounded.count_sql).
    from creators.selectors import bounded

    monkeypatch.setattr(bounded, "WINDOW", 1)
    monkeypatch.setattr(roster, "COUNT_LIMIT", 3)
    for index in range(names):
        listed(stage_name=f"Lin Xiaoyu {index}")
    for index in range(elsewhere):
        listed(stage_name=f"Someone {index}", skills="lin xiaoyu style")
    listed(stage_name="Lin Only")
    page = roster_search(params=RosterParams(q="lin xiaoyu", sort=SORT_RELEVANCE), page_size=2)
    assert (page.count.value, page.count.exact) == expected


@pytest.mark.postgres
def test_counting_in_the_names_keeps_the_filters(monkeypatch):
    from creators.selectors import bounded

    monkeypatch.setattr(bounded, "WINDOW", 1)
    monkeypatch.setattr(roster, "COUNT_LIMIT", 3)
    for index in range(4):
        listed(stage_name=f"Lin Xiaoyu {index}", country="FR")
    listed(stage_name="Lin Xiaoyu Chen", country="CN")
    page = roster_search(params=RosterParams(q="lin xiaoyu", country="CN"), page_size=2)
    assert (page.count.value, page.count.exact) == (1, True)
