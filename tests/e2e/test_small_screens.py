"""The journeys' pages on a 375 px phone and a 1280 px desktop (issue 17),
in English and Chinese: no page of the visitor, actor, creator or moderator
journey is wider than the viewport (wide tables scroll inside their own box
or turn into cards), no Chinese page shows an English interface sentence,
and the roster's filters fold into a panel that opens with one button. No
console error and no CSP violation on the way."""

import re
from functools import lru_cache
from pathlib import Path

import polib
import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from actors.models import AssetAccess
from actors.services.access import asset_access_record
from actors.tests.factories import ActorProfileFactory, photo_for
from conftest import make_user
from creators.tests.factories import CreatorProfileFactory
from marketplace.roles import MODERATORS_GROUP
from moderation.tests.conftest import give_totp
from moderation.tests.test_workplace import a_dispute, a_flagged_photo, a_report, a_verification
from tests.e2e.test_navigation import signed_in_context, watch_errors
from usage_requests.services.webhooks import webhook_endpoint_create
from usage_requests.tests.factories import active_contract, open_actor, send_request, stored_output

pytestmark = [pytest.mark.chromium, pytest.mark.slow, pytest.mark.xdist_group("e2e")]

PHONE = 375
DESKTOP = 1280
LANGUAGES = {"en-US": "en", "zh-CN": "zh-hans"}


@pytest.fixture
def journeys(db, locale, media_root, settings):
    """An actor with a contract, a request and an access log; a creator with
    a project of shots; a moderator with one item in every queue. Every
    account reads the portal in the browser's language."""
    language = LANGUAGES[locale]
    actor = open_actor(
        ActorProfileFactory(
            user=make_user("phone-actor@example.com", language=language),
            stage_name="Lin Xiaoyu",
            slug="lin-xiaoyu",
            legal_name="Lin Xiaoyu Legal",
        )
    )
    creator = CreatorProfileFactory(
        user=make_user("phone-studio@example.com", language=language),
        display_name="Lumen Pictures",
        legal_name="Lumen Pictures Ltd",
    )
    contract = active_contract(actor=actor, creator=creator)
    pending = send_request(actor=actor, creator=creator, project=contract.project)
    approved = stored_output(contract, seed=1, status="approved")
    stored_output(contract, seed=2)
    settings.WEBHOOK_ALLOW_LOOPBACK_HTTP = True
    endpoint, _secret = webhook_endpoint_create(
        owner=creator.user, url="http://127.0.0.1:9/consentcast", events=["licence.revoked"]
    )
    photo = photo_for(actor)
    for kind in (AssetAccess.Kind.PREVIEW, AssetAccess.Kind.ORIGINAL):
        asset_access_record(photo=photo, viewer=creator.user, viewer_role="creator", kind=kind, granted=True)

    moderator = give_totp(make_user("phone-moderator@example.com", language=language))
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    other = open_actor(ActorProfileFactory(stage_name="陈思远", slug="chen-siyuan"))
    verification = a_verification(ActorProfileFactory(stage_name="Maya Okafor"))
    dispute = a_dispute(other, creator.user)
    report = a_report(actor.user, creator.user)
    a_flagged_photo(other, photo)
    project = contract.project
    return {
        "actor": (
            actor.user,
            [
                "/",
                "/actors/me/",
                "/actors/me/photos/",
                "/actors/me/red-lines/",
                "/actors/me/access/",
                "/actors/me/data/",
                "/requests/",
                f"/requests/{pending.pk}/",
                "/contracts/",
                f"/contracts/{contract.pk}/",
                f"/contracts/{contract.pk}/outputs/",
                f"/contracts/{contract.pk}/outputs/review/",
                "/notifications/",
            ],
        ),
        "creator": (
            creator.user,
            [
                "/",
                "/projects/",
                f"/projects/{project.pk}/",
                "/roster/",
                f"/roster/{actor.slug}/",
                f"/requests/new/?actor={other.slug}&project={project.pk}",
                "/requests/",
                f"/requests/{pending.pk}/",
                "/contracts/",
                f"/contracts/{contract.pk}/",
                f"/contracts/{contract.pk}/outputs/",
                "/webhooks/",
                f"/webhooks/{endpoint.pk}/",
                "/creators/me/",
            ],
        ),
        "moderator": (
            moderator,
            [
                "/moderation/",
                "/moderation/verifications/",
                f"/moderation/verifications/{verification.pk}/",
                "/moderation/disputes/",
                f"/disputes/{dispute.pk}/",
                "/moderation/reports/",
                f"/moderation/reports/{report.pk}/",
                "/moderation/photos/",
                f"/moderation/users/{creator.user.pk}/",
                "/moderation/audit/",
                "/trace/",
            ],
        ),
        "visitor": (
            None,
            [
                "/",
                "/verify/",
                f"/verify/{contract.licence_code}/",
                f"/verify/outputs/{approved.sha256}/",
                "/accounts/login/",
                "/accounts/signup/",
            ],
        ),
    }


def too_wide(page) -> str:
    """The page's width, and the elements reaching past the viewport outside
    a scrolling box (what to fix when the assertion fails)."""
    return page.evaluate(
        """() => {
          const limit = window.innerWidth;
          const wide = [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > limit + 1 && !e.closest('.table-responsive'))
            .slice(0, 8)
            .map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.')
                      + ' ' + Math.round(e.getBoundingClientRect().right));
          return document.documentElement.scrollWidth + ' ' + wide.join(' | ');
        }"""
    )


