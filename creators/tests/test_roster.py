"""The roster page (/roster/) seen from the browser."""

import re
from html import unescape

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actors.models import ActorProfile
from actors.tests.factories import ActorProfileFactory, photo_for
from creators.models import Project, ShortlistEntry
from creators.tests.factories import CreatorProfileFactory
from marketplace.models import AuditEvent

pytestmark = pytest.mark.django_db

ROSTER = "/roster/"
LOGIN = "/accounts/login/"
CARD_SLUG = re.compile(r'data-testid="roster-card" data-slug="([^"]+)"')
NEXT_LINK = re.compile(r'rel="next" href="([^"]+)"')
PREVIOUS_LINK = re.compile(r'rel="prev" href="([^"]+)"')


def cards(response) -> list[str]:
    return CARD_SLUG.findall(response.content.decode())


def link(pattern: re.Pattern, response) -> str | None:
    found = pattern.search(response.content.decode())
    return unescape(found.group(1)) if found else None


def listed_actors(count: int, **fields) -> list[ActorProfile]:
    return [ActorProfileFactory(listed=True, **fields) for _ in range(count)]


def project_of(user, title: str = "Night Market") -> Project:
    return Project.objects.create(creator=user.creator_profile, title=title, category="film")


# --- Access ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(anonymous):
    response = anonymous.get(ROSTER + "?q=lin")
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next=/roster/%3Fq%3Dlin"


def test_actor_without_creator_role_gets_403_saying_why(login, actor):
    response = login(actor).get(ROSTER)
    assert response.status_code == 403
    page = response.content.decode()
    assert "Only creators can browse the roster" in page
    assert 'href="/onboarding/"' in page
    assert AuditEvent.objects.filter(action="authz.denied", actor=actor, target=ROSTER).exists()


def test_moderator_without_creator_role_gets_403(login, moderator):
    assert login(moderator).get(ROSTER).status_code == 403


def test_creator_with_unverified_email_is_told_to_verify(login, creator):
    EmailAddress.objects.filter(user=creator).update(verified=False)
    response = login(creator).get(ROSTER)
    assert response.status_code == 403
    page = response.content.decode()
    assert "Verify your email address to browse the roster" in page
    assert 'href="/accounts/email/"' in page


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_wrong_method_is_405(login, creator, method):
    assert getattr(login(creator), method)(ROSTER).status_code == 405


def test_head_is_allowed(login, creator):
    assert login(creator).head(ROSTER).status_code == 200


# --- The page -------------------------------------------------------------------------


def test_creator_sees_cards_with_name_headline_languages_fee_and_badge(login, creator):
    ActorProfileFactory(
        listed=True,
        slug="lin",
        stage_name="林晓雨",
        headline="Stunt performer",
        languages=["zh", "en"],
        min_fee="5000",
        fee_currency="CNY",
    )
    response = login(creator).get(ROSTER)
    assert response.status_code == 200
    page = response.content.decode()
    assert cards(response) == ["lin"]
    assert "林晓雨" in page
    assert "Stunt performer" in page
    assert "Mandarin, English" in page
    assert "From 5,000 CNY" in page
    assert "Verified" in page
    assert 'href="/roster/lin/"' in page


def test_card_shows_thumbnail_or_placeholder(login, creator):
    with_photo = ActorProfileFactory(listed=True, slug="with-photo")
    photo = photo_for(with_photo)
    ActorProfileFactory(listed=True, slug="without-photo")
    page = login(creator).get(ROSTER).content.decode()
    assert f'src="/actors/photos/{photo.pk}/thumbnail/"' in page
    assert page.count("roster-thumb-placeholder") == 1


def test_unlisted_actor_is_not_on_the_page(login, creator, actor):
    ActorProfileFactory(listed=True, slug="listed")
    response = login(creator).get(ROSTER)
    assert cards(response) == ["listed"]
    assert "Lin Xiaoyu" not in response.content.decode()


