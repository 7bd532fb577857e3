"""A counter-offer in a real browser, in English and Chinese: the creator's
request page marks the changed fee (9,000 → 12,000 CNY), the old value
struck through and the new one highlighted, and leaves the rest unmarked."""

import re
from decimal import Decimal

import pytest
from django.utils import translation
from playwright.sync_api import expect

from conftest import make_user
from creators.tests.factories import CreatorProfileFactory
from usage_requests.services import usage_request_counter
from usage_requests.tests.factories import GOOD_TERMS, open_actor, send_request, term_dates

pytestmark = [pytest.mark.chromium, pytest.mark.slow, pytest.mark.xdist_group("e2e")]

PASSWORD = "Lantern-Quay-4417"


@pytest.fixture(params=[("en-US", "en"), ("zh-CN", "zh-hans")], ids=["english", "chinese"])
def journey(request):
    return request.param


@pytest.fixture
def locale(journey) -> str:
    return journey[0]


def t(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def test_a_counter_offer_is_shown_against_the_previous_terms(journey, page, live_server, readme_screenshots_dir):
    from actors.tests.factories import ActorProfileFactory

    _browser_locale, language = journey
    tag = "en" if language == "en" else "zh"
    creator = CreatorProfileFactory(
        user=make_user(f"diff-studio-{tag}@example.com", password=PASSWORD, language=language),
        display_name="Lumen Pictures",
    )
    actor = open_actor(ActorProfileFactory(stage_name="林晓雨"))
    request = send_request(actor=actor, creator=creator, fee=Decimal("9000.00"))
    usage_request_counter(
        request=request,
        user=actor.user,
        terms_version=1,
        note="A little more for the stunt shot, please.",
        **{**GOOD_TERMS, **term_dates(), "fee": Decimal("12000.00")},
    )

    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(creator.user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator("button[type=submit]").click()
    expect(page.locator("nav")).to_be_visible()
    page.goto(f"/requests/{request.pk}/")

    latest = page.get_by_test_id("terms-v2")
    fee = latest.get_by_test_id("terms-fee")
    # Grouping digits follows the reader's locale (none in Chinese today).
    expect(fee.locator("del")).to_contain_text(re.compile(r"9,?000\.00 CNY"))
    expect(fee.locator("ins")).to_contain_text(re.compile(r"12,?000\.00 CNY"))
    expect(latest.get_by_test_id("term-changed")).to_have_count(1)
    expect(latest.get_by_test_id("term-changed")).to_have_text(t(language, "Changed"))
    for unchanged in ("terms-term", "terms-territory", "terms-training"):
        expect(latest.get_by_test_id(unchanged).locator("del")).to_have_count(0)
    struck = fee.locator("del").evaluate("element => getComputedStyle(element).textDecorationLine")
    highlight = fee.locator("ins").evaluate("element => getComputedStyle(element).backgroundColor")
    assert "line-through" in struck
    assert highlight not in ("rgba(0, 0, 0, 0)", "transparent")
    page.locator("#terms").screenshot(path=readme_screenshots_dir / f"counter-offer-diff-{tag}.png")
