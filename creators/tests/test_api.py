"""``/api/v1/projects/``: a creator's projects and their shot lists, through
the same services as the project pages."""

import datetime
from urllib.parse import parse_qs, urlparse

import pytest

from creators.models import Project, Shot
from creators.services import shot_move
from creators.tests.factories import ProjectFactory, ShotFactory
from marketplace.models import AuditEvent
from usage_requests.tests.factories import project_with_shots

pytestmark = pytest.mark.django_db

PROJECTS = "/api/v1/projects/"
NEW_PROJECT = {
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
NEW_SHOT = {
    "number": 3,
    "description": "Courier looks back at the camera",
    "category": "film",
    "likeness_usage": ["face", "voice"],
    "duration_seconds": 45,
}
NOT_CREATORS = ["actor", "newcomer"]


def project_url(project: Project) -> str:
    return f"{PROJECTS}{project.pk}/"


def shots_url(project: Project) -> str:
    return f"{PROJECTS}{project.pk}/shots/"


def ids(body: dict) -> list[int]:
    return [row["id"] for row in body["results"]]


def snapshot(project: Project) -> dict:
    """Every field a creator can change, as stored."""
    project.refresh_from_db()
    names = ["title", "logline", "category", "distribution_channels", "territory", "ai_tools"]
    return {name: getattr(project, name) for name in [*names, "start_date", "end_date", "status"]}


@pytest.fixture
def as_creator(api_as, creator):
    return api_as(creator)


@pytest.fixture
def project(creator) -> Project:
    return ProjectFactory(
        creator=creator.creator_profile,
        title="Night Market",
        territory="cn_mainland",
        ai_tools="Kling 2",
        start_date=datetime.date(2026, 3, 1),
        end_date=datetime.date(2026, 6, 30),
    )


@pytest.fixture
def shots(project) -> list[Shot]:
    """Shots 1 and 2, in that order."""
    return [
        ShotFactory(project=project, number=1, position=1, description="Opening walk"),
        ShotFactory(project=project, number=2, position=2, description="Rooftop chase"),
    ]


@pytest.fixture
def foreign_project(other_creator) -> Project:
    project, _shots = project_with_shots(other_creator.creator_profile, 2, title="Pixel Harbor secret")
    return project


# --- GET /projects/ --------------------------------------------------------------------


def test_creator_lists_own_projects_newest_first_with_shot_counts(as_creator, creator, foreign_project):
    older, _ = project_with_shots(creator.creator_profile, 3, title="Older")
    newer, _ = project_with_shots(creator.creator_profile, 1, title="Newer")
    response = as_creator.get(PROJECTS)
    assert response.status_code == 200
    body = response.json()
    assert ids(body) == [newer.pk, older.pk]
    assert [row["shot_count"] for row in body["results"]] == [1, 3]
    assert body["results"][0]["title"] == "Newer"
    assert body["results"][0]["url"] == f"http://testserver/api/v1/projects/{newer.pk}/"
    assert body["results"][0]["page_url"] == f"http://testserver/projects/{newer.pk}/"
    assert "Pixel Harbor secret" not in response.content.decode()


def test_creator_without_projects_gets_an_empty_list(as_creator, foreign_project):
    assert as_creator.get(PROJECTS).json() == {"next": None, "previous": None, "results": []}


def test_list_filters_by_status(as_creator, creator):
    ProjectFactory(creator=creator.creator_profile, status=Project.Status.DRAFT)
    active = ProjectFactory(creator=creator.creator_profile, status=Project.Status.ACTIVE)
    assert ids(as_creator.get(PROJECTS, {"status": "active"}).json()) == [active.pk]


def test_list_pages_walk_every_project_once(as_creator, creator):
    made = [ProjectFactory(creator=creator.creator_profile).pk for _ in range(5)]
    seen, url = [], f"{PROJECTS}?page_size=2"
    while url:
        body = as_creator.get(url).json()
        seen += ids(body)
        url = body["next"]
        assert len(seen) <= 5
    assert seen == sorted(made, reverse=True)


def test_next_link_is_absolute_and_keeps_the_filter(as_creator, creator):
    for _ in range(3):
        ProjectFactory(creator=creator.creator_profile, status=Project.Status.ACTIVE)
    ProjectFactory(creator=creator.creator_profile, status=Project.Status.DRAFT)
    first = as_creator.get(PROJECTS, {"status": "active", "page_size": "2"}).json()
    query = parse_qs(urlparse(first["next"]).query)
    assert first["next"].startswith("http://testserver/api/v1/projects/")
    assert query["status"] == ["active"]
    second = as_creator.get(first["next"]).json()
    assert len(ids(first) + ids(second)) == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [({"status": "bogus"}, "status"), ({"cursor": "not-a-cursor"}, "cursor"), ({"page_size": "0"}, "page_size")],
)
def test_list_with_bad_parameter_is_400_naming_it(as_creator, project, query, field):
    response = as_creator.get(PROJECTS, query)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_list_page_size_above_the_limit_is_400(as_creator, project):
    response = as_creator.get(PROJECTS, {"page_size": "500"})
    assert response.status_code == 400
    assert list(response.json()) == ["page_size"]


