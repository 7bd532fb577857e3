"""The navigation and the landing's licence check in a real browser (issue
17): with every role and so every link, the bar stays on one line at 1024 and
1280 px in both languages, folds behind a toggler at 375 px, and no page is
wider than the viewport; a visitor checks a licence from the landing page.
No console error and no CSP violation on the way."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from actors.models import ActorProfile
from conftest import make_user
from creators.tests.factories import CreatorProfileFactory
from marketplace.roles import MODERATORS_GROUP
from moderation.tests.test_workplace import a_report
from usage_requests.tests.factories import active_contract, open_actor

pytestmark = [pytest.mark.chromium, pytest.mark.slow, pytest.mark.xdist_group("e2e")]

# A single-line Bootstrap navbar is about 56 px high; a wrapped one twice that.
ONE_LINE_MAX_PX = 72


def watch_errors(page) -> list[str]:
    """Console errors and uncaught exceptions (a CSP violation is a console
    error), except the status of a page that answers 400 or 404 on purpose."""
    errors: list[str] = []
    expected = ("status of 400", "status of 404")

    def on_console(message) -> None:
        if message.type == "error" and not any(status in message.text for status in expected):
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def signed_in_context(browser, live_server, user, *, width: int, locale: str):
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale=locale, base_url=live_server.url, viewport={"width": width, "height": 900})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context


@pytest.fixture
def everyone(db):
    """One account with every role: the longest navigation there is."""
    from django.contrib.auth.models import Group

    user = make_user("every-role@example.com", language="en")
    ActorProfile.objects.create(user=user, stage_name="Every Role", slug="every-role")
    CreatorProfileFactory(user=user, display_name="Every Role Studio")
    user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    other = make_user("reported@example.com")
    a_report(other, user)
    return user


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
@pytest.mark.parametrize("width", [1024, 1280])
def test_the_navigation_stays_on_one_line_from_1024_px(browser, live_server, everyone, width, locale):
    context = signed_in_context(browser, live_server, everyone, width=width, locale=locale)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto("/notifications/", wait_until="load")
    nav = page.locator("nav.site-nav")
    expect(page.locator(".navbar-toggler")).to_be_hidden()
    expect(nav.locator("[data-testid=nav-moderation]")).to_be_visible()
    expect(nav.locator("[data-testid=moderation-waiting]")).to_have_text("1")
    assert nav.bounding_box()["height"] <= ONE_LINE_MAX_PX
    assert page_width(page) <= width
    nav.locator("[data-testid=nav-account]").click()
    menu = nav.locator("[data-testid=nav-account-menu]")
    expect(menu.locator("[data-testid=nav-api-tokens]")).to_be_visible()
    expect(menu.locator("[data-testid=nav-creator-profile]")).to_be_visible()
    assert errors == []
    context.close()


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_the_navigation_folds_behind_a_toggler_at_375_px(browser, live_server, everyone, locale):
    context = signed_in_context(browser, live_server, everyone, width=375, locale=locale)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto("/notifications/", wait_until="load")
    moderation = page.locator("[data-testid=nav-moderation]")
    expect(moderation).to_be_hidden()
    page.locator(".navbar-toggler").click()
    expect(moderation).to_be_visible()
    assert page_width(page) <= 375
    for path in ("/", "/verify/", "/verify/CC-2345-6789-ABCD/", "/contracts/"):
        page.goto(path, wait_until="load")
        assert page_width(page) <= 375, path
    assert errors == []
    context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_a_visitor_checks_a_licence_from_the_landing_page(browser, live_server, actor, creator, width):
    contract = active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)
    context = browser.new_context(locale="en-US", base_url=live_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    errors = watch_errors(page)
    page.goto("/", wait_until="load")
    box = page.locator("[data-testid=licence-check-form]")
    box.locator("button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Enter a licence code")
    page.goto("/", wait_until="load")
    box.locator("input[name=code]").fill(contract.licence_code.lower().replace("-", " "))
    box.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/verify/{contract.licence_code}/")
    expect(page.locator("[data-verdict=active]").first).to_contain_text("In force")
    assert page_width(page) <= width
    page.goto("/verify/CC-2345-6789-ABCD/", wait_until="load")
    expect(page.get_by_role("heading", level=1)).to_have_text("No licence has this code")
    assert errors == []
    context.close()