@lru_cache(maxsize=1)
def interface_english() -> frozenset[str]:
    """The portal's English interface sentences (msgids of two words or
    more whose Chinese differs): on a Chinese page none may stand as a line."""
    catalog = polib.pofile(str(Path(__file__).resolve().parents[2] / "locale/zh_Hans/LC_MESSAGES/django.po"))
    return frozenset(
        entry.msgid
        for entry in catalog
        if " " in entry.msgid.strip() and "%" not in entry.msgid and "<" not in entry.msgid
        and entry.msgstr and entry.msgstr != entry.msgid
    )  # fmt: skip


def english_lines(page) -> list[str]:
    """Lines of the page's visible text that are untranslated interface text
    (user content, such as names and descriptions, is never a msgid)."""
    lines = {line.strip() for line in page.evaluate("document.body.innerText").splitlines()}
    return sorted(lines & interface_english())


def verdicts_unlike_the_api(page, language: str) -> list[str]:
    """Every contract verdict badge on the page against the licence API's
    verdict for that licence, in the same language: key and words."""
    wrong = []
    for badge in page.locator(".contract-status[data-licence]").all():
        code, key, words = badge.get_attribute("data-licence"), badge.get_attribute("data-verdict"), badge.inner_text()
        answer = page.request.get(f"/api/v1/licenses/{code}/", headers={"Accept-Language": language}).json()
        if (answer["status"], answer["verdict"]["display"]) != (key, words.strip()):
            wrong.append(
                f"{code}: page says {key} '{words.strip()}', API {answer['status']} '{answer['verdict']['display']}'"
            )
    return wrong


def page_fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("locale", list(LANGUAGES))
@pytest.mark.parametrize("role", ["visitor", "actor", "creator", "moderator"])
def test_no_page_of_the_journeys_is_wider_than_the_screen(browser, live_server, journeys, role, locale, width):
    user, paths = journeys[role]
    if user is None:
        context = browser.new_context(locale=locale, base_url=live_server.url, viewport={"width": width, "height": 900})
    else:
        context = signed_in_context(browser, live_server, user, width=width, locale=locale)
    page = context.new_page()
    errors = watch_errors(page)
    overflowing, untranslated, seen_english, verdicts = [], [], [], []
    badges_seen = 0
    for path in paths:
        response = page.goto(path, wait_until="load")
        assert response is not None
        assert response.status == 200, path
        verdicts.extend(verdicts_unlike_the_api(page, LANGUAGES[locale]))
        badges_seen += page.locator(".contract-status[data-licence]").count()
        if not page_fits(page):
            overflowing.append(f"{path}: {too_wide(page)}")
        english = english_lines(page)
        if locale == "zh-CN" and english:
            untranslated.append(f"{path}: {english}")
        seen_english.extend(english)
    assert overflowing == []
    assert verdicts == [], "a verdict on a page differs from the licence API's"
    # The check saw verdicts: the contract list, page and outputs page; the
    # licence page and the output lookup (the moderator's dispute is on a request).
    assert badges_seen >= {"actor": 3, "creator": 3, "visitor": 2, "moderator": 0}[role]
    assert untranslated == [], "English interface text on Chinese pages"
    if locale == "en-US":
        # The check can see: the same pages in English are full of those sentences.
        assert len(seen_english) > 3 * len(paths)
    assert errors == []
    context.close()


def right_edge(locator) -> float:
    box = locator.bounding_box()
    return box["x"] + box["width"]


@pytest.mark.parametrize("locale", list(LANGUAGES))
def test_the_shot_list_turns_into_cards_on_a_phone(browser, live_server, journeys, locale, screenshots_dir):
    """Every shot's text and buttons are on screen, with no sideways scrolling."""
    creator, paths = journeys["creator"]
    project_path = next(path for path in paths if path.startswith("/projects/") and path != "/projects/")
    context = signed_in_context(browser, live_server, creator, width=PHONE, locale=locale)
    page = context.new_page()
    page.goto(project_path, wait_until="load")
    table = page.get_by_test_id("shot-table")
    rows = table.locator("tbody tr")
    assert rows.count() == 3
    for index in range(rows.count()):
        row = rows.nth(index)
        for cell in (".shot-description", ".shot-actions .btn-outline-danger"):
            expect(row.locator(cell)).to_be_visible()
            assert right_edge(row.locator(cell)) <= PHONE, cell
    scroller = page.locator("#shots .table-responsive")
    assert scroller.evaluate("box => box.scrollWidth <= box.clientWidth")
    page.locator("#shots").screenshot(path=screenshots_dir / f"shot-cards-375-{locale}.png")
    context.close()


@pytest.mark.parametrize("locale", list(LANGUAGES))
def test_the_roster_filters_fold_into_a_panel_below_768_px(browser, live_server, journeys, locale):
    creator, _paths = journeys["creator"]
    context = signed_in_context(browser, live_server, creator, width=PHONE, locale=locale)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto("/roster/", wait_until="load")
    panel = page.get_by_test_id("roster-filter-panel")
    toggle = page.get_by_test_id("roster-filters-toggle")
    search = page.locator("#id_q")
    first_result = page.get_by_test_id("roster-card").first
    expect(search).to_be_visible()
    expect(panel.locator("#id_language")).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    # The first actor card starts within the first screen, under the search box.
    assert first_result.bounding_box()["y"] < 900
    toggle.click()
    expect(panel.locator("#id_language")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    panel.locator("#id_gender").select_option(index=1)
    expect(page).to_have_url(re.compile(r"gender="))
    assert page_fits(page)
    assert errors == []

    wide = signed_in_context(browser, live_server, creator, width=1280, locale=locale)
    desktop = wide.new_page()
    desktop.goto("/roster/", wait_until="load")
    expect(desktop.get_by_test_id("roster-filters-toggle")).to_be_hidden()
    expect(desktop.get_by_test_id("roster-filter-panel").locator("#id_language")).to_be_visible()
    wide.close()
    context.close()
