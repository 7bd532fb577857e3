"""``GET /api/v1/actors/`` and ``GET /api/v1/actors/<slug>/``: the roster for
creators' tools, with the page's rule, filters and search."""

import re
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actors.models import ActorProfile, Gender, LikenessPhoto, RedLines
from actors.tests.factories import ActorProfileFactory, photo_for
from creators.forms import RosterFilterForm
from creators.selectors.roster import roster_search
from marketplace.models import AuditEvent
from marketplace.money import to_reference

pytestmark = pytest.mark.django_db

ACTORS = "/api/v1/actors/"
CJK = re.compile(r"[\u4e00-\u9fff]")
CARD_SLUG = re.compile(r'data-testid="roster-card" data-slug="([^"]+)"')


def detail(slug: str) -> str:
    return f"{ACTORS}{slug}/"


def slugs_of(body: dict) -> list[str]:
    return [actor["slug"] for actor in body["results"]]


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return slugs_of(response.json())


def cursor_in(url: str) -> str:
    return parse_qs(urlparse(url).query)["cursor"][0]


def listed(count: int, **fields) -> list[ActorProfile]:
    return [ActorProfileFactory(listed=True, **fields) for _ in range(count)]


@pytest.fixture
def as_creator(api_as, creator):
    return api_as(creator)


# --- Access ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [ACTORS, detail("listed")])
def test_anonymous_gets_401_with_token_challenge(api_client, url):
    ActorProfileFactory(listed=True, slug="listed")
    response = api_client.get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "listed" not in response.content.decode()


@pytest.mark.parametrize("persona", ["actor", "newcomer", "moderator"])
@pytest.mark.parametrize("url", [ACTORS, detail("listed")])
def test_user_without_creator_role_gets_403_saying_why(request, api_as, persona, url):
    ActorProfileFactory(listed=True, slug="listed")
    user = request.getfixturevalue(persona)
    response = api_as(user).get(url)
    assert response.status_code == 403
    assert "creator role" in response.json()["detail"].lower()
    assert AuditEvent.objects.filter(action="authz.denied", actor=user, target=url).exists()


@pytest.mark.parametrize("url", [ACTORS, detail("listed")])
def test_creator_with_unverified_email_gets_403_asking_to_confirm_it(as_creator, creator, url):
    ActorProfileFactory(listed=True, slug="listed")
    EmailAddress.objects.filter(user=creator).update(verified=False)
    response = as_creator.get(url)
    assert response.status_code == 403
    assert "Confirm your email address" in response.json()["detail"]
    assert "listed" not in response.content.decode()