def test_search_and_filters_come_from_the_query_string(login, creator):
    ActorProfileFactory(listed=True, slug="rider", skills="horse riding", languages=["zh"])
    ActorProfileFactory(listed=True, slug="rider-en", skills="horse riding", languages=["en"])
    ActorProfileFactory(listed=True, slug="dancer", skills="ballet", languages=["zh"])
    client = login(creator)
    assert cards(client.get(ROSTER, {"q": "horse", "language": "zh"})) == ["rider"]
    assert sorted(cards(client.get(ROSTER, {"skill": "horse"}))) == ["rider", "rider-en"]


def test_chinese_search_through_the_page(login, creator):
    ActorProfileFactory(listed=True, slug="lin", stage_name="林晓雨", skills="武术")
    ActorProfileFactory(listed=True, slug="chen", stage_name="陈思远", skills="京剧")
    client = login(creator)
    assert cards(client.get(ROSTER, {"q": "晓雨"})) == ["lin"]
    assert cards(client.get(ROSTER, {"q": "武术"})) == ["lin"]


@pytest.mark.parametrize(
    "query",
    [{"age_min": "abc"}, {"age_min": "40", "age_max": "20"}, {"fee_max": "-5"}, {"language": "klingon"}],
)
def test_invalid_filter_is_400_with_the_error_and_no_results(login, creator, query):
    ActorProfileFactory(listed=True)
    response = login(creator).get(ROSTER, query)
    assert response.status_code == 400
    assert 'data-testid="roster-errors"' in response.content.decode()
    assert cards(response) == []


def test_invalid_filter_in_htmx_request_shows_errors_in_the_partial(login, creator):
    response = login(creator).get(ROSTER, {"age_min": "abc"}, HTTP_HX_REQUEST="true")
    # htmx swaps only 2xx answers; the partial carries the error.
    assert response.status_code == 200
    assert 'data-testid="roster-errors"' in response.content.decode()


def test_bad_cursor_is_not_an_error(login, creator):
    ActorProfileFactory(listed=True, slug="only")
    response = login(creator).get(ROSTER, {"cursor": "not-a-cursor"})
    assert response.status_code == 200
    assert cards(response) == ["only"]
    assert 'data-testid="roster-cursor-rejected"' in response.content.decode()


# --- Pages ------------------------------------------------------------------------------


def test_next_and_previous_links_walk_the_roster(login, creator):
    listed_actors(30)
    client = login(creator)
    first = client.get(ROSTER, {"q": "", "sort": "newest"})
    assert len(cards(first)) == 24
    assert link(PREVIOUS_LINK, first) is None
    next_url = link(NEXT_LINK, first)
    # Empty parameters are dropped, the others kept.
    assert next_url.startswith("/roster/?sort=newest&cursor=")

    second = client.get(next_url)
    assert len(cards(second)) == 6
    assert link(NEXT_LINK, second) is None
    assert set(cards(first)).isdisjoint(cards(second))

    back = client.get(link(PREVIOUS_LINK, second))
    assert cards(back) == cards(first)


# --- htmx -------------------------------------------------------------------------------


def test_full_page_has_filter_form_wired_to_htmx(login, creator):
    page = login(creator).get(ROSTER).content.decode()
    assert "<html" in page
    assert 'id="roster-filters"' in page
    assert 'hx-get="/roster/"' in page
    assert 'hx-push-url="true"' in page
    assert 'hx-target="#roster-results"' in page
    assert 'id="roster-results"' in page


