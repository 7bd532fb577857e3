"""A creator builds a project with three shots, searches and filters the
roster, opens an actor and shortlists them, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from actors.models import AssetAccess
from actors.services import actor_profile_update
from actors.tests.factories import ActorProfileFactory, photo_for
from conftest import make_user
from creators.models import Project, ShortlistEntry
from creators.services import creator_profile_create

pytestmark = [pytest.mark.chromium, pytest.mark.slow, pytest.mark.xdist_group("e2e")]

PASSWORD = "Violet-Harbor-2931"

SHOTS = [
    ("1", "Close-up: the heroine looks up at the rain", "face"),
    ("2", "Wide shot: sword fight on the rooftop", "full_body"),
    ("3", "Voice-over of the closing letter", "voice"),
]


def listed_actor(stage_name: str, *, gender: str, skills: str):
    actor = ActorProfileFactory(listed=True, stage_name=stage_name)
    actor_profile_update(actor=actor, data={"gender": gender, "skills": skills, "headline": f"{stage_name} headline"})
    photo_for(actor)
    return actor


def test_creator_builds_a_project_searches_filters_opens_and_shortlists(page, live_server, screenshots_dir):
    user = make_user("studio@example.com", password=PASSWORD)
    creator_profile_create(user=user, display_name="Lumen Pictures")
    xiaoyu = listed_actor("林晓雨", gender="female", skills="武术, horse riding")
    listed_actor("Maya Okafor", gender="female", skills="ballet")
    listed_actor("Daniel Reyes", gender="male", skills="stage combat")

    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/")

    # A project, then three shots added on its page without a reload.
    page.get_by_role("link", name="Projects", exact=True).click()
    page.goto("/projects/new/")
    page.locator("#id_title").fill("Rain on the Rooftops")
    page.locator("#id_logline").fill("A swordswoman's last night in the old city.")
    page.locator("#id_category").select_option("film")
    page.get_by_role("button", name="Create project").click()
    # htmx binds its handlers once the deferred scripts ran; typing earlier
    # would submit the plain form (or, in the roster, fire no search at all).
    page.wait_for_url(re.compile(r"/projects/\d+/$"), wait_until="load")
    project = Project.objects.get(title="Rain on the Rooftops")

    page.evaluate("window.__sameDocument = true")
    shot_list = page.locator("#shots")
    for number, description, usage in SHOTS:
        form = page.locator("#shot-add form")
        form.locator("[name=number]").fill(number)
        form.locator("[name=duration_seconds]").fill("12")
        form.locator("[name=category]").select_option("film")
        form.locator("[name=description]").fill(description)
        form.locator(f"[name=likeness_usage][value={usage}]").check()
        form.get_by_role("button", name="Add shot").click()
        expect(shot_list).to_contain_text(description)
    assert page.evaluate("window.__sameDocument") is True, "adding shots reloaded the page"
    assert list(project.shots.values_list("number", flat=True)) == [1, 2, 3]
    page.screenshot(path=screenshots_dir / "en-creator-1-project.png", full_page=True)

    # The roster: a Chinese search, then a filter; the URL keeps the state.
    page.get_by_role("link", name="Roster", exact=True).click()
    page.wait_for_url(re.compile(r"/roster/$"), wait_until="load")
    cards = page.locator("[data-testid=roster-card]")
    expect(cards).to_have_count(3)
    page.locator("#id_q").fill("晓雨")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("林晓雨")
    expect(page).to_have_url(re.compile(r"q=%E6%99%93%E9%9B%A8"))

    page.locator("#id_q").fill("")
    expect(cards).to_have_count(3)
    page.locator("#id_gender").select_option("female")
    expect(cards).to_have_count(2)
    expect(page).to_have_url(re.compile(r"gender=female"))
    page.go_back()
    expect(cards).to_have_count(3)
    page.go_forward()
    expect(cards).to_have_count(2)
    page.screenshot(path=screenshots_dir / "en-creator-2-roster.png", full_page=True)

    # The actor page: watermarked previews (each view logged for the actor).
    cards.filter(has_text="林晓雨").get_by_role("link", name="林晓雨").click()
    expect(page).to_have_url(f"{live_server.url}/roster/{xiaoyu.slug}/")
    expect(page.locator("img.roster-preview").first).to_be_visible()
    expect(page.locator(".red-lines-summary")).to_be_visible()

    toggle = page.locator(".shortlist-toggle").filter(has_text="Rain on the Rooftops")
    toggle.get_by_role("button").click()
    expect(page.get_by_role("button", name="Remove from shortlist")).to_be_visible()
    page.screenshot(path=screenshots_dir / "en-creator-3-actor.png", full_page=True)

    assert ShortlistEntry.objects.filter(project=project, actor=xiaoyu).exists()
    assert AssetAccess.objects.filter(actor=xiaoyu, kind="preview", outcome="granted", viewer=user).exists()

    page.goto(f"/projects/{project.pk}/")
    expect(page.locator("main, body").first).to_contain_text("林晓雨")
