"""From the first request to a publicly verifiable licence, in a real browser,
once in English and once in Chinese: the creator asks for three shots, the
actor approves two and vetoes one with a note, both sign, anyone can verify the
licence code, the creator downloads an original and the actor sees it logged."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from actors.models import ActorProfile, AssetAccess
from actors.tests.factories import photo_for
from conftest import make_user
from creators.models import CreatorProfile
from creators.tests.factories import CreatorProfileFactory, ProjectFactory, ShotFactory
from usage_requests.models import Contract, ContractStatus, RequestStatus, UsageRequest
from usage_requests.tests.factories import open_actor

pytestmark = [pytest.mark.chromium, pytest.mark.slow, pytest.mark.xdist_group("e2e")]

PASSWORD = "Lantern-Quay-4417"
SHOTS = [
    "Wide shot: she walks the rain-soaked street at night",
    "Close-up: her face lit by a paper lantern",
    "Stunt double fall from the rooftop, face composited",
]
JOURNEYS = [("en-US", "en"), ("zh-CN", "zh-hans")]


@pytest.fixture(params=JOURNEYS, ids=["english", "chinese"])
def journey(request):
    return request.param


@pytest.fixture
def locale(journey) -> str:
    return journey[0]


def sign_in(page, email: str, language: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name=t(language, "Sign In"), exact=True).click()
    expect(page.locator("nav")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans" if language == "zh-hans" else "en")


def t(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def test_request_to_verified_licence_and_logged_download(journey, page, browser, live_server, screenshots_dir):
    browser_locale, language = journey
    tag = "en" if language == "en" else "zh"

    creator_user = make_user(f"studio-{tag}@example.com", password=PASSWORD, language=language)
    studio = CreatorProfileFactory(user=creator_user, display_name="Lumen Pictures")
    CreatorProfile.objects.filter(pk=studio.pk).update(legal_name="Lumen Pictures Ltd")
    project = ProjectFactory(creator=studio, title="Rain on the Long Street", logline="A swordswoman's last night.")
    for number, description in enumerate(SHOTS, start=1):
        ShotFactory(project=project, number=number, position=number, description=description)

    actor_user = make_user(f"xiaoyu-{tag}@example.com", password=PASSWORD, language=language)
    actor = open_actor(
        ActorProfile.objects.create(user=actor_user, stage_name="林晓雨", slug=f"lin-xiaoyu-{tag}", legal_name="林晓雨")
    )
    photo = photo_for(actor)

    # The creator writes the request for all three shots.
    sign_in(page, creator_user.email, language)
    page.goto(f"/requests/new/?actor={actor.slug}&project={project.pk}")
    for description in SHOTS:
        page.get_by_label(description).check()
    start = timezone.localdate()
    page.locator("input[name=fee]").fill("6000")
    page.locator("select[name=currency]").select_option("CNY")
    page.locator("input[name=term_start]").fill(start.isoformat())
    page.locator("input[name=term_end]").fill((start + timedelta(days=90)).isoformat())
    page.locator("select[name=territory]").select_option("cn_mainland")
    expect(page.locator("input[name=ai_training]")).not_to_be_checked()
    page.locator("textarea[name=message]").fill("Three shots for the rain sequence.\n<b>Thank you</b>")
    page.locator("form button[type=submit].btn-primary").click()
    expect(page).to_have_url(re.compile(r"/requests/\d+/$"))
    request = UsageRequest.objects.get(actor=actor, project=project)
    assert request.status == RequestStatus.PENDING
    page.screenshot(path=screenshots_dir / f"{tag}-request-1-sent.png", full_page=True)

    # The actor, in their own browser, approves two shots and vetoes one.
    actor_context = browser.new_context(locale=browser_locale, base_url=live_server.url)
    actor_page = actor_context.new_page()
    actor_page.on("dialog", lambda dialog: dialog.accept())
    sign_in(actor_page, actor_user.email, language)
    actor_page.goto("/requests/")
    actor_page.get_by_role("link", name="Rain on the Long Street").first.click()
    expect(actor_page.locator("body")).to_contain_text("<b>Thank you</b>")
    rows = actor_page.locator("[data-testid=shot-row]")
    expect(rows).to_have_count(3)
    rows.nth(0).locator("input[value=approved]").check()
    rows.nth(1).locator("input[value=approved]").check()
    rows.nth(2).locator("input[value=vetoed]").check()
    rows.nth(2).locator("input[type=text]").fill("No falls: my face is not composited onto a stunt.")
    actor_page.get_by_role("button", name=t(language, "Save decisions and accept")).click()
    expect(actor_page.locator(".alert-success, .alert-info").first).to_be_visible()
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    contract = Contract.objects.get(request=request)
    actor_page.screenshot(path=screenshots_dir / f"{tag}-request-2-accepted.png", full_page=True)

    # The contract holds the two approved shots only; the actor signs.
    actor_page.goto(f"/contracts/{contract.pk}/")
    body = actor_page.locator("main")
    expect(body).to_contain_text(SHOTS[0])
    expect(body).to_contain_text(SHOTS[1])
    expect(body).not_to_contain_text(SHOTS[2])
    expect(body).to_contain_text(contract.terms_hash)
    actor_page.locator("input[name=typed_name]").fill("林晓雨")
    actor_page.locator("input[name=consent]").check()
    actor_page.get_by_role("button", name=t(language, "Sign the contract")).click()
    expect(actor_page.locator("main")).not_to_contain_text(t(language, "Sign as the actor"))

    # The creator signs with a wrong name first (refused), then the right one.
    page.goto(f"/contracts/{contract.pk}/")
    page.locator("input[name=typed_name]").fill("Somebody Else")
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name=t(language, "Sign the contract")).click()
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.AWAITING_SIGNATURES
    page.locator("input[name=typed_name]").fill("lumen pictures LTD")
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name=t(language, "Sign the contract")).click()
    expect(page.locator(f'a[href="/actors/photos/{photo.pk}/original/"]')).to_be_visible()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    page.screenshot(path=screenshots_dir / f"{tag}-request-3-contract.png", full_page=True)

    # Anyone can verify the licence code, typed in lower case without dashes.
    public = browser.new_context(locale=browser_locale, base_url=live_server.url).new_page()
    public.goto("/verify/")
    public.locator("input[name=code]").fill(contract.licence_code.lower().replace("-", ""))
    public.locator("main form:has(input[name=code]) button[type=submit]").click()
    expect(public).to_have_url(f"{live_server.url}/verify/{contract.licence_code}/")
    expect(public.locator("main")).to_contain_text(t(language, "Valid licence"))
    expect(public.locator("main")).to_contain_text("林晓雨")
    expect(public.locator("main")).to_contain_text(contract.terms_hash)
    expect(public.locator("main")).not_to_contain_text("6000")
    public.screenshot(path=screenshots_dir / f"{tag}-request-4-verified.png", full_page=True)
    public.context.close()

    # The creator downloads an original; the actor sees it in the access log.
    response = page.request.get(f"/actors/photos/{photo.pk}/original/")
    assert response.status == 200
    assert response.headers["content-type"].startswith("image/")
    assert AssetAccess.objects.filter(
        actor=actor, kind="original", outcome="granted", viewer=creator_user, purpose=contract.licence_code
    ).exists()
    actor_page.goto("/actors/me/access/")
    log = actor_page.locator("main")
    expect(log).to_contain_text("Lumen Pictures")
    expect(log).to_contain_text(contract.licence_code)
    actor_page.screenshot(path=screenshots_dir / f"{tag}-request-5-access-log.png", full_page=True)
    actor_context.close()
