"""PostgreSQL: page 1 walks the newest rows once for its count and for the
walks that start at the top (``creators.selectors.bounded``, the ``newest``
CTE). Whichever way a walk gets its rows (from the shared one, or its own
when the shared one holds too few of its tier), the pages are the same."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actors.models import ActorProfile
from actors.tests.factories import ActorProfileFactory
from creators.selectors import bounded, roster
from creators.selectors.roster import SORT_NEWEST, SORT_RELEVANCE, RosterCount, RosterParams, roster_search
from creators.tests.paging import walk
from creators.tests.plans import executed_in_ctes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

COUNT_LIMIT = 5
# Newest first: N has "rigging" in the stage name, O elsewhere only, - not at all.
PATTERNS = {
    # The names are the newest: the shared walk holds a page of them.
    "names-first": "NNNNOOOOOO",
    # The first COUNT_LIMIT + 1 matches are all elsewhere: the name tier
    # walks on its own.
    "names-last": "OOOOOOONNN",
    "alternating": "ONONONONON",
    "sparse": "O--N--O--N-O",
    # Fewer matches than the count keeps: the shared walk read the window.
    "few": "N-O--",
}


def _build(pattern: str) -> tuple[list[int], list[int]]:
    """The actors of ``pattern``: (name matches, other matches), newest first."""
    names, others = [], []
    for age, kind in enumerate(pattern):
        if kind == "N":
            actor = ActorProfileFactory(listed=True, stage_name=f"Rigging Lead {age}", skills="dance")
            names.append(actor.pk)
        elif kind == "O":
            actor = ActorProfileFactory(listed=True, stage_name=f"Actor {age}", skills="stunt rigging")
            others.append(actor.pk)
        else:
            actor = ActorProfileFactory(listed=True, stage_name=f"Nobody {age}", skills="dance")
        ActorProfile.objects.filter(pk=actor.pk).update(created_at=timezone.now() - timedelta(days=age))
    return names, others


@pytest.mark.parametrize("window", [3, 4000])
@pytest.mark.parametrize("page_size", [1, 2, 3])
@pytest.mark.parametrize("pattern", list(PATTERNS))
def test_every_page_is_the_same_whichever_walk_serves_it(monkeypatch, pattern, page_size, window):
    monkeypatch.setattr(roster, "COUNT_LIMIT", COUNT_LIMIT)
    monkeypatch.setattr(bounded, "WINDOW", window)
    names, others = _build(PATTERNS[pattern])
    total = len(names) + len(others)
    expected_count = RosterCount(value=min(total, COUNT_LIMIT), exact=total <= COUNT_LIMIT)

    relevance = RosterParams(q="rigging", sort=SORT_RELEVANCE)
    assert walk(relevance, page_size=page_size) == names + others
    assert roster_search(params=relevance, page_size=page_size).count == expected_count

    # The newest order (one part, no tiers) the same way.
    newest = RosterParams(q="rigging", sort=SORT_NEWEST)
    in_order = ActorProfile.objects.filter(pk__in=names + others).order_by("-created_at", "-id")
    assert walk(newest, page_size=page_size) == list(in_order.values_list("pk", flat=True))
    assert roster_search(params=newest, page_size=page_size).count == expected_count


def _walks(q: str, *, page_size: int, cursor: str | None = None) -> int:
    """How many walks of the newest index the page of ``q`` at ``cursor``
    ran (the shared one and each part's own)."""
    with CaptureQueriesContext(connection) as captured:
        roster_search(params=RosterParams(q=q, sort=SORT_RELEVANCE), page_size=page_size, cursor=cursor)
    sql = captured.captured_queries[-1]["sql"]
    with connection.cursor() as database:
        # A table of ten rows is read whole; at any size worth the name the
        # newest rows are walked along their index, as here.
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            database.execute(f"SET LOCAL {setting} = off")
    ctes = executed_in_ctes(sql, None, ("newest", "walked"))
    return sum(1 for ran in ctes if any(name == "actor_listed_newest_idx" and loops for _node, name, loops in ran))


def test_page_one_walks_the_newest_rows_once_when_that_is_enough(monkeypatch):
    monkeypatch.setattr(roster, "COUNT_LIMIT", COUNT_LIMIT)
    _build(PATTERNS["names-first"])
    # The count's walk, shared: the names are among its first matches.
    assert _walks("rigging", page_size=3) == 1


def test_page_one_walks_the_name_tier_again_when_the_shared_walk_holds_too_few(monkeypatch):
    monkeypatch.setattr(roster, "COUNT_LIMIT", COUNT_LIMIT)
    _build(PATTERNS["names-last"])
    # The count's walk met COUNT_LIMIT + 1 matches elsewhere first: the name
    # tier walks on its own.
    assert _walks("rigging", page_size=3) == 2


def test_the_page_where_the_names_end_fetches_a_rare_second_tier_without_walking(monkeypatch):
    monkeypatch.setattr(roster, "COUNT_LIMIT", 20)
    names, others = _build("NNNNN-O--")
    params = RosterParams(q="rigging", sort=SORT_RELEVANCE)
    first = roster_search(params=params, page_size=2)
    second = roster_search(params=params, cursor=first.next_cursor, page_size=2)
    # Page 3 holds the last name and the one other match. Page 1 saw every
    # match of the window, one of them outside the names: the second tier
    # is fetched, not walked, so only the name tier's walk reads the index.
    assert _walks("rigging", page_size=2, cursor=second.next_cursor) == 1
    third = roster_search(params=params, cursor=second.next_cursor, page_size=2)
    assert [actor.pk for actor in third.actors] == [names[4], others[0]]
    assert third.count == RosterCount(value=6, exact=True)


def test_a_second_tier_that_fills_pages_is_walked(monkeypatch):
    monkeypatch.setattr(roster, "COUNT_LIMIT", 20)
    _build("NNNNNOOOOOOO")
    params = RosterParams(q="rigging", sort=SORT_RELEVANCE)
    first = roster_search(params=params, page_size=2)
    second = roster_search(params=params, cursor=first.next_cursor, page_size=2)
    # Seven other matches among the newest rows: more than a page, so tier 0
    # is walked from the top (and page 3 reads the index twice).
    assert _walks("rigging", page_size=2, cursor=second.next_cursor) == 2