def test_anonymous_cannot_list_projects(api_client, project):
    response = api_client.get(PROJECTS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "Night Market" not in response.content.decode()


@pytest.mark.parametrize("persona", NOT_CREATORS)
def test_user_without_creator_role_cannot_list_projects(request, api_as, persona, project):
    response = api_as(request.getfixturevalue(persona)).get(PROJECTS)
    assert response.status_code == 403
    assert "Only creators can do this" in response.json()["detail"]


def test_list_query_count_does_not_grow_with_projects(
    as_creator, creator, django_assert_max_num_queries, django_assert_num_queries
):
    for _ in range(2):
        project_with_shots(creator.creator_profile, 3)
    as_creator.get(PROJECTS)  # the token's first use is recorded once
    # The token, the roles, the page (shot counts included).
    with django_assert_max_num_queries(3) as captured:
        response = as_creator.get(PROJECTS)
    assert len(response.json()["results"]) == 2
    with_two = len(captured.captured_queries)

    for _ in range(6):
        project_with_shots(creator.creator_profile, 3)
    with django_assert_num_queries(with_two):
        response = as_creator.get(PROJECTS)
    results = response.json()["results"]
    assert len(results) == 8
    assert {row["shot_count"] for row in results} == {3}


# --- POST /projects/ -------------------------------------------------------------------


def test_creator_creates_project_with_every_field(as_creator, creator):
    response = as_creator.post(PROJECTS, NEW_PROJECT)
    assert response.status_code == 201
    project = Project.objects.get()
    assert project.creator == creator.creator_profile
    assert snapshot(project) == {
        "title": "Night Market",
        "logline": "A courier crosses a city that rewrites itself.",
        "category": "film",
        "distribution_channels": ["streaming", "social_video"],
        "territory": "cn_mainland",
        "ai_tools": "Kling 2, ElevenLabs",
        "start_date": datetime.date(2026, 3, 1),
        "end_date": datetime.date(2026, 6, 30),
        "status": "active",
    }
    body = response.json()
    assert body["id"] == project.pk
    assert body["shots"] == []
    assert body["shot_count"] == 0
    assert body["url"] == f"http://testserver/api/v1/projects/{project.pk}/"


def test_project_with_only_the_required_fields_is_a_worldwide_draft(as_creator):
    response = as_creator.post(PROJECTS, {"title": "Short", "category": "short_video"})
    assert response.status_code == 201
    project = Project.objects.get()
    assert project.territory == "worldwide"
    assert project.status == Project.Status.DRAFT
    assert project.distribution_channels == []
    assert response.json()["territory"] == "worldwide"


def test_new_project_belongs_to_the_caller_whatever_the_body_says(as_creator, creator, other_creator):
    response = as_creator.post(PROJECTS, {**NEW_PROJECT, "creator": other_creator.creator_profile.pk, "id": 999})
    assert response.status_code == 201
    project = Project.objects.get()
    assert project.creator == creator.creator_profile
    assert project.pk != 999


def test_title_and_texts_are_trimmed(as_creator):
    response = as_creator.post(PROJECTS, {**NEW_PROJECT, "title": "  Night Market  ", "ai_tools": " Kling "})
    assert response.status_code == 201
    project = Project.objects.get()
    assert project.title == "Night Market"
    assert project.ai_tools == "Kling"


def test_project_ending_before_it_starts_is_400_on_end_date(as_creator):
    response = as_creator.post(PROJECTS, {**NEW_PROJECT, "start_date": "2026-06-30", "end_date": "2026-03-01"})
    assert response.status_code == 400
    assert response.json() == {"end_date": ["The end date cannot be before the start date."]}
    assert not Project.objects.exists()


def test_project_may_end_on_the_day_it_starts(as_creator):
    response = as_creator.post(PROJECTS, {**NEW_PROJECT, "start_date": "2026-03-01", "end_date": "2026-03-01"})
    assert response.status_code == 201
    assert Project.objects.get().end_date == datetime.date(2026, 3, 1)


@pytest.mark.parametrize("field", ["title", "logline", "ai_tools"])
@pytest.mark.parametrize("text", ["Night\x00Market", "Night\x07Market", "Night\u200bMarket", "Night\u202eMarket"])
def test_control_characters_in_text_are_400(as_creator, field, text):
    response = as_creator.post(PROJECTS, {**NEW_PROJECT, field: text})
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("category", "bogus"),
        ("territory", "mars"),
        ("status", "archived"),
        ("distribution_channels", ["streaming", "pigeon"]),
        ("distribution_channels", "streaming"),
        ("start_date", "2026-02-30"),
        ("title", ""),
        ("title", "x" * 121),
        ("logline", "x" * 301),
        ("title", None),
        ("title", ["Night Market"]),
    ],
)
def test_invalid_field_is_400_naming_it(as_creator, field, value):
    response = as_creator.post(PROJECTS, {**NEW_PROJECT, field: value})
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Project.objects.exists()


