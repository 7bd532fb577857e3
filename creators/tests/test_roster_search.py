"""The roster selector: who is listed, search, filters, sorts, keyset pages."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import signing
from django.utils import timezone

from actors.models import ActorProfile, RedLines, VerificationStatus
from actors.services import actor_listing_refresh, actor_opt_out
from actors.tests.factories import ActorProfileFactory
from creators.selectors.roster import (
    COUNT_LIMIT,
    SORT_FEE,
    SORT_NEWEST,
    SORT_RELEVANCE,
    RosterCount,
    RosterParams,
    roster_search,
)
from creators.tests.paging import walk
from marketplace.money import to_reference

pytestmark = pytest.mark.django_db


def listed(**fields) -> ActorProfile:
    if "min_fee" in fields:
        fields.setdefault("fee_currency", "CNY")
        fields["min_fee_usd"] = to_reference(Decimal(fields["min_fee"]), fields["fee_currency"])
    return ActorProfileFactory(listed=True, **fields)


def slugs(cursor: str | None = None, page_size: int = 24, **params) -> list[str]:
    page = roster_search(params=RosterParams(**params), cursor=cursor, page_size=page_size)
    return [actor.slug for actor in page.actors]


# --- Who is on the roster ---------------------------------------------------------


def test_only_listed_actors_appear():
    on_roster = listed(slug="on-roster")
    ActorProfileFactory(slug="never-opted-in", verification_status=VerificationStatus.VERIFIED)
    ActorProfileFactory(slug="unverified", opted_in=True, verification_status=VerificationStatus.PENDING)
    actor_opt_out(actor=listed(slug="opted-out"))
    suspended = listed(slug="suspended")
    suspended.user.suspended_at = timezone.now()
    suspended.user.save()
    actor_listing_refresh(actor=suspended)

    assert slugs() == [on_roster.slug]


def test_suspended_user_is_hidden_even_before_the_listing_is_refreshed():
    listed(slug="kept")
    suspended = listed(slug="suspended")
    suspended.user.suspended_at = timezone.now()
    suspended.user.save()
    assert slugs() == ["kept"]


# --- Search -------------------------------------------------------------------------


def test_search_finds_stage_name_headline_skills_and_bio_in_english():
    listed(slug="by-name", stage_name="Maya Okafor")
    listed(slug="by-headline", headline="Stunt performer and fight double")
    listed(slug="by-skill", skills="horse riding, fencing")
    listed(slug="by-bio", bio="Trained at the Beijing Film Academy.\nLoves Fencing.")
    listed(slug="nothing", stage_name="Someone Else", headline="Voice actor")

    assert slugs(q="okafor") == ["by-name"]
    assert slugs(q="Stunt") == ["by-headline"]
    assert slugs(q="horse riding") == ["by-skill"]
    assert set(slugs(q="fencing")) == {"by-skill", "by-bio"}


def test_every_word_of_the_search_must_match():
    listed(slug="both", headline="Stunt performer", skills="horse riding")
    listed(slug="one", headline="Stunt performer", skills="ballet")
    assert slugs(q="stunt horse") == ["both"]


def test_search_finds_chinese_stage_name_substring_and_skill():
    listed(slug="lin", stage_name="林晓雨", skills="武术, 马术", headline="动作演员")
    listed(slug="chen", stage_name="陈思远", skills="京剧", headline="话剧演员")

    assert slugs(q="林晓雨") == ["lin"]
    assert slugs(q="晓雨") == ["lin"]
    assert slugs(q="武术") == ["lin"]
    assert slugs(q="京剧") == ["chen"]
    assert set(slugs(q="演员")) == {"lin", "chen"}


def test_search_with_no_match_is_empty():
    listed(stage_name="Maya Okafor")
    assert slugs(q="zzzqqq") == []


@pytest.mark.postgres
def test_typo_in_stage_name_still_finds_the_actor_on_postgresql():
    listed(slug="lin", stage_name="Lin Xiaoyu")
    listed(slug="other", stage_name="Daniel Reyes")
    assert slugs(q="Lin Xaoyu") == ["lin"]


@pytest.mark.postgres
def test_chinese_and_english_search_on_postgresql():
    listed(slug="lin", stage_name="林晓雨", skills="擅长武术和马术", bio="Trained in Beijing")
    listed(slug="maya", stage_name="Maya Okafor", headline="Stunt performer")
    assert slugs(q="晓雨") == ["lin"]
    assert slugs(q="武术") == ["lin"]
    assert slugs(q="beijing") == ["lin"]
    assert slugs(q="stunt performer") == ["maya"]


@pytest.mark.postgres
def test_stage_name_match_ranks_above_biography_match_on_postgresql():
    listed(slug="bio", bio="Worked with Maya on stage")
    listed(slug="name", stage_name="Maya Okafor")
    assert slugs(q="maya", sort=SORT_RELEVANCE) == ["name", "bio"]


# --- Filters --------------------------------------------------------------------------


def test_language_filter():
    listed(slug="zh", languages=["zh", "en"])
    listed(slug="yue", languages=["yue"])
    assert slugs(language="zh") == ["zh"]
    assert slugs(language="yue") == ["yue"]


def test_gender_filter():
    listed(slug="f", gender="female")
    listed(slug="m", gender="male")
    assert slugs(gender="female") == ["f"]


def test_playing_age_filter_keeps_overlapping_ranges():
    listed(slug="young", playing_age_min=18, playing_age_max=25)
    listed(slug="middle", playing_age_min=30, playing_age_max=45)
    listed(slug="from-60", playing_age_min=60)
    listed(slug="unknown")
    assert set(slugs(age_min=24, age_max=32)) == {"young", "middle"}
    assert set(slugs(age_min=50)) == {"from-60"}
    assert set(slugs(age_max=20)) == {"young"}
    assert set(slugs(age_min=46, age_max=59)) == set()


def test_country_and_city_filters():
    listed(slug="bj", country="CN", city="Beijing")
    listed(slug="sh", country="CN", city="上海")
    listed(slug="ldn", country="GB", city="London")
    assert set(slugs(country="CN")) == {"bj", "sh"}
    assert slugs(city="beij") == ["bj"]
    assert slugs(city="上海") == ["sh"]


def test_skill_filter():
    listed(slug="rider", skills="Horse riding, 武术")
    listed(slug="dancer", skills="ballet")
    assert slugs(skill="horse") == ["rider"]
    assert slugs(skill="武术") == ["rider"]


def test_category_filter_hides_actors_who_excluded_it():
    accepts = listed(slug="accepts")
    refuses = listed(slug="refuses")
    RedLines.objects.filter(actor=refuses).update(excluded_categories=["adult", "gambling"])
    RedLines.objects.filter(actor=accepts).update(excluded_categories=["political"])
    assert slugs(category="adult") == ["accepts"]
    assert slugs(category="political") == ["refuses"]
    assert set(slugs(category="film")) == {"accepts", "refuses"}


def test_maximum_fee_compares_across_currencies_and_keeps_actors_without_fee():
    listed(slug="cheap-cny", min_fee="3000", fee_currency="CNY")  # about 423 USD
    listed(slug="dear-usd", min_fee="2000", fee_currency="USD")
    listed(slug="cheap-eur", min_fee="400", fee_currency="EUR")  # about 435 USD
    listed(slug="no-fee")
    assert set(slugs(fee_max=Decimal("3500"))) == {"cheap-cny", "cheap-eur", "no-fee"}
    assert set(slugs(fee_max=Decimal("500"), currency="USD")) == {"cheap-cny", "cheap-eur", "no-fee"}
    assert set(slugs(fee_max=Decimal("2000"), currency="USD")) == {"cheap-cny", "cheap-eur", "dear-usd", "no-fee"}
    assert set(slugs(fee_max=Decimal("0"))) == {"no-fee"}


def test_ai_training_filter():
    allowed = listed(slug="allowed")
    listed(slug="never")
    RedLines.objects.filter(actor=allowed).update(ai_training_allowed=True)
    assert slugs(ai_training=True) == ["allowed"]


def test_filters_combine():
    listed(slug="match", languages=["zh"], gender="female", country="CN", skills="武术")
    listed(slug="wrong-gender", languages=["zh"], gender="male", country="CN", skills="武术")
    listed(slug="wrong-country", languages=["zh"], gender="female", country="TW", skills="武术")
    assert slugs(q="武术", language="zh", gender="female", country="CN") == ["match"]


# --- Sorts ----------------------------------------------------------------------------


def test_newest_first_by_default():
    first = listed(slug="first")
    second = listed(slug="second")
    ActorProfile.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=2))
    ActorProfile.objects.filter(pk=second.pk).update(created_at=timezone.now() - timedelta(days=1))
    listed(slug="third")
    assert slugs() == ["third", "second", "first"]
    assert slugs(sort=SORT_NEWEST) == ["third", "second", "first"]


def test_relevance_without_search_falls_back_to_newest():
    listed(slug="older")
    listed(slug="newer")
    page = roster_search(params=RosterParams(sort=SORT_RELEVANCE))
    assert page.sort == SORT_NEWEST
    assert [actor.slug for actor in page.actors] == ["newer", "older"]


def test_relevance_puts_stage_name_matches_first():
    listed(slug="name", stage_name="Maya Okafor")
    listed(slug="bio-later", bio="Shared a stage with Maya Okafor.")
    assert slugs(q="maya okafor", sort=SORT_RELEVANCE)[0] == "name"


def _aged(actor: ActorProfile, days: int) -> ActorProfile:
    ActorProfile.objects.filter(pk=actor.pk).update(created_at=timezone.now() - timedelta(days=days))
    return actor


def test_relevance_is_stage_name_matches_first_then_the_newest():
    # The name matches are the oldest rows: the tier, not the date, puts them first.
    _aged(listed(slug="name", stage_name="Maya Okafor"), 30)
    _aged(listed(slug="bio-old", stage_name="Hugo Rossi", bio="Shared a stage with Maya."), 20)
    _aged(listed(slug="bio-new", stage_name="Ines Costa", bio="Trained with Maya in Lagos."), 1)
    _aged(listed(slug="headline-mid", stage_name="Omar Haddad", headline="Maya's stunt double"), 10)
    listed(slug="unrelated", stage_name="Noah Weber")
    assert slugs(q="maya", sort=SORT_RELEVANCE) == ["name", "bio-new", "headline-mid", "bio-old"]


def test_relevance_orders_the_rest_like_the_newest_sort():
    """Tier 0 is the newest order restricted to the matches, ties by id."""
    actors = [listed(skills="martial arts", stage_name=f"Actor {index}") for index in range(6)]
    same_moment = timezone.now() - timedelta(days=3)
    ActorProfile.objects.filter(pk__in=[actor.pk for actor in actors[:3]]).update(created_at=same_moment)
    assert slugs(q="martial arts", sort=SORT_RELEVANCE) == slugs(q="martial arts", sort=SORT_NEWEST)


@pytest.mark.postgres
def test_typo_of_a_stage_name_ranks_above_newer_full_text_matches_on_postgresql():
    _aged(listed(slug="lin", stage_name="Lin Xiaoyu"), 30)
    listed(slug="bio", stage_name="Greta Weber", bio="Lin and Xaoyu, a double act")
    assert slugs(q="Lin Xaoyu", sort=SORT_RELEVANCE) == ["lin", "bio"]


def test_chinese_name_fragment_ranks_the_name_first():
    _aged(listed(slug="lin", stage_name="林晓雨", skills="武术"), 30)
    listed(slug="colleague", stage_name="陈思远", bio="曾与林晓雨合作")
    assert slugs(q="晓雨", sort=SORT_RELEVANCE) == ["lin", "colleague"]
    assert slugs(q="武术", sort=SORT_RELEVANCE) == ["lin"]


def _two_tiers() -> tuple[list[int], list[int]]:
    """Five stage-name matches for "stunt" and seven other matches, some of
    them created at the same moment (the id breaks those ties)."""
    names = [_aged(listed(stage_name=f"Stunt Double {index}"), 40 + index).pk for index in range(5)]
    others = [_aged(listed(stage_name=f"Actor {index}", skills="stunt"), index).pk for index in range(7)]
    ActorProfile.objects.filter(pk__in=others[2:5]).update(created_at=timezone.now() - timedelta(days=3))
    return names, others


@pytest.mark.parametrize("page_size", [1, 3, 4, 5, 6, 24])
def test_relevance_pages_cross_the_tier_boundary_without_duplicates_or_gaps(page_size):
    names, others = _two_tiers()
    params = RosterParams(q="stunt", sort=SORT_RELEVANCE)
    seen = walk(params, page_size=page_size)
    assert seen == slugs_as_ids(params)
    assert set(seen[:5]) == set(names)
    # Tier 0: newest first, ties by id descending.
    rest = ActorProfile.objects.filter(pk__in=others).order_by("-created_at", "-id")
    assert seen[5:] == list(rest.values_list("pk", flat=True))


def slugs_as_ids(params: RosterParams) -> list[int]:
    return [actor.pk for actor in roster_search(params=params, page_size=100).actors]


@pytest.mark.parametrize("page_size", [2, 3, 5])
def test_relevance_previous_walks_back_across_the_tier_boundary(page_size):
    _two_tiers()
    params = RosterParams(q="stunt", sort=SORT_RELEVANCE)
    pages = [roster_search(params=params, page_size=page_size)]
    while pages[-1].next_cursor:
        pages.append(roster_search(params=params, page_size=page_size, cursor=pages[-1].next_cursor))
    back = pages[-1]
    for expected in reversed(pages[:-1]):
        back = roster_search(params=params, page_size=page_size, cursor=back.previous_cursor)
        assert not back.cursor_rejected
        assert [actor.pk for actor in back.actors] == [actor.pk for actor in expected.actors]
    assert back.previous_cursor is None


def test_relevance_page_is_one_query_in_either_tier_and_across_them(django_assert_num_queries):
    _two_tiers()
    params = RosterParams(q="stunt", sort=SORT_RELEVANCE)
    cursor = None
    for _page in range(4):  # in tier 1, across the boundary, then in tier 0
        with django_assert_num_queries(1):
            page = roster_search(params=params, cursor=cursor, page_size=3)
        cursor = page.next_cursor


def test_fee_sort_lowest_first_across_currencies_without_fee_last():
    listed(slug="usd-100", min_fee="100", fee_currency="USD")
    listed(slug="none")
    listed(slug="cny-500", min_fee="500", fee_currency="CNY")  # about 70 USD
    listed(slug="eur-200", min_fee="200", fee_currency="EUR")  # about 217 USD
    assert slugs(sort=SORT_FEE) == ["cny-500", "usd-100", "eur-200", "none"]


# --- Keyset pagination -----------------------------------------------------------------


def _population(count: int) -> list[ActorProfile]:
    actors = []
    for index in range(count):
        # Repeated fees and names make ties the cursor has to break by id.
        fee = None if index % 5 == 0 else str(100 * (index % 4 + 1))
        fields = {"stage_name": f"Stunt Double {index}", "skills": "stunt"}
        if fee:
            fields["min_fee"] = fee
        actors.append(listed(**fields))
    return actors


@pytest.mark.parametrize("sort", [SORT_NEWEST, SORT_FEE, SORT_RELEVANCE])
def test_walking_every_page_meets_each_actor_exactly_once(sort):
    actors = _population(23)
    same_moment = timezone.now()
    # Equal timestamps: only the id tie-breaker orders these.
    ActorProfile.objects.filter(pk__in=[actor.pk for actor in actors[:6]]).update(created_at=same_moment)
    seen = walk(RosterParams(q="stunt", sort=sort), page_size=4)
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == {actor.pk for actor in actors}


@pytest.mark.parametrize("sort", [SORT_NEWEST, SORT_FEE, SORT_RELEVANCE])
def test_actors_added_between_pages_neither_repeat_nor_hide_the_others(sort):
    actors = _population(17)
    added = []

    def add_some(pages_done):
        if pages_done <= 2:
            added.append(listed(stage_name=f"Late Stunt {pages_done}", skills="stunt", min_fee="200"))

    seen = walk(RosterParams(q="stunt", sort=sort), page_size=5, between_pages=add_some)
    assert len(seen) == len(set(seen))
    assert {actor.pk for actor in actors} <= set(seen)


def test_pages_follow_the_order_of_one_long_list():
    _population(11)
    everything = slugs(sort=SORT_FEE, page_size=100)
    page_one = roster_search(params=RosterParams(sort=SORT_FEE), page_size=4)
    page_two = roster_search(params=RosterParams(sort=SORT_FEE), page_size=4, cursor=page_one.next_cursor)
    assert [actor.slug for actor in page_one.actors + page_two.actors] == everything[:8]
    assert page_one.previous_cursor is None
    assert page_two.previous_cursor is not None


def test_previous_walks_back_to_the_same_pages():
    _population(10)
    params = RosterParams(sort=SORT_NEWEST)
    pages = [roster_search(params=params, page_size=3)]
    while pages[-1].next_cursor:
        pages.append(roster_search(params=params, page_size=3, cursor=pages[-1].next_cursor))
    assert len(pages) == 4
    back = pages[-1]
    for expected in reversed(pages[:-1]):
        back = roster_search(params=params, page_size=3, cursor=back.previous_cursor)
        assert [actor.pk for actor in back.actors] == [actor.pk for actor in expected.actors]
    assert back.previous_cursor is None
    assert back.next_cursor is not None


def test_last_page_has_no_next_link():
    _population(4)
    page = roster_search(params=RosterParams(), page_size=4)
    assert len(page.actors) == 4
    assert page.next_cursor is None


def forged(salt: str = "creators.roster.cursor", **changes) -> str:
    """A signed cursor for the default search with some fields changed."""
    payload = {"v": 2, "s": "newest", "d": "n", "k": "2020-01-01T00:00:00+00:00", "i": 1}
    payload["h"] = RosterParams().fingerprint()
    return signing.dumps({**payload, **changes}, salt=salt)


BAD_CURSORS = {
    "garbage": lambda: "garbage",
    "empty": lambda: "",
    "huge": lambda: "x" * 5000,
    "unsigned": lambda: forged()[:-3] + "abc",
    "other-salt": lambda: forged(salt="elsewhere"),
    "old-version": lambda: forged(v=1),
    "other-direction": lambda: forged(d="sideways"),
    "bad-date": lambda: forged(k="not a date"),
    "naive-date": lambda: forged(k="2020-01-01T00:00:00"),
    "number-date": lambda: forged(k=12),
    "id-as-text": lambda: forged(i="1"),
    "id-as-bool": lambda: forged(i=True),
    "not-a-dict": lambda: signing.dumps(["a", "list"], salt="creators.roster.cursor"),
    "negative-count": lambda: forged(n=-1),
    "count-as-bool": lambda: forged(n=True),
    "count-as-text": lambda: forged(n="5"),
    "count-as-float": lambda: forged(n=5.0),
    "huge-count": lambda: forged(n=10**12),
    "negative-others": lambda: forged(o=-1),
    "others-as-bool": lambda: forged(o=False),
    "others-as-text": lambda: forged(o="1"),
}


# Ids, not values: signed cursors carry a timestamp, and parallel test workers
# must collect the same test names.
@pytest.mark.parametrize("kind", list(BAD_CURSORS))
def test_bad_cursor_gives_the_first_page(kind):
    cursor = BAD_CURSORS[kind]()
    _population(5)
    expected = slugs(page_size=3)
    page = roster_search(params=RosterParams(), cursor=cursor, page_size=3)
    assert [actor.slug for actor in page.actors] == expected
    assert page.cursor_rejected is bool(cursor)


def relevance_cursor(version: int = 2, **changes) -> str:
    payload = {"v": version, "s": "relevance", "d": "n", "k": [1, 1.5], "i": 1}
    payload["h"] = RosterParams(q="stunt", sort=SORT_RELEVANCE).fingerprint()
    return signing.dumps({**payload, **changes}, salt="creators.roster.cursor")


BAD_RELEVANCE_CURSORS = {
    # Version 1 carried the bare score of the last row.
    "version-1": lambda: relevance_cursor(version=1, k=1.5),
    "bare-score": lambda: relevance_cursor(k=1.5),
    "unknown-tier": lambda: relevance_cursor(k=[2, 1.5]),
    "tier-as-bool": lambda: relevance_cursor(k=[True, 1.5]),
    "text-score": lambda: relevance_cursor(k=[1, "1.5"]),
    "bad-date": lambda: relevance_cursor(k=[0, "not a date"]),
    "naive-date": lambda: relevance_cursor(k=[0, "2020-01-01T00:00:00"]),
    "three-items": lambda: relevance_cursor(k=[0, "2020-01-01T00:00:00+00:00", 3]),
}


@pytest.mark.parametrize("kind", list(BAD_RELEVANCE_CURSORS))
def test_bad_relevance_cursor_gives_the_first_page(kind):
    _two_tiers()
    params = RosterParams(q="stunt", sort=SORT_RELEVANCE)
    page = roster_search(params=params, cursor=BAD_RELEVANCE_CURSORS[kind](), page_size=3)
    assert page.cursor_rejected
    assert [actor.pk for actor in page.actors] == slugs_as_ids(params)[:3]


def test_forged_relevance_cursors_of_this_version_are_accepted():
    """As for ``forged``: each bad variant above fails for its one change."""
    _two_tiers()
    params = RosterParams(q="stunt", sort=SORT_RELEVANCE)
    for key in ([1, 1.5], [1, 0], [0, timezone.now().isoformat()]):
        page = roster_search(params=params, cursor=relevance_cursor(k=key, i=10**9), page_size=3)
        assert not page.cursor_rejected


def test_cursor_of_another_search_is_rejected():
    _population(6)
    fee_page = roster_search(params=RosterParams(sort=SORT_FEE), page_size=2)
    other = roster_search(params=RosterParams(sort=SORT_NEWEST), cursor=fee_page.next_cursor, page_size=2)
    assert other.cursor_rejected
    assert [actor.slug for actor in other.actors] == slugs(sort=SORT_NEWEST, page_size=2)

    narrowed = roster_search(params=RosterParams(sort=SORT_FEE, q="stunt"), cursor=fee_page.next_cursor, page_size=2)
    assert narrowed.cursor_rejected


def test_page_is_one_query_whatever_its_size(django_assert_num_queries):
    _population(12)
    for size in (3, 12):
        with django_assert_num_queries(1):
            roster_search(params=RosterParams(q="stunt", sort=SORT_FEE, language="zh"), page_size=size)


def test_forged_cursor_with_valid_fields_is_accepted():
    """The forgery helper above makes cursors the selector would accept, so
    each bad variant fails for the one field it changes."""
    _population(3)
    page = roster_search(params=RosterParams(), cursor=forged(k=timezone.now().isoformat(), i=10**9), page_size=2)
    assert not page.cursor_rejected


# --- The count: page 1 counts, its cursors carry the figure ----------------------


@pytest.mark.parametrize(
    "params",
    [
        RosterParams(sort=SORT_NEWEST),
        RosterParams(sort=SORT_FEE),
        RosterParams(q="stunt", sort=SORT_NEWEST),
        RosterParams(q="stunt", sort=SORT_RELEVANCE),
    ],
    ids=["newest", "fee", "search-newest", "relevance"],
)
def test_later_pages_show_page_ones_count(params):
    _population(5)
    first = roster_search(params=params, page_size=2)
    assert first.count == RosterCount(value=5, exact=True)
    # A match added after page 1 is not counted again while paging.
    listed(stage_name="Stunt Double late", skills="stunt", min_fee="900")
    second = roster_search(params=params, cursor=first.next_cursor, page_size=2)
    assert not second.cursor_rejected
    assert second.actors
    assert second.count == first.count
    back = roster_search(params=params, cursor=second.previous_cursor, page_size=2)
    assert back.count == first.count
    # A first page counts afresh.
    assert roster_search(params=params, page_size=2).count == RosterCount(value=6, exact=True)


def test_a_carried_count_over_the_limit_says_more_than():
    _population(3)
    cursor = forged(k=timezone.now().isoformat(), i=10**9, n=COUNT_LIMIT + 1)
    page = roster_search(params=RosterParams(), cursor=cursor, page_size=2)
    assert not page.cursor_rejected
    assert page.count == RosterCount(value=COUNT_LIMIT, exact=False)


def test_a_cursor_without_a_count_counts():
    """Cursors made before the count was carried still work: the page counts."""
    _population(4)
    page = roster_search(params=RosterParams(), cursor=forged(k=timezone.now().isoformat(), i=10**9), page_size=2)
    assert not page.cursor_rejected
    assert page.count == RosterCount(value=4, exact=True)