def test_403_message_follows_accept_language(api_as, newcomer):
    client = api_as(newcomer)
    english = client.get(ACTORS, HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    chinese = client.get(ACTORS, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["detail"]
    assert chinese != english
    assert CJK.search(chinese), chinese
    assert not CJK.search(english)


def test_unverified_email_message_follows_accept_language(as_creator, creator):
    EmailAddress.objects.filter(user=creator).update(verified=False)
    english = as_creator.get(ACTORS, HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    chinese = as_creator.get(ACTORS, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["detail"]
    assert chinese != english
    assert CJK.search(chinese), chinese


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_roster_is_read_only(as_creator, method):
    ActorProfileFactory(listed=True, slug="listed")
    assert getattr(as_creator, method)(ACTORS, {}).status_code == 405
    assert getattr(as_creator, method)(detail("listed"), {}).status_code == 405
    assert ActorProfile.objects.filter(slug="listed", is_listed=True).exists()


# --- The list ------------------------------------------------------------------------------


def test_creator_gets_listed_actors_with_their_card_fields(as_creator):
    lin = ActorProfileFactory(
        listed=True,
        slug="lin",
        stage_name="林晓雨",
        headline="Stunt performer",
        languages=["zh", "en"],
        skills="wushu, horse riding",
        min_fee="5000",
        fee_currency="CNY",
    )
    photo = photo_for(lin)
    response = as_creator.get(ACTORS)
    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    assert body["previous"] is None
    (card,) = body["results"]
    assert card["slug"] == "lin"
    assert card["stage_name"] == "林晓雨"
    assert card["headline"] == "Stunt performer"
    assert card["languages"] == ["zh", "en"]
    assert card["skills"] == ["wushu", "horse riding"]
    assert card["min_fee"] == "5000.00"
    assert card["fee_currency"] == "CNY"
    assert card["verified"] is True
    assert card["url"] == "http://testserver/api/v1/actors/lin/"
    assert card["profile_url"] == "http://testserver/roster/lin/"
    assert card["thumbnail_url"] == f"http://testserver/actors/photos/{photo.pk}/thumbnail/"


def test_unlisted_actor_never_appears(as_creator, actor):
    ActorProfileFactory(listed=True, slug="listed")
    assert slugs(as_creator.get(ACTORS)) == ["listed"]
    assert slugs(as_creator.get(ACTORS, {"q": "Lin Xiaoyu"})) == []
    assert slugs(as_creator.get(ACTORS, {"sort": "fee"})) == ["listed"]


def test_actor_who_opts_out_leaves_the_list(as_creator):
    leaving = ActorProfileFactory(listed=True, slug="leaving")
    ActorProfileFactory(listed=True, slug="staying")
    ActorProfile.objects.filter(pk=leaving.pk).update(is_listed=False)
    assert slugs(as_creator.get(ACTORS)) == ["staying"]


def test_search_returns_the_same_actors_as_the_roster_search(as_creator, login, creator):
    ActorProfileFactory(listed=True, slug="rider", stage_name="Horse Whisperer", skills="riding")
    ActorProfileFactory(listed=True, slug="rider-2", skills="horse riding")
    ActorProfileFactory(listed=True, slug="horse-bio", bio="Grew up on a horse farm.")
    ActorProfileFactory(listed=True, slug="dancer", skills="ballet")
    query = {"q": "horse"}
    form = RosterFilterForm(query)
    assert form.is_valid()
    expected = [actor.slug for actor in roster_search(params=form.params()).actors]
    assert sorted(expected) == ["horse-bio", "rider", "rider-2"]
    assert slugs(as_creator.get(ACTORS, query)) == expected
    page = login(creator).get("/roster/", query).content.decode()
    assert CARD_SLUG.findall(page) == expected


def test_chinese_search_finds_the_actor(as_creator):
    ActorProfileFactory(listed=True, slug="lin", stage_name="林晓雨", skills="武术")
    ActorProfileFactory(listed=True, slug="chen", stage_name="陈思远", skills="京剧")
    assert slugs(as_creator.get(ACTORS, {"q": "晓雨"})) == ["lin"]
    assert slugs(as_creator.get(ACTORS, {"q": "武术"})) == ["lin"]


def test_gender_filter(as_creator):
    ActorProfileFactory(listed=True, slug="she", gender=Gender.FEMALE)
    ActorProfileFactory(listed=True, slug="he", gender=Gender.MALE)
    assert slugs(as_creator.get(ACTORS, {"gender": "female"})) == ["she"]
    assert slugs(as_creator.get(ACTORS, {"gender": "male"})) == ["he"]


def test_language_filter(as_creator):
    ActorProfileFactory(listed=True, slug="mandarin", languages=["zh", "en"])
    ActorProfileFactory(listed=True, slug="cantonese", languages=["yue"])
    assert slugs(as_creator.get(ACTORS, {"language": "zh"})) == ["mandarin"]
    assert slugs(as_creator.get(ACTORS, {"language": "yue"})) == ["cantonese"]
    assert slugs(as_creator.get(ACTORS, {"language": "ja"})) == []


def test_category_filter_hides_actors_who_exclude_it(as_creator):
    refuses = ActorProfileFactory(listed=True, slug="no-ads")
    RedLines.objects.filter(actor=refuses).update(excluded_categories=["advertising"])
    ActorProfileFactory(listed=True, slug="any")
    assert slugs(as_creator.get(ACTORS, {"category": "advertising"})) == ["any"]
    assert sorted(slugs(as_creator.get(ACTORS, {"category": "film"}))) == ["any", "no-ads"]


def test_single_age_matches_actors_whose_playing_range_covers_it(as_creator):
    ActorProfileFactory(listed=True, slug="young", playing_age_min=18, playing_age_max=25)
    ActorProfileFactory(listed=True, slug="middle", playing_age_min=30, playing_age_max=45)
    ActorProfileFactory(listed=True, slug="ageless")
    assert slugs(as_creator.get(ACTORS, {"age": "20"})) == ["young"]
    assert slugs(as_creator.get(ACTORS, {"age": "45"})) == ["middle"]
    assert slugs(as_creator.get(ACTORS, {"age": "27"})) == []


def test_age_range_matches_overlapping_playing_ranges(as_creator):
    ActorProfileFactory(listed=True, slug="young", playing_age_min=18, playing_age_max=25)
    ActorProfileFactory(listed=True, slug="middle", playing_age_min=30, playing_age_max=45)
    assert sorted(slugs(as_creator.get(ACTORS, {"age_min": "24", "age_max": "31"}))) == ["middle", "young"]
    assert slugs(as_creator.get(ACTORS, {"age_min": "40"})) == ["middle"]


def with_fee(slug: str, fee: str, currency: str) -> ActorProfile:
    # The profile service stores the fee in the reference currency too.
    reference = to_reference(Decimal(fee), currency)
    return ActorProfileFactory(listed=True, slug=slug, min_fee=fee, fee_currency=currency, min_fee_usd=reference)


def test_fee_max_filter_compares_across_currencies(as_creator):
    with_fee("cheap", "1000", "CNY")
    with_fee("dear", "2000", "USD")
    assert slugs(as_creator.get(ACTORS, {"fee_max": "5000", "currency": "CNY"})) == ["cheap"]
    assert sorted(slugs(as_creator.get(ACTORS, {"fee_max": "2000", "currency": "USD"}))) == ["cheap", "dear"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"age": "abc"}, "age"),
        ({"age": "200"}, "age"),
        ({"age_min": "abc"}, "age_min"),
        ({"age_min": "40", "age_max": "20"}, "age_max"),
        ({"gender": "robot"}, "gender"),
        ({"language": "klingon"}, "language"),
        ({"category": "bogus"}, "category"),
        ({"fee_max": "-5"}, "fee_max"),
        ({"currency": "XXX"}, "currency"),
        ({"sort": "random"}, "sort"),
        ({"q": "lin\u200bxiaoyu"}, "q"),
        ({"city": "Bei\x07jing"}, "city"),
    ],
)
def test_invalid_filter_is_400_naming_the_parameter(as_creator, query, field):
    ActorProfileFactory(listed=True)
    response = as_creator.get(ACTORS, query)
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field], body
    assert body[field]
    assert all(isinstance(message, str) for message in body[field])