@pytest.mark.parametrize("field", ["title", "category"])
def test_missing_required_field_is_400(as_creator, field):
    data = {key: value for key, value in NEW_PROJECT.items() if key != field}
    response = as_creator.post(PROJECTS, data)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Project.objects.exists()


def test_body_that_is_not_an_object_is_400(as_creator):
    response = as_creator.post(PROJECTS, ["Night Market"])
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert not Project.objects.exists()


def test_malformed_json_is_400(as_creator):
    response = as_creator.post(PROJECTS, '{"title": ', content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()
    assert not Project.objects.exists()


def test_anonymous_cannot_create_a_project(api_client):
    response = api_client.post(PROJECTS, NEW_PROJECT)
    assert response.status_code == 401
    assert not Project.objects.exists()


@pytest.mark.parametrize("persona", NOT_CREATORS)
def test_user_without_creator_role_cannot_create_a_project(request, api_as, persona):
    response = api_as(request.getfixturevalue(persona)).post(PROJECTS, NEW_PROJECT)
    assert response.status_code == 403
    assert not Project.objects.exists()


# --- GET /projects/<id>/ -----------------------------------------------------------------


def test_creator_gets_own_project_with_its_shots_in_shot_list_order(as_creator, project, shots):
    shot_move(shot=shots[1], direction="up")
    response = as_creator.get(project_url(project))
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Night Market"
    assert body["territory"] == "cn_mainland"
    assert body["start_date"] == "2026-03-01"
    assert body["shot_count"] == 2
    assert [shot["number"] for shot in body["shots"]] == [2, 1]
    assert body["shots"][0]["description"] == "Rooftop chase"


def test_another_creators_project_is_404_and_audited(as_creator, creator, foreign_project):
    response = as_creator.get(project_url(foreign_project))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert "Pixel Harbor secret" not in response.content.decode()
    event = AuditEvent.objects.get(action="authz.denied", actor=creator)
    assert str(foreign_project.pk) in event.target


def test_unknown_project_is_the_same_404_without_audit(as_creator, creator):
    response = as_creator.get(f"{PROJECTS}987654/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert not AuditEvent.objects.filter(action="authz.denied", actor=creator).exists()


def test_project_id_that_is_not_a_number_is_404(as_creator):
    assert as_creator.get(f"{PROJECTS}night-market/").status_code == 404


def test_anonymous_cannot_read_a_project(api_client, project):
    response = api_client.get(project_url(project))
    assert response.status_code == 401
    assert "Night Market" not in response.content.decode()


@pytest.mark.parametrize("persona", NOT_CREATORS)
def test_user_without_creator_role_cannot_read_a_project(request, api_as, persona, project):
    response = api_as(request.getfixturevalue(persona)).get(project_url(project))
    assert response.status_code == 403
    assert "Night Market" not in response.content.decode()


@pytest.mark.parametrize("method", ["put", "delete", "post"])
def test_project_cannot_be_replaced_or_deleted(as_creator, project, method):
    before = snapshot(project)
    response = getattr(as_creator, method)(project_url(project), NEW_PROJECT)
    assert response.status_code == 405
    assert Project.objects.filter(pk=project.pk).exists()
    assert snapshot(project) == before


# --- PATCH /projects/<id>/ ---------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(as_creator, project, shots):
    before = snapshot(project)
    response = as_creator.patch(project_url(project), {"title": "Night Market II", "status": "active"})
    assert response.status_code == 200
    assert snapshot(project) == {**before, "title": "Night Market II", "status": "active"}
    body = response.json()
    assert body["title"] == "Night Market II"
    assert body["status"] == "active"
    assert body["territory"] == "cn_mainland"
    assert [shot["number"] for shot in body["shots"]] == [1, 2]


def test_patch_may_clear_an_optional_field(as_creator, project):
    before = snapshot(project)
    response = as_creator.patch(project_url(project), {"end_date": None, "ai_tools": ""})
    assert response.status_code == 200
    assert snapshot(project) == {**before, "end_date": None, "ai_tools": ""}


def test_patch_ending_before_the_stored_start_is_400_on_end_date(as_creator, project):
    before = snapshot(project)
    response = as_creator.patch(project_url(project), {"end_date": "2026-01-01", "title": "Changed"})
    assert response.status_code == 400
    assert response.json() == {"end_date": ["The end date cannot be before the start date."]}
    assert snapshot(project) == before


def test_patch_with_control_characters_in_title_is_400_and_changes_nothing(as_creator, project):
    before = snapshot(project)
    response = as_creator.patch(project_url(project), {"title": "Night\x1bMarket", "status": "active"})
    assert response.status_code == 400
    assert list(response.json()) == ["title"]
    assert snapshot(project) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "archived"),
        ("category", "bogus"),
        ("territory", "mars"),
        ("distribution_channels", ["pigeon"]),
        ("distribution_channels", None),
        ("title", ""),
    ],
)
def test_patch_with_invalid_value_is_400_and_changes_nothing(as_creator, project, field, value):
    before = snapshot(project)
    response = as_creator.patch(project_url(project), {field: value, "logline": "Changed"})
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert snapshot(project) == before


