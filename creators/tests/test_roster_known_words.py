"""A word that no profile has is known from the lexicon before any profile
is read (``creators.selectors.bounded._known_words``): a typo's first,
exact try costs a lookup in the lexicon, not a walk of the newest rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actors.search import is_lexicon_shaped
from actors.tests.factories import ActorProfileFactory
from creators.selectors import roster
from creators.selectors.query import parse_search
from creators.selectors.roster import SORT_RELEVANCE, RosterParams, roster_search
from creators.tests.plans import executed_scans


@pytest.mark.parametrize(
    ("text", "shaped"),
    [
        ("okafr", True),
        ("xiaoyu", True),
        ("lin", True),
        ("li", False),
        ("王", False),
        ("o'neil", False),
        ("r2d2", False),
        ("x" * 40, True),
        ("x" * 41, False),
        ("martial arts", False),
    ],
)
def test_which_words_the_lexicon_can_answer_for(text, shaped):
    assert is_lexicon_shaped(text) is shaped


@pytest.fixture
def okafors(db):
    for index in range(3):
        ActorProfileFactory(listed=True, stage_name=f"Maya Okafor {index}", city="Berlin")


def _statements(q: str) -> tuple:
    with CaptureQueriesContext(connection) as captured:
        page = roster_search(params=RosterParams(q=q, sort=SORT_RELEVANCE))
    return page, captured.captured_queries


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_typo_reads_no_profile_before_it_is_widened(okafors):
    page, statements = _statements("maya okafr")
    # Widened to its correction, as before.
    assert len(page.actors) == 3
    assert page.suggestion == "maya okafor"
    assert "actors_searchterm" in statements[0]["sql"]
    # The exact try, run again with the values it was sent with: it read no
    # profile row, only the lexicon's index.
    exact = roster._bounded_rows(
        RosterParams(q="maya okafr", sort=SORT_RELEVANCE),
        parse_search("maya okafr", correct=False),
        SORT_RELEVANCE,
        None,
        None,
        forward=True,
        limit=26,
    )
    ran = executed_scans(exact.raw_query, exact.params)
    profile_scans = [scan for scan in ran if scan[1] in {"actors_actorprofile", "actor_listed_newest_idx"} and scan[2]]
    assert profile_scans == []
    lexicon = {"search_term_trgm", "actors_searchterm", "actors_searchterm_pkey"}
    assert any(scan[1] in lexicon and scan[2] for scan in ran), ran


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_word_some_profile_has_is_searched_as_before(okafors):
    page, statements = _statements("berlin okafor")
    assert len(page.actors) == 3
    assert page.suggestion == ""
    # The page (short of 25, so the lexicon is asked for typos, as before) and
    # nothing widened.
    assert len(statements) == 2


@pytest.mark.postgres
@pytest.mark.django_db
def test_part_of_a_word_passes_the_lexicon(okafors):
    # "kafo" is inside "okafor": the lexicon answers by substring, as the search does.
    page, _statements_sent = _statements("kafo")
    assert len(page.actors) == 3