def test_htmx_request_gets_only_the_results(login, creator):
    ActorProfileFactory(listed=True, slug="one")
    response = login(creator).get(ROSTER, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert 'id="roster-filters"' not in page
    assert cards(response) == ["one"]
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_full_page(login, creator):
    response = login(creator).get(ROSTER, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in response.content.decode()


# --- Shortlist in the context of a project -------------------------------------------


def test_project_parameter_puts_shortlist_toggles_on_cards(login, creator):
    on_list, off_list = ActorProfileFactory(listed=True, slug="on"), ActorProfileFactory(listed=True, slug="off")
    project = project_of(creator)
    ShortlistEntry.objects.create(project=project, actor=on_list)
    page = login(creator).get(ROSTER, {"project": project.pk}).content.decode()
    assert f'action="/projects/{project.pk}/shortlist/{on_list.slug}/remove/"' in page
    assert f'action="/projects/{project.pk}/shortlist/{off_list.slug}/add/"' in page
    assert f'href="/roster/on/?project={project.pk}"' in page


def test_project_of_another_creator_is_ignored(login, creator, other_creator):
    ActorProfileFactory(listed=True, slug="one")
    foreign = project_of(other_creator, "Not yours")
    response = login(creator).get(ROSTER, {"project": foreign.pk})
    assert response.status_code == 200
    assert "/shortlist/" not in response.content.decode()
    assert "Not yours" not in response.content.decode()


def test_without_project_there_are_no_toggles(login, creator):
    ActorProfileFactory(listed=True)
    project_of(creator)
    assert "/shortlist/" not in login(creator).get(ROSTER).content.decode()


# --- Query counts ------------------------------------------------------------------------


def _queries(client, url, params=None) -> int:
    # The first request of a session records it (allauth's user sessions):
    # warm up so only the roster's own work differs between runs.
    client.get(url, params)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def roster_with(login, creator):
    """A creator with a project, and a way to grow the roster to ``n`` actors."""
    project = project_of(creator)
    client = login(creator)

    def grow(total: int):
        missing = total - ActorProfile.objects.filter(is_listed=True).count()
        for actor in listed_actors(missing):
            if actor.pk % 3 == 0:
                ShortlistEntry.objects.create(project=project, actor=actor)
        return client

    grow.project = project
    return grow


def test_query_count_is_the_same_for_12_24_and_48_results(roster_with):
    counts = {}
    for total in (12, 24, 48):
        client = roster_with(total)
        counts[total] = _queries(client, ROSTER, {"project": roster_with.project.pk, "sort": "fee"})
    assert counts[12] == counts[24] == counts[48], counts
    # Session, user, user-session bookkeeping (5), roles with the verified
    # email, projects, the page, the shortlist flags.
    assert counts[12] <= 11, counts


def test_query_count_is_the_same_on_page_1_and_page_5(roster_with):
    client = roster_with(24 * 5 + 3)
    params = {"project": roster_with.project.pk}
    first = _queries(client, ROSTER, params)
    url: str | None = f"{ROSTER}?project={roster_with.project.pk}"
    for _ in range(4):
        url = link(NEXT_LINK, client.get(url))
    fifth = _queries(client, url)
    assert first == fifth
    assert len(cards(client.get(url))) == 24


def test_photos_do_not_add_queries(login, creator):
    actors = listed_actors(3)
    client = login(creator)
    before = _queries(client, ROSTER)
    for actor in actors:
        photo_for(actor)
    assert _queries(client, ROSTER) == before


def test_second_creator_sees_the_same_roster(login, creator):
    ActorProfileFactory(listed=True, slug="one")
    other = CreatorProfileFactory().user
    assert cards(login(other).get(ROSTER)) == ["one"]


def test_filter_form_keeps_the_chosen_values(login, creator):
    page = (
        login(creator).get(ROSTER, {"language": "zh", "q": "武术", "ai_training": "on", "sort": "fee"}).content.decode()
    )
    assert '<option value="zh" selected>Mandarin</option>' in page
    assert '<option value="fee" selected>' in page
    assert 'value="武术"' in page
    assert 'id="id_ai_training" class="form-check-input" checked' in page


def test_search_text_is_escaped_in_the_form(login, creator):
    page = login(creator).get(ROSTER, {"q": '"><script>x</script>'}).content.decode()
    assert "<script>x</script>" not in page