def test_patch_of_another_creators_project_is_404_and_changes_nothing(as_creator, creator, foreign_project):
    before = snapshot(foreign_project)
    response = as_creator.patch(project_url(foreign_project), {"title": "Mine now"})
    assert response.status_code == 404
    assert snapshot(foreign_project) == before
    assert AuditEvent.objects.filter(action="authz.denied", actor=creator).count() == 1


def test_anonymous_cannot_patch_a_project(api_client, project):
    before = snapshot(project)
    assert api_client.patch(project_url(project), {"title": "Changed"}).status_code == 401
    assert snapshot(project) == before


@pytest.mark.parametrize("persona", NOT_CREATORS)
def test_user_without_creator_role_cannot_patch_a_project(request, api_as, persona, project):
    before = snapshot(project)
    response = api_as(request.getfixturevalue(persona)).patch(project_url(project), {"title": "Changed"})
    assert response.status_code == 403
    assert snapshot(project) == before


# --- GET /projects/<id>/shots/ ---------------------------------------------------------


def test_creator_lists_shots_in_shot_list_order(as_creator, project, shots):
    shot_move(shot=shots[1], direction="up")
    response = as_creator.get(shots_url(project))
    assert response.status_code == 200
    body = response.json()
    assert ids(body) == [shots[1].pk, shots[0].pk]
    assert body["results"][0] == {
        "id": shots[1].pk,
        "number": 2,
        "description": "Rooftop chase",
        "category": "film",
        "likeness_usage": ["face"],
        "duration_seconds": 12,
        "position": 1,
    }