# --- Pages ---------------------------------------------------------------------------------


def test_cursor_walks_every_page_once(as_creator):
    created = listed(5)
    seen, pages = [], 0
    url = f"{ACTORS}?page_size=2&sort=newest"
    while url:
        response = as_creator.get(url)
        assert response.status_code == 200
        body = response.json()
        assert len(body["results"]) <= 2
        seen += [actor["slug"] for actor in body["results"]]
        pages += 1
        url = body["next"]
        assert pages <= 5, "next never ends"
    assert pages == 3
    assert len(seen) == len(set(seen)) == 5
    # Newest first, as on the page.
    assert seen == [actor.slug for actor in reversed(created)]


def test_previous_link_leads_back_to_the_first_page(as_creator):
    listed(5)
    first = as_creator.get(ACTORS, {"page_size": "2"}).json()
    second = as_creator.get(first["next"]).json()
    assert first["previous"] is None
    assert "page_size=2" in first["next"]
    back = as_creator.get(second["previous"]).json()
    assert slugs_of(back) == slugs_of(first)


def test_next_link_keeps_the_filters(as_creator):
    listed(3, gender=Gender.FEMALE)
    listed(2, gender=Gender.MALE)
    first = as_creator.get(ACTORS, {"gender": "female", "page_size": "2"}).json()
    assert parse_qs(urlparse(first["next"]).query)["gender"] == ["female"]
    second = as_creator.get(first["next"]).json()
    everyone = slugs_of(first) + slugs_of(second)
    assert second["next"] is None
    assert sorted(everyone) == sorted(ActorProfile.objects.filter(gender=Gender.FEMALE).values_list("slug", flat=True))


def test_tampered_cursor_is_400_naming_cursor(as_creator):
    listed(3)
    good = cursor_in(as_creator.get(ACTORS, {"page_size": "1"}).json()["next"])
    tampered = good[:-1] + ("A" if good[-1] != "A" else "B")
    response = as_creator.get(ACTORS, {"page_size": "1", "cursor": tampered})
    assert response.status_code == 400
    assert list(response.json()) == ["cursor"]
    assert as_creator.get(ACTORS, {"page_size": "1", "cursor": good}).status_code == 200


@pytest.mark.parametrize("cursor", ["not-a-cursor", "x" * 300, "eyJ2IjoxfQ"])
def test_unreadable_cursor_is_400_naming_cursor(as_creator, cursor):
    listed(2)
    response = as_creator.get(ACTORS, {"cursor": cursor})
    assert response.status_code == 400
    assert response.json() == {"cursor": ["This cursor is not valid here. Start again from the first page."]}


def test_cursor_of_another_search_is_400(as_creator):
    listed(3, skills="horse riding")
    cursor = cursor_in(as_creator.get(ACTORS, {"q": "horse", "page_size": "1"}).json()["next"])
    response = as_creator.get(ACTORS, {"q": "ballet", "page_size": "1", "cursor": cursor})
    assert response.status_code == 400
    assert list(response.json()) == ["cursor"]


