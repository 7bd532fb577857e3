"""Shortlists: the services, the toggle views and the toggle partial others include."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from actors.tests.factories import ActorProfileFactory
from creators.models import Project, ShortlistEntry
from creators.selectors import projects_with_shortlist_flag
from creators.services import ActorNotListed, shortlist_add, shortlist_remove
from creators.tests.factories import ProjectFactory, ShortlistEntryFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def project(creator) -> Project:
    return ProjectFactory(creator=creator.creator_profile, title="Night Market")


@pytest.fixture
def listed():
    return ActorProfileFactory(listed=True, stage_name="Lin Xiaoyu", slug="lin-xiaoyu")


@pytest.fixture
def unlisted():
    """Opted in but not (yet) verified by a moderator: not on the roster."""
    return ActorProfileFactory(opted_in=True, stage_name="Hidden Person", slug="hidden-person")


def shortlisted_slugs(project: Project) -> list[str]:
    return list(project.shortlist.values_list("actor__slug", flat=True))


# --- Services --------------------------------------------------------------------


def test_shortlist_add_puts_a_listed_actor_on_the_shortlist(project, listed):
    entry = shortlist_add(project=project, actor=listed)
    assert (entry.project, entry.actor) == (project, listed)
    assert shortlisted_slugs(project) == ["lin-xiaoyu"]


def test_shortlist_add_twice_returns_the_existing_entry(project, listed):
    first = shortlist_add(project=project, actor=listed)
    second = shortlist_add(project=project, actor=listed)
    assert second.pk == first.pk
    assert ShortlistEntry.objects.count() == 1


def test_shortlist_add_refuses_an_actor_who_is_not_on_the_roster(project, unlisted):
    with pytest.raises(ActorNotListed):
        shortlist_add(project=project, actor=unlisted)
    assert not ShortlistEntry.objects.exists()


def test_shortlist_add_refuses_a_suspended_actor(project, listed):
    listed.user.suspended_at = listed.created_at
    listed.user.save()
    with pytest.raises(ActorNotListed):
        shortlist_add(project=project, actor=listed)
    assert not ShortlistEntry.objects.exists()


def test_shortlist_remove_takes_the_actor_off(project, listed):
    ShortlistEntryFactory(project=project, actor=listed)
    shortlist_remove(project=project, actor=listed)
    assert shortlisted_slugs(project) == []


def test_shortlist_remove_of_an_actor_not_on_it_does_nothing(project, listed):
    other = ProjectFactory(creator=project.creator)
    ShortlistEntryFactory(project=other, actor=listed)
    shortlist_remove(project=project, actor=listed)
    shortlist_remove(project=project, actor=listed)
    assert shortlisted_slugs(other) == ["lin-xiaoyu"]


# --- Views ------------------------------------------------------------------------


def test_add_with_htmx_answers_the_toggle_in_its_shortlisted_state(login, creator, project, listed):
    response = login(creator).post(f"/projects/{project.pk}/shortlist/lin-xiaoyu/add/", headers=HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    assert page.count("<form") == 1
    assert f'hx-post="/projects/{project.pk}/shortlist/lin-xiaoyu/remove/"' in page
    assert "Remove from shortlist" in page
    assert shortlisted_slugs(project) == ["lin-xiaoyu"]


def test_add_twice_through_the_view_keeps_one_entry(login, creator, project, listed):
    client = login(creator)
    client.post(f"/projects/{project.pk}/shortlist/lin-xiaoyu/add/", headers=HTMX)
    response = client.post(f"/projects/{project.pk}/shortlist/lin-xiaoyu/add/", headers=HTMX)
    assert response.status_code == 200
    assert ShortlistEntry.objects.count() == 1


def test_add_without_javascript_returns_to_the_page_it_came_from(login, creator, project, listed):
    response = login(creator).post(f"/projects/{project.pk}/shortlist/lin-xiaoyu/add/", {"next": "/roster/?q=lin"})
    assert response.status_code == 302
    assert response.url == "/roster/?q=lin"
    assert shortlisted_slugs(project) == ["lin-xiaoyu"]


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", ""])
def test_add_without_javascript_never_redirects_off_site(login, creator, project, listed, next_url):
    response = login(creator).post(f"/projects/{project.pk}/shortlist/lin-xiaoyu/add/", {"next": next_url})
    assert response.status_code == 302
    assert response.url == f"/projects/{project.pk}/"


def test_add_of_an_unlisted_actor_is_404_and_adds_nothing(login, creator, project, unlisted):
    response = login(creator).post(f"/projects/{project.pk}/shortlist/hidden-person/add/", headers=HTMX)
    assert response.status_code == 404
    assert not ShortlistEntry.objects.exists()


def test_add_of_an_unknown_actor_is_404(login, creator, project):
    response = login(creator).post(f"/projects/{project.pk}/shortlist/nobody-here/add/")
    assert response.status_code == 404
    assert not ShortlistEntry.objects.exists()


def test_remove_with_htmx_answers_the_toggle_ready_to_add_again(login, creator, project, listed):
    ShortlistEntryFactory(project=project, actor=listed)
    response = login(creator).post(f"/projects/{project.pk}/shortlist/lin-xiaoyu/remove/", headers=HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'hx-post="/projects/{project.pk}/shortlist/lin-xiaoyu/add/"' in page
    assert "Add to shortlist of Night Market" in page
    assert shortlisted_slugs(project) == []


def test_remove_twice_through_the_view_is_harmless(login, creator, project, listed):
    ShortlistEntryFactory(project=project, actor=listed)
    client = login(creator)
    client.post(f"/projects/{project.pk}/shortlist/lin-xiaoyu/remove/")
    response = client.post(f"/projects/{project.pk}/shortlist/lin-xiaoyu/remove/")
    assert response.status_code == 302
    assert response.url == f"/projects/{project.pk}/"
    assert shortlisted_slugs(project) == []


def test_actor_who_left_the_roster_can_still_be_removed(login, creator, project, unlisted):
    ShortlistEntry.objects.create(project=project, actor=unlisted)
    response = login(creator).post(f"/projects/{project.pk}/shortlist/hidden-person/remove/")
    assert response.status_code == 302
    assert shortlisted_slugs(project) == []


def test_remove_of_an_unlisted_actor_never_shortlisted_is_404(login, creator, project, unlisted):
    response = login(creator).post(f"/projects/{project.pk}/shortlist/hidden-person/remove/")
    assert response.status_code == 404


def test_project_page_hides_shortlisted_actors_who_left_the_roster(login, creator, project, listed, unlisted):
    ShortlistEntryFactory(project=project, actor=listed)
    ShortlistEntry.objects.create(project=project, actor=unlisted)
    page = login(creator).get(f"/projects/{project.pk}/").content.decode()
    assert '<a href="/roster/lin-xiaoyu/">Lin Xiaoyu</a>' in page
    assert "Hidden Person" not in page


# --- The partial's contract -------------------------------------------------------------


def render_toggle(project, actor, shortlisted: bool, path: str = "/roster/lin-xiaoyu/") -> str:
    request = RequestFactory().get(path)
    request.htmx = False
    return render_to_string(
        "creators/_shortlist_toggle.html",
        {"project": project, "actor": actor, "shortlisted": shortlisted},
        request=request,
    )


def test_toggle_partial_offers_to_add_when_not_shortlisted(project, listed):
    html = render_toggle(project, listed, shortlisted=False)
    url = f"/projects/{project.pk}/shortlist/lin-xiaoyu/add/"
    assert html.count("<form") == 1
    assert f'action="{url}"' in html
    assert f'hx-post="{url}"' in html
    assert 'hx-swap="outerHTML"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<input type="hidden" name="next" value="/roster/lin-xiaoyu/">' in html
    assert "Add to shortlist of Night Market" in html


def test_toggle_partial_offers_to_remove_when_shortlisted(project, listed):
    html = render_toggle(project, listed, shortlisted=True)
    url = f"/projects/{project.pk}/shortlist/lin-xiaoyu/remove/"
    assert f'hx-post="{url}"' in html
    assert "Remove from shortlist" in html
    assert "Add to shortlist" not in html


def test_toggle_partial_escapes_the_project_title(creator, listed):
    project = ProjectFactory(creator=creator.creator_profile, title="<img src=x>")
    html = render_toggle(project, listed, shortlisted=False)
    assert "<img" not in html
    assert "Add to shortlist of &lt;img src=x&gt;" in html


def test_toggle_answered_to_htmx_keeps_the_page_as_next(login, creator, project, listed):
    headers = {**HTMX, "HX-Current-URL": "http://testserver/roster/?page=2"}
    response = login(creator).post(f"/projects/{project.pk}/shortlist/lin-xiaoyu/add/", headers=headers)
    assert '<input type="hidden" name="next" value="/roster/?page=2">' in response.content.decode()


def test_projects_with_shortlist_flag_marks_the_projects_holding_the_actor(creator, other_creator, listed):
    holding = ProjectFactory(creator=creator.creator_profile, title="A holding")
    ProjectFactory(creator=creator.creator_profile, title="B not holding")
    ProjectFactory(creator=creator.creator_profile, title="C finished", status=Project.Status.COMPLETED)
    ProjectFactory(creator=other_creator.creator_profile, title="D someone else's")
    ShortlistEntryFactory(project=holding, actor=listed)
    rows = [(p.title, p.shortlisted) for p in projects_with_shortlist_flag(creator, listed)]
    assert rows == [("A holding", True), ("B not holding", False)]
