"""What the roster page renders once per process ("local" cache): the
filters, keyed by what they show, and the navigation, keyed by roles and
language. A fragment never shows one creator what belongs to another, a
stale value, or another language."""

import pytest
from django.core.cache import caches

from actors.tests.factories import ActorProfileFactory
from creators.models import Project
from creators.tests.factories import CreatorProfileFactory

pytestmark = pytest.mark.django_db

ROSTER = "/roster/"


@pytest.fixture(autouse=True)
def _empty_fragments():
    caches["local"].clear()
    yield
    caches["local"].clear()


def _page(client, params=None, **headers) -> str:
    response = client.get(ROSTER, params or {}, **headers)
    assert response.status_code in (200, 400)
    return response.content.decode()


def test_each_creator_sees_only_their_own_projects_in_the_filters(login, creator):
    Project.objects.create(creator=creator.creator_profile, title="Night Market", category="film")
    other = CreatorProfileFactory().user
    Project.objects.create(creator=other.creator_profile, title="Harbour Lights", category="film")
    ActorProfileFactory(listed=True)
    first, second = _page(login(creator)), _page(login(other))
    assert "Night Market" in first
    assert "Harbour Lights" not in first
    assert "Harbour Lights" in second
    assert "Night Market" not in second
    assert len(caches["local"]._cache) >= 2  # LocMemCache's store


def test_a_new_project_shows_at_once(login, creator):
    client = login(creator)
    assert "Shortlist for project" not in _page(client)
    Project.objects.create(creator=creator.creator_profile, title="Night Market", category="film")
    assert "Night Market" in _page(client)


def test_the_filters_show_the_values_of_this_request(login, creator):
    client = login(creator)
    assert '<option value="zh" selected>' in _page(client, {"language": "zh"})
    assert '<option value="zh" selected>' not in _page(client, {"language": "en"})
    assert '<option value="en" selected>' in _page(client, {"language": "en"})
    # A page further on shows the same filters (the cursor is not part of them).
    assert '<option value="en" selected>' in _page(client, {"language": "en", "cursor": "x"})


def test_an_invalid_filter_shows_its_error_every_time(login, creator):
    client = login(creator)
    for _ in range(2):
        page = _page(client, {"age_min": "70", "age_max": "20"})
        assert "The upper age must not be below the lower one." in page
        assert 'id="id_age_max" min="0" max="100" value="20" class="form-control is-invalid"' in page
    assert "The upper age must not be below the lower one." not in _page(client, {"age_min": "20"})


def test_a_value_that_is_no_choice_is_refused_and_selects_nothing(login, creator):
    page = _page(login(creator), {"language": "xx"})
    assert "Select a valid choice" in page
    assert " selected>" not in page.split('id="id_language"')[1].split("</select>")[0]


def test_the_filters_and_the_navigation_follow_the_language(login, creator):
    client = login(creator)
    page = _page(client)
    assert "Any language" in page
    assert ">Roster</a>" in page
    creator.preferred_language = "zh-hans"
    creator.save(update_fields=["preferred_language"])
    page = _page(client)
    assert "不限语言" in page
    assert "Any language" not in page
    assert ">演员名册</a>" in page
    assert ">Roster</a>" not in page


def test_the_navigation_follows_the_roles(login, actor):
    client = login(actor)
    assert 'href="/roster/"' not in client.get("/notifications/").content.decode()
    CreatorProfileFactory(user=actor)
    page = client.get("/notifications/").content.decode()
    assert 'href="/roster/"' in page
    assert "My creator profile" in page


def test_a_first_page_statement_is_compiled_once_and_its_rows_read_each_time(login, creator):
    from creators.forms import RosterFilterForm
    from creators.selectors.roster import roster_search

    first = ActorProfileFactory(listed=True, slug="first")
    ActorProfileFactory(listed=True, slug="second", gender="female")
    client = login(creator)
    assert _page(client).count('data-testid="roster-card"') == 2
    keys = [key for key in caches["local"]._cache if "roster-first-page" in key]
    assert len(keys) == 1
    # The same statement again: an actor who left the roster is gone at once.
    first.is_listed = False
    first.save(update_fields=["is_listed"])
    page = _page(client)
    assert 'data-slug="first"' not in page
    assert 'data-slug="second"' in page
    # Another filter set is another statement, with its own values.
    form = RosterFilterForm({"gender": "male"})
    assert form.is_valid()
    assert roster_search(params=form.params()).actors == []
    assert len([key for key in caches["local"]._cache if "roster-first-page" in key]) == 2
