"""A dispute from the contract page to a voided licence, in a real browser:
the creator opens a dispute on an active contract (the public licence page
says "under dispute" at once), a moderator signs in with password and TOTP,
reads the dispute and voids the contract; both parties are told, the public
page says voided and the creator's download of the original is gone."""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from actors.models import ActorProfile
from actors.tests.factories import photo_for
from conftest import make_user
from creators.models import CreatorProfile
from creators.tests.factories import CreatorProfileFactory
from marketplace.models import Notification
from marketplace.roles import MODERATORS_GROUP
from moderation import notifications as kinds
from moderation.models import Dispute, DisputeOutcome, DisputeStatus
from moderation.tests.conftest import TOTP_SECRET, give_totp
from usage_requests.models import ContractStatus
from usage_requests.tests.factories import active_contract, open_actor

pytestmark = [pytest.mark.chromium, pytest.mark.slow, pytest.mark.xdist_group("e2e")]

PASSWORD = "Lantern-Quay-4417"
TOTP_PERIOD = 30


def current_totp() -> str:
    """The code of a period with at least 10 s left: allauth accepts the
    current period's code only, so a code taken just before the period ends
    was refused by the time a busy machine submitted it."""
    left = TOTP_PERIOD - time.time() % TOTP_PERIOD
    if left < 10:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // TOTP_PERIOD))


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/", wait_until="load")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_load_state("load")


def test_creator_disputes_and_a_moderator_voids_the_licence(page, browser, live_server, screenshots_dir):
    creator_user = make_user("studio-dispute@example.com", password=PASSWORD)
    studio = CreatorProfileFactory(user=creator_user, display_name="Lumen Pictures")
    CreatorProfile.objects.filter(pk=studio.pk).update(legal_name="Lumen Pictures Ltd")
    actor_user = make_user("xiaoyu-dispute@example.com", password=PASSWORD)
    actor = open_actor(
        ActorProfile.objects.create(
            user=actor_user, stage_name="林晓雨", slug="lin-xiaoyu-dispute", legal_name="林晓雨"
        )
    )
    photo = photo_for(actor)
    contract = active_contract(actor=actor, creator=CreatorProfile.objects.get(pk=studio.pk))
    assert contract.status == ContractStatus.ACTIVE
    moderator = make_user("moderator-dispute@example.com", password=PASSWORD)
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    give_totp(moderator)

    # The creator opens a dispute from the contract page.
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, creator_user.email)
    expect(page.locator("nav")).to_be_visible()
    page.goto(f"/contracts/{contract.pk}/", wait_until="load")
    assert page.request.get(f"/actors/photos/{photo.pk}/original/").status == 200
    page.locator("[data-testid=dispute-new]").first.click()
    page.wait_for_url(re.compile(rf"/requests/{contract.request_id}/dispute/$"), wait_until="load")
    page.locator("select[name=category]").select_option("beyond_shots")
    page.locator("textarea[name=description]").fill("My face appears in the trailer, in a shot I vetoed.")
    page.get_by_role("button", name="Send the dispute to the moderators").click()
    page.wait_for_url(re.compile(r"/disputes/\d+/$"), wait_until="load")
    dispute = Dispute.objects.get(usage_request=contract.request)
    expect(page.locator("[data-testid=dispute-status]")).to_contain_text("Open")
    expect(page.locator("[data-testid=dispute-description]")).to_contain_text("in a shot I vetoed")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SUSPENDED
    page.screenshot(path=screenshots_dir / "dispute-1-opened.png", full_page=True)

    public = browser.new_context(base_url=live_server.url).new_page()
    public.goto(f"/verify/{contract.licence_code}/", wait_until="load")
    expect(public.locator("main")).to_contain_text("Not in force: under dispute")

    # The moderator signs in with the password and the authenticator code.
    moderator_context = browser.new_context(base_url=live_server.url)
    moderator_page = moderator_context.new_page()
    moderator_page.on("dialog", lambda dialog: dialog.accept())
    sign_in(moderator_page, moderator.email)
    moderator_page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"), wait_until="load")
    moderator_page.locator("input[name=code]").fill(current_totp())
    moderator_page.locator("main form button[type=submit]").first.click()
    moderator_page.wait_for_load_state("load")
    expect(moderator_page.locator("input[name=code]")).to_have_count(0)

    moderator_page.goto("/moderation/disputes/", wait_until="load")
    moderator_page.locator(f'a[href="/disputes/{dispute.pk}/"]').click()
    moderator_page.wait_for_url(re.compile(rf"/disputes/{dispute.pk}/$"), wait_until="load")
    expect(moderator_page.locator("main")).to_contain_text("My face appears in the trailer")
    expect(moderator_page.locator("[data-testid=request-events]")).to_contain_text("Request sent")
    moderator_page.locator("select[name=outcome]").select_option(DisputeOutcome.CONTRACT_VOIDED)
    moderator_page.locator("textarea[name=resolution]").fill("The trailer uses a vetoed shot; the licence is void.")
    moderator_page.get_by_role("button", name="Resolve", exact=True).click()
    moderator_page.wait_for_load_state("load")
    if "reauthenticate" in moderator_page.url:
        # allauth asks for a fresh confirmation before a sensitive action;
        # the decision is resumed once it is given.
        moderator_page.locator("input[name=password]").fill(PASSWORD)
        moderator_page.locator("main form button[type=submit]").first.click()
    moderator_page.wait_for_url(re.compile(rf"/disputes/{dispute.pk}/$"), wait_until="load")
    expect(moderator_page.locator("[data-testid=dispute-decision]")).to_contain_text("Contract voided")
    moderator_page.screenshot(path=screenshots_dir / "dispute-2-decided.png", full_page=True)
    moderator_context.close()

    dispute.refresh_from_db()
    contract.refresh_from_db()
    assert dispute.status == DisputeStatus.RESOLVED
    assert dispute.outcome == DisputeOutcome.CONTRACT_VOIDED
    assert contract.status == ContractStatus.VOIDED
    for user in (creator_user, actor_user):
        assert Notification.objects.filter(recipient=user, kind=kinds.DISPUTE_RESOLVED.key).exists()

    page.goto("/notifications/", wait_until="load")
    expect(page.locator("main")).to_contain_text(f"Dispute #{dispute.pk} is resolved: Contract voided")
    page.goto(f"/disputes/{dispute.pk}/", wait_until="load")
    expect(page.locator("[data-testid=dispute-decision]")).to_contain_text("the licence is void")

    public.goto(f"/verify/{contract.licence_code}/", wait_until="load")
    expect(public.locator("main")).to_contain_text("Not in force: voided")
    public.context.close()

    assert page.request.get(f"/actors/photos/{photo.pk}/original/").status == 404
