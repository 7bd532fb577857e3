"""A new actor completes the profile, uploads a photo, sets red lines, opts in
and watches the checklist turn green, all in Chinese, in a real browser."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from actors.models import ActorProfile, ConsentRecord, LikenessPhoto
from actors.services import actor_profile_create, actor_verification_set
from actors.tests.factories import image_bytes
from conftest import make_user

pytestmark = [pytest.mark.chromium, pytest.mark.slow, pytest.mark.xdist_group("e2e")]

PASSWORD = "Violet-Harbor-2931"
LANGUAGE = "zh-hans"


def zh(message: str) -> str:
    with translation.override(LANGUAGE):
        return translation.gettext(message)


@pytest.fixture
def locale() -> str:
    return "zh-CN"


def test_new_actor_completes_profile_photo_red_lines_and_opt_in_in_chinese(page, live_server, screenshots_dir):
    user = make_user("xiaoyu@example.com", password=PASSWORD, language=LANGUAGE)
    actor = actor_profile_create(user=user, stage_name="林晓雨")

    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name=zh("Sign In"), exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    checklist = page.get_by_label(zh("Steps to appear on the roster"))
    expect(checklist.locator("[data-done=true]")).to_have_count(0)

    # Profile, from the checklist's link.
    checklist.get_by_role("link", name=zh("Complete your profile")).click()
    expect(page).to_have_url(f"{live_server.url}/actors/me/")
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Your actor profile"))
    page.locator("#id_legal_name").fill("林晓雨")
    page.locator("#id_headline").fill("古装剧女主角，擅长武打戏")
    page.locator("#id_bio").fill("毕业于北京电影学院。\n只接受经过我逐个镜头批准的使用。")
    page.locator("input[name=languages][value=zh]").check()
    page.locator("input[name=languages][value=en]").check()
    page.locator("#id_playing_age_min").fill("22")
    page.locator("#id_playing_age_max").fill("32")
    page.locator("#id_city").fill("北京")
    page.locator("#id_country").select_option("CN")
    page.locator("#id_skills").fill("武术，骑马、古典舞")
    page.locator("#id_min_fee").fill("8000")
    page.locator("#id_fee_currency").select_option("CNY")
    page.get_by_role("button", name=zh("Save profile")).click()
    expect(page.locator(".alert-success")).to_contain_text(zh("Your profile is saved."))

    # One photo; the renditions are made when the upload commits.
    page.get_by_role("link", name=zh("Photos"), exact=True).click()
    page.locator("#id_photos").set_input_files(
        [{"name": "我的照片.jpg", "mimeType": "image/jpeg", "buffer": image_bytes("JPEG", size=(300, 400))}]
    )
    page.get_by_role("button", name=zh("Upload")).click()
    expect(page.locator(".alert-success")).to_be_visible()
    page.reload()
    expect(page.locator("#photo-grid img.photo-thumb")).to_have_count(1)
    page.screenshot(path=screenshots_dir / "zh-hans-actor-1-photos.png", full_page=True)

    # Red lines.
    page.get_by_role("link", name=zh("Red lines"), exact=True).click()
    page.locator("input[name=excluded_categories][value=political]").check()
    page.locator("input[name=excluded_categories][value=adult]").check()
    page.locator("#id_blocked_keywords").fill("赌场, Casino")
    page.locator("input[name=accepted_territories][value=cn_mainland]").check()
    page.locator("input[name=accepted_territories][value=hk_mo_tw]").check()
    page.locator("#id_max_term_months").fill("24")
    page.get_by_role("button", name=zh("Save red lines")).click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator(".red-lines-summary")).to_contain_text(zh("Political"))

    # Opt in: the separate consent screen.
    page.get_by_role("link", name=zh("Roster consent"), exact=True).click()
    expect(page.locator(".consent-text")).to_contain_text("逐个镜头")
    page.get_by_label(zh("I have read the text above and I want to be listed on the roster.")).check()
    page.get_by_role("button", name=zh("I consent: list me")).click()
    expect(page.get_by_role("heading", name=zh("You are opted in"))).to_be_visible()

    # A moderator verifies the identity (the moderation workplace does this).
    actor_verification_set(actor=ActorProfile.objects.get(pk=actor.pk), status="verified")

    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    checklist = page.get_by_label(zh("Steps to appear on the roster"))
    expect(checklist.locator("[data-done=true]")).to_have_count(5)
    expect(checklist.locator("[data-done=false]")).to_have_count(0)
    page.screenshot(path=screenshots_dir / "zh-hans-actor-2-checklist.png", full_page=True)

    actor.refresh_from_db()
    assert actor.is_listed
    assert actor.skill_list == ["武术", "骑马", "古典舞"]
    assert LikenessPhoto.objects.filter(actor=actor, renditions="ready").count() == 1
    record = ConsentRecord.objects.get(actor=actor)
    assert record.language == LANGUAGE
    assert "逐个镜头" in record.text
