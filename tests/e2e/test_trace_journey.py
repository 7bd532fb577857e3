"""A leaked copy traced and disputed, in a real browser: the creator downloads
an original under an active licence; a copy of it, recompressed at JPEG
quality 70 as a re-post would be, reaches the actor, who follows the "trace"
link of their access log, uploads the copy, reads which download it came
from and who took it, and opens a dispute from the result with the image
attached, without choosing the file again."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import expect

from actors.models import ActorProfile
from actors.services import photo_renditions_make, photo_upload
from conftest import make_user
from creators.models import CreatorProfile
from creators.tests.factories import CreatorProfileFactory
from moderation.models import Dispute, DisputeEvidence, DisputeStatus
from portal.demo.actors import portrait
from usage_requests.models import ContractStatus, Delivery
from usage_requests.tests.factories import active_contract, open_actor

pytestmark = [pytest.mark.chromium, pytest.mark.slow, pytest.mark.xdist_group("e2e")]

PASSWORD = "Lantern-Quay-4417"


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/", wait_until="load")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_load_state("load")


def test_an_actor_traces_a_leaked_copy_and_opens_a_dispute_from_the_result(
    page, browser, live_server, tmp_path, screenshots_dir
):
    creator_user = make_user("studio-trace@example.com", password=PASSWORD)
    studio = CreatorProfileFactory(user=creator_user, display_name="Lumen Pictures")
    actor_user = make_user("xiaoyu-trace@example.com", password=PASSWORD)
    actor = open_actor(
        ActorProfile.objects.create(user=actor_user, stage_name="林晓雨", slug="lin-xiaoyu-trace", legal_name="林晓雨")
    )
    (photo,) = photo_upload(actor=actor, files=[SimpleUploadedFile("p.jpg", portrait(31), content_type="image/jpeg")])
    photo_renditions_make(photo_id=photo.pk)
    contract = active_contract(actor=actor, creator=CreatorProfile.objects.get(pk=studio.pk))

    # The creator downloads the original; a copy recompressed at quality 70 leaks.
    creator_context = browser.new_context(base_url=live_server.url)
    creator_page = creator_context.new_page()
    sign_in(creator_page, creator_user.email)
    expect(creator_page.locator("nav")).to_be_visible()
    download = creator_page.request.get(f"/actors/photos/{photo.pk}/original/")
    assert download.status == 200
    original_copy = download.body()
    creator_context.close()
    delivery = Delivery.objects.get()
    leaked = tmp_path / "found-on-a-forum.jpg"
    buffer = io.BytesIO()
    Image.open(io.BytesIO(original_copy)).save(buffer, format="JPEG", quality=70)
    leaked.write_bytes(buffer.getvalue())

    # The actor finds the download in the access log and follows its trace link.
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, actor_user.email)
    page.goto("/actors/me/access/", wait_until="load")
    expect(page.locator("[data-testid=watermark-id]").first).to_have_text(delivery.watermark_id)
    page.locator("[data-testid=trace-link]").first.click()
    page.wait_for_url(re.compile(r"/trace/\?delivery="), wait_until="load")
    expect(page.locator("[data-testid=linked-delivery]")).to_contain_text("Lumen Pictures")

    page.locator("input[name=image]").set_input_files(str(leaked))
    page.locator("[data-testid=trace-submit]").click()
    found = page.locator("[data-testid=trace-found]")
    expect(found).to_be_visible()
    expect(found.locator("[data-testid=delivery-id]")).to_have_text(delivery.watermark_id)
    expect(found.locator("[data-testid=licensee]")).to_contain_text("Lumen Pictures")
    expect(found.locator("[data-testid=licence-code]")).to_have_text(contract.licence_code)
    # Issue 17: the shared verdict ("In force"), no longer the stored status ("Active").
    expect(found.locator("[data-testid=contract-status]")).to_have_text("In force")
    page.screenshot(path=screenshots_dir / "trace-1-found.png", full_page=True)

    # One step: the chosen file is sent again with the dispute's fields.
    page.locator("select[name=category]").select_option("training")
    page.locator("textarea[name=note]").fill("Found in a public face dataset on 3 May.")
    page.locator("[data-testid=trace-dispute-submit]").click()
    page.wait_for_url(re.compile(r"/disputes/\d+/$"), wait_until="load")
    expect(page.locator("[data-testid=dispute-status]")).to_contain_text("Open")
    expect(page.locator("[data-testid=dispute-description]")).to_contain_text(delivery.watermark_id)
    expect(page.locator("[data-testid=dispute-description]")).to_contain_text("public face dataset")
    page.screenshot(path=screenshots_dir / "trace-2-dispute.png", full_page=True)

    dispute = Dispute.objects.get()
    assert dispute.status == DisputeStatus.OPEN
    assert dispute.opened_by == actor_user
    assert dispute.category == "training"
    assert DisputeEvidence.objects.filter(dispute=dispute).count() == 1
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SUSPENDED
