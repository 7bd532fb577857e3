"""Shots of a project: added, edited, removed and reordered in place (htmx) and without JavaScript."""

import re

import pytest

from creators.models import Project, Shot
from creators.services import ShotNumberTaken, shot_add, shot_move
from creators.tests.factories import ProjectFactory, ShotFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
NEW_SHOT = {
    "number": "3",
    "description": "Courier looks back at the camera",
    "category": "film",
    "likeness_usage": ["face", "voice"],
    "duration_seconds": "45",
}
ROW_IDS = re.compile(r'<tr id="shot-(\d+)"')


@pytest.fixture
def project(creator) -> Project:
    return ProjectFactory(creator=creator.creator_profile, title="Night Market")


@pytest.fixture
def shots(project) -> list[Shot]:
    """Shots 1 and 2, in that order."""
    return [
        ShotFactory(project=project, number=1, position=1, description="Opening walk"),
        ShotFactory(project=project, number=2, position=2, description="Rooftop chase"),
    ]


def numbers_in_order(project: Project) -> list[int]:
    return list(project.shots.values_list("number", flat=True))


def shot_rows(response) -> list[int]:
    return [int(pk) for pk in ROW_IDS.findall(response.content.decode())]


# --- Add ----------------------------------------------------------------------------


def test_creator_adds_shot_with_htmx_and_gets_the_new_shot_list(login, creator, project, shots):
    response = login(creator).post(f"/projects/{project.pk}/shots/new/", NEW_SHOT, headers=HTMX)
    assert response.status_code == 200
    shot = project.shots.get(number=3)
    assert shot.description == "Courier looks back at the camera"
    assert shot.likeness_usage == ["face", "voice"]
    assert shot.duration_seconds == 45
    assert shot.position == 3
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="shots"')
    assert "<html" not in page
    assert shot_rows(response) == [shots[0].pk, shots[1].pk, shot.pk]
    assert "Shot 3 added." in page


def test_creator_adds_shot_without_javascript_and_returns_to_the_project(login, creator, project):
    response = login(creator).post(f"/projects/{project.pk}/shots/new/", NEW_SHOT)
    shot = project.shots.get()
    assert response.status_code == 302
    assert response.url == f"/projects/{project.pk}/#shot-{shot.pk}"


def test_add_form_suggests_the_next_free_number(login, creator, project, shots):
    page = login(creator).get(f"/projects/{project.pk}/").content.decode()
    assert re.search(r'name="number" value="3"[^>]*id="new-shot-number"', page)


