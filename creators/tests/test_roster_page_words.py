"""What the roster page and the API say about a search: how many actors
match, "did you mean", and cards drawn once per process."""

import re
from html import unescape

import pytest
from django.core.cache import caches

from actors.models import ActorProfile
from actors.tests.factories import ActorProfileFactory
from creators.selectors import roster
from creators.views import roster as roster_views

pytestmark = pytest.mark.django_db

ROSTER = "/roster/"
ACTORS = "/api/v1/actors/"
CARD_SLUG = re.compile(r'data-testid="roster-card" data-slug="([^"]+)"')
COUNT = re.compile(r'data-testid="roster-count">([^<]+)<')
SUGGESTION = re.compile(r'data-testid="roster-suggestion">.*?<a href="([^"]+)">([^<]+)</a>')


def listed(**fields) -> ActorProfile:
    return ActorProfileFactory(listed=True, **fields)


def page_of(client, **params) -> str:
    response = client.get(ROSTER, params)
    assert response.status_code == 200
    return response.content.decode()


def test_page_says_how_many_actors_match(login, creator):
    for index in range(3):
        listed(stage_name=f"Stunt Double {index}")
    client = login(creator)
    assert COUNT.search(page_of(client, q="stunt")).group(1) == "3 actors"
    listed(stage_name="Someone Else", skills="ballet")
    assert COUNT.search(page_of(client, q="ballet")).group(1) == "1 actor"


def test_page_says_more_than_the_limit(login, creator, monkeypatch):
    monkeypatch.setattr(roster, "COUNT_LIMIT", 2)
    for index in range(3):
        listed(stage_name=f"Stunt Double {index}")
    assert COUNT.search(page_of(login(creator), q="stunt")).group(1) == "More than 2 actors"


def test_no_count_when_nothing_matches(login, creator):
    listed(stage_name="Maya Okafor")
    page = page_of(login(creator), q="zzzqqq")
    assert COUNT.search(page) is None
    assert 'data-testid="roster-empty"' in page


def test_page_asks_did_you_mean_and_links_the_corrected_search(login, creator):
    listed(slug="elena", stage_name="Elena Petrova")
    page = page_of(login(creator), q="Elna Petrova", language="")
    assert CARD_SLUG.findall(page) == ["elena"]
    href, shown = SUGGESTION.search(page).groups()
    assert shown == "Elena Petrova"
    assert unescape(href) == f"{ROSTER}?q=Elena+Petrova"


def test_the_suggestion_keeps_the_filters_and_starts_from_the_first_page(login, creator):
    listed(slug="elena", stage_name="Elena Petrova", languages=["ru"])
    page = page_of(login(creator), q="Elna", language="ru")
    href, shown = SUGGESTION.search(page).groups()
    assert shown == "Elena"
    assert unescape(href) == f"{ROSTER}?language=ru&q=Elena"


def test_a_card_is_drawn_once_per_version_of_the_actor(login, creator, monkeypatch):
    actor = listed(slug="maya", stage_name="Maya Okafor")
    caches["local"].clear()
    drawn = []
    render = roster_views.render_to_string

    def counting(template, context=None, *args, **kwargs):
        if template == "creators/_roster_card.html":
            drawn.append(context["actor"].stage_name)
        return render(template, context, *args, **kwargs)

    monkeypatch.setattr(roster_views, "render_to_string", counting)
    client = login(creator)
    page_of(client)
    page_of(client)
    assert drawn == ["Maya Okafor"]
    ActorProfile.objects.filter(pk=actor.pk).update(stage_name="Maya O.")
    assert "Maya O." in page_of(client)
    assert drawn == ["Maya Okafor", "Maya O."]


# --- The API ------------------------------------------------------------------------------


@pytest.fixture
def as_creator(api_as, creator):
    return api_as(creator)


def test_api_list_says_how_many_match_and_did_you_mean(as_creator):
    listed(slug="elena", stage_name="Elena Petrova")
    body = as_creator.get(ACTORS, {"q": "Elna Petrova"}).json()
    assert [actor["slug"] for actor in body["results"]] == ["elena"]
    assert (body["count"], body["count_exact"], body["suggestion"]) == (1, True, "Elena Petrova")


def test_api_list_without_a_typo_has_no_suggestion(as_creator, monkeypatch):
    monkeypatch.setattr(roster, "COUNT_LIMIT", 2)
    for index in range(3):
        listed(stage_name=f"Stunt Double {index}")
    body = as_creator.get(ACTORS, {"q": "stunt"}).json()
    assert (body["count"], body["count_exact"], body["suggestion"]) == (2, False, None)


def test_api_schema_documents_count_and_suggestion(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    page = schema["components"]["schemas"]["ActorPage"]
    assert {"count", "count_exact", "suggestion"} <= set(page["required"]) & set(page["properties"])
    assert page["properties"]["count"]["type"] == "integer"
    assert page["properties"]["count"]["nullable"] is True
    assert page["properties"]["suggestion"]["nullable"] is True
