"""Projects, seen from the browser; and who may open any project, shot or shortlist URL."""

import datetime
import re

import pytest
from django.test import Client

from creators.models import Project
from creators.tests.factories import ProjectFactory, ShortlistEntryFactory, ShotFactory
from marketplace.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"

VALID_PROJECT = {
    "title": "Night Market",
    "logline": "A courier crosses a city that rewrites itself.",
    "category": "film",
    "distribution_channels": ["streaming", "social_video"],
    "territory": "cn_mainland",
    "ai_tools": "Kling 2, ElevenLabs",
    "start_date": "2026-03-01",
    "end_date": "2026-06-30",
    "status": "active",
}


def project_of(user, **kwargs) -> Project:
    return ProjectFactory(creator=user.creator_profile, **kwargs)


# --- Create -----------------------------------------------------------------------


def test_creator_sees_empty_new_project_form(login, creator):
    response = login(creator).get("/projects/new/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="title"' in page
    assert 'value="social_video"' in page
    assert 'type="date"' in page


def test_creator_creates_project_with_every_field(login, creator):
    response = login(creator).post("/projects/new/", VALID_PROJECT)
    project = Project.objects.get()
    assert response.status_code == 302
    assert response.url == f"/projects/{project.pk}/"
    assert project.creator == creator.creator_profile
    assert project.title == "Night Market"
    assert project.distribution_channels == ["streaming", "social_video"]
    assert project.territory == "cn_mainland"
    assert project.ai_tools == "Kling 2, ElevenLabs"
    assert project.start_date == datetime.date(2026, 3, 1)
    assert project.end_date == datetime.date(2026, 6, 30)
    assert project.status == Project.Status.ACTIVE


def test_project_ending_before_it_starts_is_refused_with_clear_message(login, creator):
    data = {**VALID_PROJECT, "start_date": "2026-06-30", "end_date": "2026-03-01"}
    response = login(creator).post("/projects/new/", data)
    assert response.status_code == 400
    assert "The end date cannot be before the start date." in response.content.decode()
    assert not Project.objects.exists()


def test_project_may_end_on_the_day_it_starts(login, creator):
    data = {**VALID_PROJECT, "start_date": "2026-03-01", "end_date": "2026-03-01"}
    response = login(creator).post("/projects/new/", data)
    assert response.status_code == 302
    assert Project.objects.get().end_date == datetime.date(2026, 3, 1)


def test_project_without_title_or_category_is_refused(login, creator):
    response = login(creator).post("/projects/new/", {**VALID_PROJECT, "title": "", "category": ""})
    assert response.status_code == 400
    assert response.content.decode().count("This field is required.") == 2
    assert not Project.objects.exists()


def test_project_with_unknown_distribution_channel_is_refused(login, creator):
    response = login(creator).post("/projects/new/", {**VALID_PROJECT, "distribution_channels": ["billboards"]})
    assert response.status_code == 400
    assert not Project.objects.exists()


def test_project_title_with_bidi_override_is_refused(login, creator):
    response = login(creator).post("/projects/new/", {**VALID_PROJECT, "title": "Night \u202eMarket"})
    assert response.status_code == 400
    assert "invisible or control characters" in response.content.decode()
    assert not Project.objects.exists()


# --- Edit ---------------------------------------------------------------------------


def test_creator_edits_project_and_status(login, creator):
    project = project_of(creator, title="Working title")
    data = {**VALID_PROJECT, "title": "Final title", "status": "completed", "distribution_channels": ["cinema"]}
    response = login(creator).post(f"/projects/{project.pk}/edit/", data)
    assert response.status_code == 302
    assert response.url == f"/projects/{project.pk}/"
    project.refresh_from_db()
    assert project.title == "Final title"
    assert project.status == Project.Status.COMPLETED
    assert project.distribution_channels == ["cinema"]


def test_edit_form_shows_current_values(login, creator):
    project = project_of(creator, title="Working title", start_date=datetime.date(2026, 1, 2))
    response = login(creator).get(f"/projects/{project.pk}/edit/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Working title"' in page
    assert 'value="2026-01-02"' in page
    assert re.search(r'value="streaming" class="form-check-input"[^>]*\bchecked>', page)
    assert not re.search(r'value="cinema"[^>]*\bchecked>', page)


def test_project_edit_with_end_before_start_changes_nothing(login, creator):
    project = project_of(creator, title="Working title")
    data = {**VALID_PROJECT, "title": "Changed", "start_date": "2026-05-01", "end_date": "2026-04-01"}
    response = login(creator).post(f"/projects/{project.pk}/edit/", data)
    assert response.status_code == 400
    assert "The end date cannot be before the start date." in response.content.decode()
    project.refresh_from_db()
    assert project.title == "Working title"
    assert project.end_date is None


# --- List -----------------------------------------------------------------------------


def test_project_list_shows_own_projects_with_status_and_shot_count(login, creator, other_creator):
    mine = project_of(creator, title="Night Market", status=Project.Status.ACTIVE)
    ShotFactory.create_batch(3, project=mine)
    project_of(other_creator, title="Someone else's film")
    response = login(creator).get("/projects/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Night Market" in page
    assert "Active" in page
    assert '<td class="text-end" data-testid="shot-count">3</td>' in page
    assert "Someone else" not in page


def test_project_list_invites_first_project_when_empty(login, creator):
    response = login(creator).get("/projects/")
    assert response.status_code == 200
    assert "Create your first project" in response.content.decode()


@pytest.mark.parametrize("projects", [1, 20])
def test_project_list_query_count_does_not_grow_with_projects(login, creator, django_assert_max_num_queries, projects):
    for project in ProjectFactory.create_batch(projects, creator=creator.creator_profile):
        ShotFactory.create_batch(2, project=project)
    client = login(creator)
    client.get("/projects/")  # the first request of a session records it (allauth usersessions)
    # 7 for the session, user, usersessions and navigation; 1 count and 1 page of projects with shot counts.
    with django_assert_max_num_queries(10):
        response = client.get("/projects/")
    assert response.content.decode().count('data-testid="shot-count">2<') == projects


# --- Detail ------------------------------------------------------------------------------


def test_project_detail_shows_details_shots_and_shortlist(login, creator):
    project = project_of(
        creator,
        title="Night Market",
        ai_tools="Kling 2",
        distribution_channels=["cinema"],
        start_date=datetime.date(2026, 3, 1),
    )
    ShotFactory(project=project, number=7, description="Courier runs across the bridge")
    entry = ShortlistEntryFactory(project=project, actor__stage_name="Lin Xiaoyu", actor__slug="lin-xiaoyu")
    response = login(creator).get(f"/projects/{project.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Night Market" in page
    assert "Kling 2" in page
    assert "Cinema" in page
    assert 'datetime="2026-03-01"' in page
    assert "Courier runs across the bridge" in page
    assert f'<a href="/roster/{entry.actor.slug}/">Lin Xiaoyu</a>' in page
    assert f'action="/projects/{project.pk}/shortlist/lin-xiaoyu/remove/"' in page


def test_project_detail_escapes_what_the_creator_typed(login, creator):
    project = project_of(creator, title="<b>Bold</b>", logline="<script>alert(1)</script>")
    page = login(creator).get(f"/projects/{project.pk}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>Bold</b>" not in page


@pytest.mark.parametrize("rows", [1, 20])
def test_project_detail_query_count_does_not_grow_with_shots_or_shortlist(
    login, creator, django_assert_max_num_queries, rows
):
    project = project_of(creator)
    ShotFactory.create_batch(rows, project=project)
    ShortlistEntryFactory.create_batch(rows, project=project)
    client = login(creator)
    client.get("/projects/")  # the first request of a session records it (allauth usersessions)
    # 7 for the session, user, usersessions and navigation; then the project, its shots, its shortlist.
    with django_assert_max_num_queries(11):
        response = client.get(f"/projects/{project.pk}/")
    page = response.content.decode()
    assert page.count('<tr id="shot-') == rows
    assert page.count('<a href="/roster/') == rows


# --- Who may open what -----------------------------------------------------------------------

# Every URL of a project, its shots and its shortlist, with the methods it answers.
PROJECT_URLS = [
    ("get", "/projects/{project}/"),
    ("get", "/projects/{project}/edit/"),
    ("post", "/projects/{project}/edit/"),
    ("get", "/projects/{project}/shots/new/"),
    ("post", "/projects/{project}/shots/new/"),
    ("get", "/projects/{project}/shots/{shot}/"),
    ("get", "/projects/{project}/shots/{shot}/edit/"),
    ("post", "/projects/{project}/shots/{shot}/edit/"),
    ("get", "/projects/{project}/shots/{shot}/delete/"),
    ("post", "/projects/{project}/shots/{shot}/delete/"),
    ("post", "/projects/{project}/shots/{shot}/move/"),
    ("post", "/projects/{project}/shortlist/{actor}/add/"),
    ("post", "/projects/{project}/shortlist/{actor}/remove/"),
]
CREATOR_URLS = [("get", "/projects/"), ("get", "/projects/new/"), ("post", "/projects/new/"), *PROJECT_URLS]


@pytest.fixture
def creators_project(creator):
    """The creator's project with one shot (#1) and one listed actor on its shortlist."""
    project = project_of(creator, title="Night Market")
    shot = ShotFactory(project=project, number=1, description="Original description")
    entry = ShortlistEntryFactory(project=project)
    return {"project": project, "shot": shot, "actor": entry.actor}


def fill(path: str, objects: dict) -> str:
    return path.format(project=objects["project"].pk, shot=objects["shot"].pk, actor=objects["actor"].slug)


def nothing_changed(objects: dict) -> None:
    project, shot = objects["project"], objects["shot"]
    project.refresh_from_db()
    shot.refresh_from_db()
    assert project.title == "Night Market"
    assert shot.description == "Original description"
    assert list(project.shots.values_list("number", flat=True)) == [1]
    assert list(project.shortlist.values_list("actor__slug", flat=True)) == [objects["actor"].slug]


HOSTILE_INPUT = {"title": "Hijacked", "category": "film", "territory": "worldwide", "status": "cancelled"} | {
    "number": "2",
    "description": "Hijacked",
    "likeness_usage": ["face"],
    "duration_seconds": "5",
    "direction": "down",
}


def call(client: Client, method: str, url: str):
    """GET plainly; POST what a valid form of any of these views would hold."""
    if method == "post":
        return client.post(url, HOSTILE_INPUT)
    return getattr(client, method)(url)


@pytest.mark.parametrize(("method", "path"), PROJECT_URLS)
def test_other_creator_gets_404_on_every_project_url(login, other_creator, creators_project, method, path):
    response = call(login(other_creator), method, fill(path, creators_project))
    assert response.status_code == 404
    nothing_changed(creators_project)


def test_other_creators_attempt_on_a_project_is_audited(login, other_creator, creators_project):
    login(other_creator).get(fill("/projects/{project}/", creators_project))
    event = AuditEvent.objects.get(action=AuditEvent.Action.AUTHZ_DENIED)
    assert event.actor == other_creator


@pytest.mark.parametrize(("method", "path"), CREATOR_URLS)
def test_actor_without_creator_profile_gets_403_on_every_creator_url(login, actor, creators_project, method, path):
    response = call(login(actor), method, fill(path, creators_project))
    assert response.status_code == 403
    nothing_changed(creators_project)


@pytest.mark.parametrize(("method", "path"), CREATOR_URLS)
def test_anonymous_is_sent_to_login_from_every_creator_url(anonymous, creators_project, method, path):
    url = fill(path, creators_project)
    response = call(anonymous, method, url)
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={url}"
    nothing_changed(creators_project)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/projects/"),
        ("put", "/projects/new/"),
        ("post", "/projects/{project}/"),
        ("delete", "/projects/{project}/"),
        ("put", "/projects/{project}/edit/"),
        ("post", "/projects/{project}/shots/{shot}/"),
        ("delete", "/projects/{project}/shots/{shot}/delete/"),
        ("get", "/projects/{project}/shots/{shot}/move/"),
        ("get", "/projects/{project}/shortlist/{actor}/add/"),
        ("get", "/projects/{project}/shortlist/{actor}/remove/"),
    ],
)
def test_wrong_method_is_405(login, creator, creators_project, method, path):
    response = getattr(login(creator), method)(fill(path, creators_project))
    assert response.status_code == 405
    nothing_changed(creators_project)


def test_shot_of_another_project_is_404_under_this_project(login, creator):
    project = project_of(creator)
    elsewhere = ShotFactory(project=project_of(creator), description="Elsewhere")
    response = login(creator).post(
        f"/projects/{project.pk}/shots/{elsewhere.pk}/delete/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 404
    elsewhere.refresh_from_db()


def test_unknown_project_is_404(login, creator):
    assert login(creator).get("/projects/999999/").status_code == 404


def test_listed_actor_fixture_is_on_the_roster(creators_project):
    # The ownership tests above mean nothing if the shortlisted actor could be refused for another reason.
    assert creators_project["actor"].is_listed
