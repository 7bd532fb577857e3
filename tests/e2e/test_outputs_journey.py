"""Generated outputs from submission to the public record, in a real browser,
once in English and once in Chinese: under a licence in force the creator
submits an image for one approved shot and a video for another; the actor
rejects the image with a note and approves the video; the creator downloads
the video's labelled copy; anyone can read the approved video's SHA-256 on
the public licence page, and the output lookup recognises that file and not
the rejected one; once the actor revokes the licence, the lookup says so."""

import hashlib
import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from actors.models import ActorProfile
from conftest import make_user
from creators.models import CreatorProfile
from creators.tests.factories import CreatorProfileFactory
from marketplace.labelling import read_ai_label
from marketplace.tests.videos import make_video
from usage_requests.models import ContractStatus, GeneratedOutput, OutputStatus
from usage_requests.tests.factories import active_contract, open_actor, output_image

pytestmark = [pytest.mark.chromium, pytest.mark.slow, pytest.mark.xdist_group("e2e")]

PASSWORD = "Lantern-Quay-4417"
JOURNEYS = [("en-US", "en"), ("zh-CN", "zh-hans")]
REJECTION = "The face is not mine: the jaw is wrong."
# Half-width punctuation touching Chinese text ("工具: …", "（CNY)").
HALF_WIDTH_BESIDE_CHINESE = re.compile(r"[\u4e00-\u9fff][:;,?!()]|[()][\u4e00-\u9fff]")


@pytest.fixture(params=JOURNEYS, ids=["english", "chinese"])
def journey(request):
    return request.param


@pytest.fixture
def locale(journey) -> str:
    return journey[0]