def test_duplicate_number_with_htmx_shows_the_form_with_the_error_and_adds_nothing(login, creator, project, shots):
    response = login(creator).post(f"/projects/{project.pk}/shots/new/", {**NEW_SHOT, "number": "2"}, headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#shot-add"
    assert response["HX-Reswap"] == "outerHTML"
    page = response.content.decode()
    assert '<div id="shot-add"' in page
    assert "Shot 2 already exists in this project. Choose another number." in page
    assert numbers_in_order(project) == [1, 2]
    assert project.shots.get(number=2).description == "Rooftop chase"


def test_duplicate_number_without_javascript_is_400_and_adds_nothing(login, creator, project, shots):
    response = login(creator).post(f"/projects/{project.pk}/shots/new/", {**NEW_SHOT, "number": "1"})
    assert response.status_code == 400
    assert "Shot 1 already exists in this project." in response.content.decode()
    assert numbers_in_order(project) == [1, 2]


def test_same_number_in_another_project_is_fine(login, creator, project, shots):
    other = ProjectFactory(creator=creator.creator_profile)
    response = login(creator).post(f"/projects/{other.pk}/shots/new/", {**NEW_SHOT, "number": "1"})
    assert response.status_code == 302
    assert numbers_in_order(other) == [1]


def test_shot_needs_at_least_one_likeness_usage(login, creator, project):
    data = {key: value for key, value in NEW_SHOT.items() if key != "likeness_usage"}
    response = login(creator).post(f"/projects/{project.pk}/shots/new/", data)
    assert response.status_code == 400
    assert "Choose at least one: face, full body or voice." in response.content.decode()
    assert not project.shots.exists()


def test_unknown_likeness_usage_is_refused(login, creator, project):
    response = login(creator).post(f"/projects/{project.pk}/shots/new/", {**NEW_SHOT, "likeness_usage": ["gait"]})
    assert response.status_code == 400
    assert not project.shots.exists()


@pytest.mark.parametrize("seconds", ["0", "-5", "36001", "ten"])
def test_duration_outside_one_second_to_ten_hours_is_refused(login, creator, project, seconds):
    response = login(creator).post(f"/projects/{project.pk}/shots/new/", {**NEW_SHOT, "duration_seconds": seconds})
    assert response.status_code == 400
    assert not project.shots.exists()


@pytest.mark.parametrize("seconds", [1, 36000])
def test_duration_of_one_second_and_of_ten_hours_is_accepted(login, creator, project, seconds):
    response = login(creator).post(f"/projects/{project.pk}/shots/new/", {**NEW_SHOT, "duration_seconds": seconds})
    assert response.status_code == 302
    assert project.shots.get().duration_seconds == seconds


def test_shot_number_taken_in_a_race_is_a_domain_error_not_a_500(project, shots):
    # The form checks first; the constraint still decides when two requests race.
    with pytest.raises(ShotNumberTaken):
        shot_add(
            project=project, number=2, description="Late", category="film", likeness_usage=["face"], duration_seconds=3
        )
    assert numbers_in_order(project) == [1, 2]


# --- Edit -----------------------------------------------------------------------------


def test_edit_with_htmx_replaces_the_row_with_its_form(login, creator, project, shots):
    shot = shots[1]
    response = login(creator).get(f"/projects/{project.pk}/shots/{shot.pk}/edit/", headers=HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith(f'<tr id="shot-{shot.pk}" class="shot-editing">')
    assert f'hx-post="/projects/{project.pk}/shots/{shot.pk}/edit/"' in page
    assert 'value="Rooftop chase"' in page
    assert "<html" not in page


def test_edit_without_javascript_is_a_page_of_its_own(login, creator, project, shots):
    response = login(creator).get(f"/projects/{project.pk}/shots/{shots[0].pk}/edit/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" in page
    assert "Edit shot 1" in page
    assert 'value="Opening walk"' in page


def test_creator_edits_shot_with_htmx_and_gets_the_updated_row(login, creator, project, shots):
    shot = shots[0]
    data = {**NEW_SHOT, "number": "1", "description": "Opening walk, at dusk", "likeness_usage": ["full_body"]}
    response = login(creator).post(f"/projects/{project.pk}/shots/{shot.pk}/edit/", data, headers=HTMX)
    assert response.status_code == 200
    shot.refresh_from_db()
    assert shot.description == "Opening walk, at dusk"
    assert shot.likeness_usage == ["full_body"]
    page = response.content.decode()
    assert page.lstrip().startswith(f'<tr id="shot-{shot.pk}"')
    assert "Opening walk, at dusk" in page
    assert "Full body" in page
    assert "<form" in page  # the row's own buttons, not the edit form
    assert 'name="description"' not in page


def test_creator_edits_shot_without_javascript_and_returns_to_the_project(login, creator, project, shots):
    shot = shots[0]
    response = login(creator).post(f"/projects/{project.pk}/shots/{shot.pk}/edit/", {**NEW_SHOT, "number": "9"})
    assert response.status_code == 302
    assert response.url == f"/projects/{project.pk}/#shot-{shot.pk}"
    shot.refresh_from_db()
    assert shot.number == 9


def test_edit_to_a_taken_number_with_htmx_shows_the_error_and_changes_nothing(login, creator, project, shots):
    shot = shots[0]
    data = {**NEW_SHOT, "number": "2", "description": "Changed"}
    response = login(creator).post(f"/projects/{project.pk}/shots/{shot.pk}/edit/", data, headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == f"#shot-{shot.pk}"
    assert response["HX-Reswap"] == "outerHTML"
    page = response.content.decode()
    assert "Shot 2 already exists in this project." in page
    assert 'class="shot-editing"' in page
    shot.refresh_from_db()
    assert (shot.number, shot.description) == (1, "Opening walk")


def test_edit_to_a_taken_number_without_javascript_is_400_and_changes_nothing(login, creator, project, shots):
    shot = shots[0]
    data = {**NEW_SHOT, "number": "2", "description": "Changed"}
    response = login(creator).post(f"/projects/{project.pk}/shots/{shot.pk}/edit/", data)
    assert response.status_code == 400
    assert "Shot 2 already exists in this project." in response.content.decode()
    shot.refresh_from_db()
    assert (shot.number, shot.description) == (1, "Opening walk")


def test_edit_without_likeness_usage_is_refused(login, creator, project, shots):
    shot = shots[0]
    data = {**NEW_SHOT, "number": "1", "likeness_usage": []}
    response = login(creator).post(f"/projects/{project.pk}/shots/{shot.pk}/edit/", data)
    assert response.status_code == 400
    shot.refresh_from_db()
    assert shot.likeness_usage == ["face"]


def test_cancel_edit_with_htmx_puts_the_row_back(login, creator, project, shots):
    shot = shots[1]
    response = login(creator).get(f"/projects/{project.pk}/shots/{shot.pk}/", headers=HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith(f'<tr id="shot-{shot.pk}">')
    assert "Rooftop chase" in page


def test_shot_row_without_javascript_redirects_to_the_project(login, creator, project, shots):
    shot = shots[1]
    response = login(creator).get(f"/projects/{project.pk}/shots/{shot.pk}/")
    assert response.status_code == 302
    assert response.url == f"/projects/{project.pk}/#shot-{shot.pk}"


# --- Remove ----------------------------------------------------------------------------


def test_remove_with_htmx_answers_the_shot_list_without_the_shot(login, creator, project, shots):
    response = login(creator).post(f"/projects/{project.pk}/shots/{shots[0].pk}/delete/", headers=HTMX)
    assert response.status_code == 200
    assert numbers_in_order(project) == [2]
    assert shot_rows(response) == [shots[1].pk]
    assert "Shot 1 removed." in response.content.decode()


def test_remove_button_asks_for_confirmation(login, creator, project, shots):
    page = login(creator).get(f"/projects/{project.pk}/").content.decode()
    assert 'hx-confirm="Remove shot 1 from this project?"' in page


def test_remove_without_javascript_asks_for_confirmation_first(login, creator, project, shots):
    response = login(creator).get(f"/projects/{project.pk}/shots/{shots[0].pk}/delete/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Remove shot 1?" in page
    assert "Opening walk" in page
    assert numbers_in_order(project) == [1, 2]


def test_remove_without_javascript_deletes_and_returns_to_the_project(login, creator, project, shots):
    client = login(creator)
    response = client.post(f"/projects/{project.pk}/shots/{shots[1].pk}/delete/")
    assert response.status_code == 302
    assert response.url == f"/projects/{project.pk}/#shots"
    assert numbers_in_order(project) == [1]
    assert "Shot 2 removed." in client.get(response.url).content.decode()


def test_removing_the_last_shot_shows_the_empty_list(login, creator, project):
    shot = ShotFactory(project=project)
    response = login(creator).post(f"/projects/{project.pk}/shots/{shot.pk}/delete/", headers=HTMX)
    assert "No shots yet." in response.content.decode()
    assert not project.shots.exists()


# --- Reorder -----------------------------------------------------------------------------


def test_move_up_with_htmx_swaps_the_shot_with_the_one_above(login, creator, project, shots):
    response = login(creator).post(
        f"/projects/{project.pk}/shots/{shots[1].pk}/move/", {"direction": "up"}, headers=HTMX
    )
    assert response.status_code == 200
    assert numbers_in_order(project) == [2, 1]
    assert shot_rows(response) == [shots[1].pk, shots[0].pk]


def test_move_down_without_javascript_swaps_and_returns_to_the_shot(login, creator, project, shots):
    response = login(creator).post(f"/projects/{project.pk}/shots/{shots[0].pk}/move/", {"direction": "down"})
    assert response.status_code == 302
    assert response.url == f"/projects/{project.pk}/#shot-{shots[0].pk}"
    assert numbers_in_order(project) == [2, 1]


def test_moving_the_first_shot_up_changes_nothing(login, creator, project, shots):
    response = login(creator).post(f"/projects/{project.pk}/shots/{shots[0].pk}/move/", {"direction": "up"})
    assert response.status_code == 302
    assert numbers_in_order(project) == [1, 2]


def test_move_with_an_unknown_direction_is_400(login, creator, project, shots):
    response = login(creator).post(f"/projects/{project.pk}/shots/{shots[0].pk}/move/", {"direction": "sideways"})
    assert response.status_code == 400
    assert numbers_in_order(project) == [1, 2]


def test_move_gives_shots_sharing_a_position_a_definite_order(project):
    *_, third = (ShotFactory(project=project, number=n, position=0) for n in (1, 2, 3))
    shot_move(shot=third, direction="up")
    assert numbers_in_order(project) == [1, 3, 2]
    assert list(project.shots.values_list("position", flat=True)) == [1, 2, 3]


def test_first_and_last_rows_cannot_move_past_the_ends(login, creator, project, shots):
    page = login(creator).get(f"/projects/{project.pk}/").content.decode()
    first_row = page[page.index(f'<tr id="shot-{shots[0].pk}"') : page.index(f'<tr id="shot-{shots[1].pk}"')]
    up_button = first_row[first_row.index('value="up"') :]
    assert up_button.split("</button>")[0].count("disabled") == 1
