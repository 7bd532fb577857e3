"""A visitor signs up, verifies the email, picks a role and reaches the dashboard, in a real browser."""

import re
import uuid
from typing import Any
from urllib.parse import urlparse

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import translation
from playwright.sync_api import expect

from actors.models import ActorProfile
from conftest import make_user
from creators.models import CreatorProfile
from marketplace.models import User

pytestmark = [pytest.mark.chromium, pytest.mark.slow, pytest.mark.xdist_group("e2e")]

PASSWORD = "Violet-Harbor-2931"
CONFIRMATION_LINK = re.compile(r"https?://[^\s<>\"']+/accounts/confirm-email/[^\s<>\"'/]+/")

# The run's language: browser locale, the language Django picks from it, the
# <html lang> the pages declare, and the onboarding wording a reader must see.
LANGUAGES = {
    "en": {
        "locale": "en-US",
        "django": "en",
        "html_lang": "en",
        "actor_choice": "I am an actor",
        "creator_choice": "I am a creator",
        "continue": "Continue",
    },
    "zh-hans": {
        "locale": "zh-CN",
        "django": "zh-hans",
        "html_lang": "zh-Hans",
        "actor_choice": "我是演员",
        "creator_choice": "我是创作者",
        "continue": "继续",
    },
}
ROLES: dict[str, dict[str, Any]] = {
    "actor": {
        "join_link": "Join as an actor",
        "badge": "Actor",
        "profile": ActorProfile,
        "name": {"en": "Mira Solano", "zh-hans": "林晓雨"},
    },
    "creator": {
        "join_link": "Join as a creator",
        "badge": "Creator",
        "profile": CreatorProfile,
        "name": {"en": "Pixel Harbor Studio", "zh-hans": "像素港影业"},
    },
}


def translated(language: str, message: str) -> str:
    """``message`` as the portal renders it in ``language`` (for locating buttons and links)."""
    with translation.override(language):
        return translation.gettext(message)


def expect_language(page, html_lang: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", html_lang)


def confirmation_link_sent_to(email: str) -> str:
    sent = [message for message in mail.outbox if message.to == [email]]
    assert len(sent) == 1, f"expected one email to {email}, outbox has {[m.to for m in mail.outbox]}"
    links = CONFIRMATION_LINK.findall(sent[0].body)
    assert links, f"no confirmation link in the email body:\n{sent[0].body}"
    return links[0]


@pytest.mark.parametrize("role", ["actor", "creator"])
@pytest.mark.parametrize(
    ("language", "locale"),
    [(code, spec["locale"]) for code, spec in LANGUAGES.items()],
    ids=list(LANGUAGES),
)
def test_visitor_signs_up_verifies_email_and_lands_on_dashboard_with_chosen_role(
    page, live_server, screenshots_dir, language, locale, role
):
    lang = LANGUAGES[language]
    role_spec = ROLES[role]
    email = f"{role}.{language}.{uuid.uuid4().hex[:10]}@example.com"
    name = role_spec["name"][language]

    # Landing page → sign-up form.
    page.goto("/")
    expect_language(page, lang["html_lang"])
    page.get_by_role("link", name=translated(language, role_spec["join_link"]), exact=True).click()
    # The button carries its role through sign-up (issue 17: the landing preselects the role).
    expect(page).to_have_url(f"{live_server.url}/accounts/signup/?next=%2Fonboarding%2F%3Frole%3D{role}")
    expect_language(page, lang["html_lang"])

    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.get_by_role("button", name=translated(language, "Sign Up"), exact=True).click()

    # "We have sent you an email": the page a new account waits on.
    expect(page).to_have_url(f"{live_server.url}/accounts/confirm-email/")
    expect(page.get_by_role("heading", level=1)).to_have_text(translated(language, "Verify Your Email Address"))
    expect_language(page, lang["html_lang"])

    # The link from the email, opened in the same browser, then confirmed.
    page.goto(confirmation_link_sent_to(email))
    expect(page.get_by_role("heading", level=1)).to_have_text(translated(language, "Confirm Email Address"))
    expect_language(page, lang["html_lang"])
    page.get_by_role("button", name=translated(language, "Confirm"), exact=True).click()

    # Signed in, no role yet: onboarding, with the landing button's role already chosen.
    expect(page).to_have_url(f"{live_server.url}/onboarding/?role={role}")
    expect(page.locator(f"input[name=role][value={role}]")).to_be_checked()
    expect_language(page, lang["html_lang"])
    expect(page.get_by_text(lang["actor_choice"], exact=True)).to_be_visible()
    expect(page.get_by_text(lang["creator_choice"], exact=True)).to_be_visible()
    continue_button = page.get_by_role("button", name=lang["continue"], exact=True)
    expect(continue_button).to_be_visible()
    page.screenshot(path=screenshots_dir / f"{language}-{role}-1-onboarding.png", full_page=True)

    page.locator("label.role-card", has_text=lang[f"{role}_choice"]).click()
    expect(page.locator(f"input[name=role][value={role}]")).to_be_checked()
    page.get_by_label(translated(language, "Name shown to others")).fill(name)
    continue_button.click()

    # Dashboard with the new role's card and the role badge in the navigation.
    expect(page).to_have_url(f"{live_server.url}/")
    expect_language(page, lang["html_lang"])
    badge_text = translated(language, role_spec["badge"])
    role_card = page.locator(f"#{role}-card")
    expect(role_card).to_contain_text(name)
    expect(role_card.locator(".badge")).to_have_text(badge_text)
    expect(page.get_by_label(translated(language, "Your roles")).locator(".badge")).to_have_text([badge_text])
    page.screenshot(path=screenshots_dir / f"{language}-{role}-2-dashboard.png", full_page=True)

    user = User.objects.get(email=email)
    assert role_spec["profile"].objects.filter(user=user).exists()
    other_profile = ROLES["creator" if role == "actor" else "actor"]["profile"]
    assert not other_profile.objects.filter(user=user).exists()
    assert user.preferred_language == lang["django"]
    assert EmailAddress.objects.get(user=user, email=email).verified


def test_pages_break_no_content_security_policy_rule_and_stay_on_the_live_server(page, live_server):
    make_user("newcomer@example.com", password=PASSWORD)
    csp_violations: list[str] = []
    foreign_requests: list[str] = []

    def record_csp_violation(message) -> None:
        if "Content Security Policy" in message.text:
            csp_violations.append(f"{page.url}: {message.text}")

    def record_foreign(request) -> None:
        parsed = urlparse(request.url)
        if parsed.scheme in {"data", "blob", "about"}:
            return
        if parsed.hostname not in {"127.0.0.1", "localhost"}:
            foreign_requests.append(request.url)

    page.on("console", record_csp_violation)
    page.on("request", record_foreign)

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto("/accounts/signup/")
    expect(page.locator("input[name=password2]")).to_be_visible()

    # /onboarding/ needs a signed-in user without a role; sign in through the form.
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill("newcomer@example.com")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator("button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/onboarding/")
    expect(page.locator("input[name=role]")).to_have_count(2)
    # Deferred scripts run before "load": anything they break is logged by then.
    page.wait_for_load_state("load")

    assert csp_violations == []
    assert foreign_requests == []