def t(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def sign_in(page, email: str, language: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name=t(language, "Sign In"), exact=True).click()
    expect(page.locator("nav")).to_be_visible()


def assert_reads_well(page, language: str) -> None:
    """A Chinese page uses full-width punctuation beside Chinese text."""
    if language != "zh-hans":
        return
    text = page.locator("main").inner_text()
    assert not HALF_WIDTH_BESIDE_CHINESE.search(text), HALF_WIDTH_BESIDE_CHINESE.findall(text)


def submit(page, contract, shot: int, path, tool: str) -> None:
    form = page.locator(f"form[action='/contracts/{contract.pk}/outputs/submit/']").first
    form.locator("select[name=shot]").select_option(str(shot))
    form.locator("input[name=file]").set_input_files(str(path))
    form.locator("input[name=tool]").fill(tool)
    form.locator("button[type=submit]").click()


def test_outputs_are_submitted_reviewed_published_and_followed_to_revocation(
    journey, page, browser, live_server, tmp_path, screenshots_dir
):
    browser_locale, language = journey
    tag = "en" if language == "en" else "zh"
    creator_user = make_user(f"studio-outputs-{tag}@example.com", password=PASSWORD, language=language)
    studio = CreatorProfileFactory(user=creator_user, display_name="Lumen Pictures")
    actor_user = make_user(f"xiaoyu-outputs-{tag}@example.com", password=PASSWORD, language=language)
    actor = open_actor(
        ActorProfile.objects.create(
            user=actor_user, stage_name="林晓雨", slug=f"lin-xiaoyu-outputs-{tag}", legal_name="林晓雨"
        )
    )
    contract = active_contract(actor=actor, creator=CreatorProfile.objects.get(pk=studio.pk))
    first_shot, second_shot = (shot["number"] for shot in contract.snapshot["shots"][:2])
    image = tmp_path / "shot-one.png"
    image.write_bytes(output_image(seed=7, size=(320, 240)))
    video = tmp_path / "shot-two.mp4"
    video.write_bytes(make_video("mp4", width=160, height=120, frames=24, fps=12, seed=3))
    image_sha = hashlib.sha256(image.read_bytes()).hexdigest()
    video_sha = hashlib.sha256(video.read_bytes()).hexdigest()

    # The creator submits an image for the first shot and a video for the second.
    creator_context = browser.new_context(locale=browser_locale, base_url=live_server.url)
    creator_page = creator_context.new_page()
    sign_in(creator_page, creator_user.email, language)
    creator_page.goto(f"/contracts/{contract.pk}/")
    creator_page.locator(f"a[href='/contracts/{contract.pk}/outputs/']").first.click()
    creator_page.wait_for_url(f"**/contracts/{contract.pk}/outputs/")
    submit(creator_page, contract, first_shot, image, "Dreamina 3.0")
    expect(creator_page.locator("article.output-card")).to_have_count(1)
    submit(creator_page, contract, second_shot, video, "Kling 2.1")
    expect(creator_page.locator("article.output-card")).to_have_count(2)
    expect(creator_page.locator("article.output-card[data-status=pending]")).to_have_count(2)
    assert_reads_well(creator_page, language)
    image_output = GeneratedOutput.objects.get(sha256=image_sha)
    video_output = GeneratedOutput.objects.get(sha256=video_sha)
    assert (image_output.kind, video_output.kind) == ("image", "video")
    assert video_output.duration_seconds == pytest.approx(2.0, abs=0.1)

    # The actor reviews both from the contract page: the image rejected with a note, the video approved.
    sign_in(page, actor_user.email, language)
    page.goto(f"/contracts/{contract.pk}/")
    expect(page.locator("[data-testid=outputs-review-link]")).to_contain_text("2")
    page.locator("[data-testid=outputs-review-link] a").click()
    page.wait_for_url(f"**/contracts/{contract.pk}/outputs/review/")
    expect(page.locator("[data-testid=pending-output]")).to_have_count(2)
    assert_reads_well(page, language)
    rejected = page.locator(f"#output-{image_output.pk}")
    rejected.locator("textarea[name=note]").fill(REJECTION)
    rejected.locator("button[value=reject]").click()
    expect(page.locator("[data-testid=pending-output]")).to_have_count(1)
    page.locator(f"#output-{video_output.pk} button[value=approve]").click()
    expect(page.locator("[data-testid=nothing-waiting]")).to_be_visible()
    page.screenshot(path=str(screenshots_dir / f"outputs-review-{tag}.png"), full_page=True)
    image_output.refresh_from_db()
    video_output.refresh_from_db()
    assert (image_output.status, image_output.review_note) == (OutputStatus.REJECTED, REJECTION)
    assert video_output.status == OutputStatus.APPROVED

    # The creator reads the note and downloads the approved video's labelled copy.
    creator_page.goto(f"/contracts/{contract.pk}/outputs/")
    expect(creator_page.locator(f"article[data-output='{image_output.pk}']")).to_contain_text(REJECTION)
    labelled = creator_page.request.get(f"/contracts/{contract.pk}/outputs/{video_output.pk}/labelled/")
    assert labelled.status == 200
    implicit = read_ai_label(labelled.body(), "video/mp4")
    assert implicit is not None
    assert implicit["AIGC"]["ProduceID"].startswith(contract.licence_code)
    creator_context.close()

    # Anyone: the public licence lists the approved hash only; the lookup knows that file and not the other.
    visitor = browser.new_context(locale=browser_locale, base_url=live_server.url)
    public = visitor.new_page()
    public.goto(f"/verify/{contract.licence_code}/")
    approved = public.locator("[data-testid=approved-output]")
    expect(approved).to_have_count(1)
    expect(approved).to_contain_text(video_sha)
    expect(public.locator("[data-testid=approved-outputs]")).not_to_contain_text(image_sha)
    assert_reads_well(public, language)
    found = public.request.get(f"/api/v1/outputs/{video_sha}/")
    assert found.status == 200
    assert found.json()["approved"] is True
    assert found.json()["licences"][0]["licence_code"] == contract.licence_code
    assert public.request.get(f"/api/v1/outputs/{image_sha}/").status == 404

    # The actor revokes the licence; the lookup says the approval no longer stands.
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"/contracts/{contract.pk}/")
    page.locator("textarea[name=reason]").fill("I no longer agree.")
    page.get_by_role("button", name=t(language, "Revoke the licence")).click()
    expect(page.locator("main")).to_contain_text(t(language, "Revoked by the actor"))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.REVOKED
    after = public.request.get(f"/api/v1/outputs/{video_sha}/", headers={"Accept-Language": language})
    assert after.status == 200
    body = after.json()
    assert body["approved"] is False
    assert body["licences"][0]["status"] == "revoked"
    assert ("撤销" if language == "zh-hans" else "revoked") in body["message"]
    public.goto(f"/verify/outputs/{video_sha}/")
    expect(public.locator("main")).to_contain_text(contract.licence_code)
    public.screenshot(path=str(screenshots_dir / f"outputs-lookup-revoked-{tag}.png"), full_page=True)
    visitor.close()