@pytest.mark.parametrize("page_size", ["0", "500", "101", "-1", "two", "1.5"])
def test_page_size_out_of_range_is_400(as_creator, page_size):
    listed(2)
    response = as_creator.get(ACTORS, {"page_size": page_size})
    assert response.status_code == 400
    assert list(response.json()) == ["page_size"]


def test_page_size_at_the_limits_is_accepted(as_creator):
    listed(2)
    assert len(as_creator.get(ACTORS, {"page_size": "1"}).json()["results"]) == 1
    assert len(as_creator.get(ACTORS, {"page_size": "100"}).json()["results"]) == 2


# --- One actor -----------------------------------------------------------------------------


def test_creator_gets_one_actor_with_red_lines_and_photos(as_creator):
    lin = ActorProfileFactory(
        listed=True, slug="lin", stage_name="林晓雨", bio="Trained in wushu.", union_membership="CTU"
    )
    RedLines.objects.filter(actor=lin).update(
        excluded_categories=["political"],
        blocked_keywords=["gambling"],
        accepted_territories=["cn_mainland"],
        ai_training_allowed=True,
    )
    primary = photo_for(lin)
    second = photo_for(lin)
    flagged = photo_for(lin)
    LikenessPhoto.objects.filter(pk=flagged.pk).update(review=LikenessPhoto.Review.FLAGGED)
    response = as_creator.get(detail("lin"))
    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == "lin"
    assert body["stage_name"] == "林晓雨"
    assert body["bio"] == "Trained in wushu."
    assert body["union_membership"] == "CTU"
    assert body["red_lines"] == {
        "excluded_categories": ["political"],
        "blocked_keywords": ["gambling"],
        "accepted_territories": ["cn_mainland"],
        "ai_training_allowed": True,
    }
    assert [photo["id"] for photo in body["photos"]] == [primary.pk, second.pk]
    assert body["photos"][0]["preview_url"] == f"http://testserver/actors/photos/{primary.pk}/preview/"
    assert body["thumbnail_url"] == f"http://testserver/actors/photos/{primary.pk}/thumbnail/"
    assert "legal_name" not in body


def test_actor_without_photos_has_no_thumbnail(as_creator):
    ActorProfileFactory(listed=True, slug="lin")
    body = as_creator.get(detail("lin")).json()
    assert body["thumbnail_url"] is None
    assert body["photos"] == []


def test_unlisted_actor_is_404_and_the_attempt_audited(as_creator, creator, actor):
    response = as_creator.get(detail(actor.actor_profile.slug))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert "Lin Xiaoyu" not in response.content.decode()
    assert AuditEvent.objects.filter(action="authz.denied", actor=creator).count() == 1


def test_unknown_actor_is_the_same_404_without_audit(as_creator, creator):
    response = as_creator.get(detail("nobody-here"))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert not AuditEvent.objects.filter(action="authz.denied", actor=creator).exists()


def test_slug_that_is_not_a_slug_is_404(as_creator):
    assert as_creator.get(f"{ACTORS}lin%20xiaoyu/").status_code == 404


# --- Query counts ---------------------------------------------------------------------------


def test_list_query_count_does_not_grow_with_actors_or_photos(
    as_creator, django_assert_max_num_queries, django_assert_num_queries
):
    for actor in listed(2):
        photo_for(actor)
    as_creator.get(ACTORS)  # the token's first use is recorded once
    # The token, the roles, the verified email, the page (thumbnails included).
    with django_assert_max_num_queries(4) as captured:
        response = as_creator.get(ACTORS)
    assert len(response.json()["results"]) == 2
    with_two = len(captured.captured_queries)

    for actor in listed(10):
        photo_for(actor)
    with django_assert_num_queries(with_two):
        response = as_creator.get(ACTORS)
    results = response.json()["results"]
    assert len(results) == 12
    assert all(actor["thumbnail_url"] for actor in results)


def test_filtered_search_costs_the_same_as_the_plain_list(as_creator, django_assert_num_queries):
    listed(3, skills="horse riding", languages=["zh"])
    as_creator.get(ACTORS)
    with CaptureQueriesContext(connection) as plain:
        as_creator.get(ACTORS)
    with django_assert_num_queries(len(plain)):
        response = as_creator.get(ACTORS, {"q": "horse", "language": "zh", "category": "film", "sort": "fee"})
    assert len(response.json()["results"]) == 3
