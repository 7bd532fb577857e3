"""The README's screenshots, taken from a real browser so they can be made
again (issue 17): the landing page, /verify/<code>/ for every verdict (one
contract seeded per verdict; each page's verdict is checked against the
licence API's status first) and the roster at 375 px, in English and
Chinese where the page is for everyone.

They go to var/e2e-screenshots/ on every run; `make screenshots` runs this
module (and the counter-offer diff's) with UPDATE_SCREENSHOTS=1, which
writes them to docs/screenshots/ (the files the README shows) instead."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from actors.tests.factories import ActorProfileFactory
from conftest import make_user
from creators.tests.factories import CreatorProfileFactory
from tests.e2e.test_navigation import signed_in_context, watch_errors
from usage_requests.models import Contract
from usage_requests.services import contract_revoke, contract_suspend, contract_void
from usage_requests.services.contracts import contract_complete, contract_expire_unsigned
from usage_requests.tests.factories import accepted_contract, active_contract, licensed_photo, open_actor
from usage_requests.verdicts import VerdictKey

pytestmark = [pytest.mark.chromium, pytest.mark.slow, pytest.mark.xdist_group("e2e")]

LANGUAGES = {"en-US": "en", "zh-CN": "zh"}


def later(days: int, length: int = 180) -> dict:
    start = timezone.localdate() + timedelta(days=days)
    return {"term_start": start, "term_end": start + timedelta(days=length)}


@pytest.fixture
def contract_per_verdict(db, moderator) -> dict[str, Contract]:
    """One contract in each verdict, made through the services."""
    actor = open_actor(
        ActorProfileFactory(
            user=make_user("shots-actor@example.com"), stage_name="Lin Xiaoyu", legal_name="Lin Xiaoyu Legal"
        )
    )
    creator = CreatorProfileFactory(
        user=make_user("shots-studio@example.com"), display_name="Lumen Pictures", legal_name="Lumen Pictures Ltd"
    )
    parties = {"actor": actor, "creator": creator}
    contracts = {
        VerdictKey.AWAITING_SIGNATURES: accepted_contract(**parties),
        VerdictKey.SIGNED: active_contract(**parties, **later(14)),
        VerdictKey.ACTIVE: active_contract(**parties),
    }
    contracts[VerdictKey.SUSPENDED] = contract_suspend(contract=active_contract(**parties), by=None)
    contracts[VerdictKey.REVOKED] = contract_revoke(
        contract=active_contract(**parties), user=actor.user, reason="The project changed its subject."
    )
    contracts[VerdictKey.VOIDED] = contract_void(
        contract=contract_suspend(contract=active_contract(**parties), by=None), by=moderator, reason="Misuse."
    )
    completed = active_contract(**parties, term_start=timezone.localdate(), term_end=timezone.localdate())
    contract_complete(contract_id=completed.pk, today=completed.term_end + timedelta(days=1))
    cancelled = accepted_contract(**parties)
    contract_expire_unsigned(contract_id=cancelled.pk, now=cancelled.sign_deadline)
    contracts[VerdictKey.COMPLETED] = completed
    contracts[VerdictKey.CANCELLED] = cancelled
    assert set(contracts) == set(VerdictKey.ALL)
    return contracts


@pytest.mark.parametrize("locale", list(LANGUAGES))
def test_screenshot_of_the_landing_page(browser, live_server, readme_screenshots_dir, locale):
    context = browser.new_context(locale=locale, base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = watch_errors(page)
    page.goto("/", wait_until="networkidle")
    expect(page.get_by_test_id("licence-check-form")).to_be_visible()
    page.screenshot(path=readme_screenshots_dir / f"landing-{LANGUAGES[locale]}.png")
    assert errors == []
    context.close()


def test_screenshots_of_the_licence_page_for_every_verdict(
    browser, live_server, readme_screenshots_dir, contract_per_verdict
):
    context = browser.new_context(locale="en-US", base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = watch_errors(page)
    for key, contract in contract_per_verdict.items():
        licence = page.request.get(f"/api/v1/licenses/{contract.licence_code}/").json()
        assert licence["status"] == key
        page.goto(f"/verify/{contract.licence_code}/", wait_until="networkidle")
        expect(page.locator(f"main [data-verdict={key}]").first).to_be_visible()
        page.screenshot(path=readme_screenshots_dir / f"verify-{key.replace('_', '-')}.png")
    assert errors == []
    context.close()


@pytest.mark.parametrize("locale", list(LANGUAGES))
def test_screenshot_of_the_roster_at_375_px(browser, live_server, readme_screenshots_dir, creator, locale):
    for seed, (name, headline) in enumerate(
        [
            ("林晓雨", "武侠片女主角，擅长武术与雨夜戏"),
            ("Maya Okafor", "Stage and screen, Lagos and London"),
            ("Elena Petrova", "Period drama, ballet, Russian and English"),
        ],
        start=1,
    ):
        actor = ActorProfileFactory(stage_name=name, headline=headline, listed=True)
        licensed_photo(actor, seed=seed)
    # A signed-in user reads the portal in their own language, not the browser's.
    creator.preferred_language = "en" if LANGUAGES[locale] == "en" else "zh-hans"
    creator.save(update_fields=["preferred_language"])
    context = signed_in_context(browser, live_server, creator, width=375, locale=locale)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto("/roster/", wait_until="networkidle")
    expect(page.get_by_test_id("roster-card")).to_have_count(3)
    expect(page.get_by_test_id("roster-filters-toggle")).to_be_visible()
    page.screenshot(path=readme_screenshots_dir / f"roster-375-{LANGUAGES[locale]}.png")
    assert errors == []
    context.close()