def test_shot_pages_walk_the_shot_list_once_in_order(as_creator, project):
    made = [ShotFactory(project=project, number=n, position=6 - n) for n in range(1, 6)]
    seen, url = [], f"{shots_url(project)}?page_size=2"
    while url:
        body = as_creator.get(url).json()
        seen += ids(body)
        url = body["next"]
        assert len(seen) <= 5
    assert seen == [shot.pk for shot in reversed(made)]


def test_shots_of_another_creators_project_are_404_and_audited(as_creator, creator, foreign_project):
    response = as_creator.get(shots_url(foreign_project))
    assert response.status_code == 404
    assert "results" not in response.json()
    assert AuditEvent.objects.filter(action="authz.denied", actor=creator).count() == 1


@pytest.mark.parametrize(("query", "field"), [({"page_size": "0"}, "page_size"), ({"cursor": "zz"}, "cursor")])
def test_shot_list_with_bad_parameter_is_400_naming_it(as_creator, project, shots, query, field):
    response = as_creator.get(shots_url(project), query)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_anonymous_cannot_list_shots(api_client, project, shots):
    response = api_client.get(shots_url(project))
    assert response.status_code == 401
    assert "Opening walk" not in response.content.decode()


@pytest.mark.parametrize("persona", NOT_CREATORS)
def test_user_without_creator_role_cannot_list_shots(request, api_as, persona, project, shots):
    response = api_as(request.getfixturevalue(persona)).get(shots_url(project))
    assert response.status_code == 403
    assert "Opening walk" not in response.content.decode()


# --- POST /projects/<id>/shots/ ---------------------------------------------------------


def test_creator_adds_a_shot_at_the_end_of_the_shot_list(as_creator, project, shots):
    response = as_creator.post(shots_url(project), {**NEW_SHOT, "position": 1})
    assert response.status_code == 201
    shot = project.shots.get(number=3)
    assert shot.description == "Courier looks back at the camera"
    assert shot.likeness_usage == ["face", "voice"]
    assert shot.duration_seconds == 45
    assert shot.position == 3
    assert response.json() == {**NEW_SHOT, "id": shot.pk, "position": 3}
    assert ids(as_creator.get(shots_url(project)).json()) == [shots[0].pk, shots[1].pk, shot.pk]


def test_shot_number_taken_is_400_on_number(as_creator, project, shots):
    response = as_creator.post(shots_url(project), {**NEW_SHOT, "number": 2})
    assert response.status_code == 400
    assert response.json() == {"number": ["Another shot of this project already has this number."]}
    assert project.shots.count() == 2
    assert project.shots.get(number=2).description == "Rooftop chase"


def test_same_number_in_another_project_is_fine(as_creator, creator, project, shots):
    other, _ = project_with_shots(creator.creator_profile, 1)
    response = as_creator.post(shots_url(other), {**NEW_SHOT, "number": 2})
    assert response.status_code == 201
    assert other.shots.count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("category", "bogus"),
        ("likeness_usage", ["face", "smell"]),
        ("likeness_usage", []),
        ("likeness_usage", "face"),
        ("number", 0),
        ("number", "three"),
        ("duration_seconds", 0),
        ("duration_seconds", 36001),
        ("description", ""),
        ("description", "x" * 501),
        ("description", "Courier\x00looks back"),
        ("description", "Courier\u200blooks back"),
    ],
)
def test_invalid_shot_is_400_naming_the_field_and_adds_nothing(as_creator, project, shots, field, value):
    response = as_creator.post(shots_url(project), {**NEW_SHOT, field: value})
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert project.shots.count() == 2


def test_shot_for_another_creators_project_is_404_and_adds_nothing(as_creator, creator, foreign_project):
    response = as_creator.post(shots_url(foreign_project), NEW_SHOT)
    assert response.status_code == 404
    assert foreign_project.shots.count() == 2
    assert AuditEvent.objects.filter(action="authz.denied", actor=creator).count() == 1


def test_anonymous_cannot_add_a_shot(api_client, project, shots):
    assert api_client.post(shots_url(project), NEW_SHOT).status_code == 401
    assert project.shots.count() == 2


@pytest.mark.parametrize("persona", NOT_CREATORS)
def test_user_without_creator_role_cannot_add_a_shot(request, api_as, persona, project, shots):
    response = api_as(request.getfixturevalue(persona)).post(shots_url(project), NEW_SHOT)
    assert response.status_code == 403
    assert project.shots.count() == 2
