"""Live status in a real browser: a photo being processed and a data export
being prepared change on the page when the worker finishes, without a
reload; an upload shows previews of the chosen photos, then its progress,
with no console error or CSP violation."""

import re

import pytest
from playwright.sync_api import expect

from actors.models import DataExport, LikenessPhoto
from actors.services import actor_profile_create, data_export_build, photo_renditions_make, photo_upload
from actors.tests.factories import image_bytes, image_upload
from conftest import make_user

pytestmark = [pytest.mark.chromium, pytest.mark.slow, pytest.mark.xdist_group("e2e")]

PASSWORD = "Violet-Harbor-2931"
# Reports every percentage the upload's bar shows (Playwright's init scripts
# run outside the page's CSP).
PROGRESS_WATCH = """
document.addEventListener("DOMContentLoaded", () => {
  const percent = document.querySelector("[data-upload-percent]");
  if (!percent) return;
  new MutationObserver(() => window.reportUploadProgress(percent.textContent)).observe(
    percent, {childList: true, characterData: true, subtree: true}
  );
});
"""


@pytest.fixture
def signed_in(page, live_server):
    user = make_user("live@example.com", password=PASSWORD)
    actor = actor_profile_create(user=user, stage_name="Mei Live")
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator("button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")
    return actor, problems


def test_a_photo_being_processed_shows_its_thumbnail_when_ready_without_reload(page, signed_in):
    actor, problems = signed_in
    (photo,) = photo_upload(actor=actor, files=[image_upload(seed=61)])
    LikenessPhoto.objects.filter(pk=photo.pk).update(renditions=LikenessPhoto.Renditions.PENDING, thumbnail="")
    page.goto("/actors/me/photos/")
    card = page.locator(f"#photo-{photo.pk}")
    expect(card).to_contain_text("Processing…")
    photo_renditions_make(photo_id=photo.pk)
    expect(card.locator("img.photo-thumb")).to_be_visible(timeout=10_000)
    expect(card).not_to_have_attribute("hx-trigger", "every 3s")
    assert problems == []


def test_an_export_being_prepared_turns_ready_without_reload(page, signed_in):
    actor, problems = signed_in
    export = DataExport.objects.create(actor=actor)
    page.goto("/actors/me/data/")
    row = page.locator(f"#export-{export.pk}")
    expect(row.get_by_test_id("export-status")).to_have_text("Being prepared")
    data_export_build(export_id=export.pk)
    expect(row.get_by_test_id("export-status")).to_have_text("Ready to download", timeout=10_000)
    expect(row.get_by_role("link")).to_be_visible()
    assert problems == []


def test_an_upload_shows_previews_then_its_progress_and_lands_on_the_page(page, signed_in, screenshots_dir):
    _actor, problems = signed_in
    shown: list[str] = []
    page.expose_function("reportUploadProgress", lambda value: shown.append(value))
    page.add_init_script(PROGRESS_WATCH)
    page.goto("/actors/me/photos/")
    page.locator("#id_photos").set_input_files(
        [
            {"name": "one.jpg", "mimeType": "image/jpeg", "buffer": image_bytes("JPEG", size=(300, 400), seed=1)},
            {"name": "two.png", "mimeType": "image/png", "buffer": image_bytes("PNG", size=(300, 400), seed=2)},
        ]
    )
    previews = page.locator("[data-upload-previews] img")
    expect(previews).to_have_count(2)
    expect(previews.first).to_have_attribute("src", re.compile(r"^data:image/jpeg;base64,"))
    page.locator("form[data-photo-upload]").screenshot(path=screenshots_dir / "en-photo-upload-previews.png")
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".alert-success")).to_contain_text("2 photos uploaded.")
    expect(page.locator("#photo-grid [data-testid=photo-card]")).to_have_count(2)
    # The bar started at 0 and reached 100 when the server answered (the script's
    # upload, not a plain form post, which would have shown no bar at all).
    assert shown[0] == "0"
    assert "100" in shown
    assert all(0 <= int(value) <= 100 for value in shown)
    assert problems == []


def test_a_refused_upload_shows_the_reason_in_the_form(page, signed_in):
    _actor, problems = signed_in
    page.goto("/actors/me/photos/")
    page.locator("#id_photos").set_input_files([{"name": "x.jpg", "mimeType": "image/jpeg", "buffer": b"not an image"}])
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("[data-upload-errors]")).to_be_visible()
    expect(page.locator("[data-upload-errors]")).to_contain_text("JPEG, PNG or WebP")
    expect(page.locator("[data-upload-progress]")).to_be_hidden()
    assert LikenessPhoto.objects.count() == 0
    # A 400 answer is logged by the browser as a failed resource; nothing else may be.
    assert [problem for problem in problems if "400" not in problem] == []
