"""A creator's tool, end to end in a real browser and over real HTTP: the
creator creates a token on the settings page, a script uses it against the
live server to search the roster and check a licence, the creator revokes it
and the script is refused; the API docs run from local files under the CSP."""

import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from conftest import make_user
from creators.tests.factories import CreatorProfileFactory
from usage_requests.tests.factories import open_actor

pytestmark = [pytest.mark.chromium, pytest.mark.slow, pytest.mark.xdist_group("e2e")]

PASSWORD = "Lantern-Quay-4417"


def call(url: str, key: str | None = None) -> tuple[int, dict]:
    headers = {"Authorization": f"Token {key}"} if key else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - the live test server
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the live test server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.locator("nav")).to_be_visible()


def test_a_token_made_in_the_browser_drives_a_script_until_revoked(page, live_server, screenshots_dir):
    from actors.tests.factories import ActorProfileFactory
    from usage_requests.tests.factories import accepted_contract

    user = make_user("tool-studio@example.com", password=PASSWORD)
    creator = CreatorProfileFactory(user=user, display_name="Tool Studio")
    actor = open_actor(ActorProfileFactory(listed=True, stage_name="Mei Lantern", slug="mei-lantern"))
    contract = accepted_contract(actor=actor, creator=creator)

    sign_in(page, "tool-studio@example.com")
    page.goto("/accounts/tokens/")
    page.get_by_label("Token name").fill("render farm")
    page.get_by_role("button", name="Create token").click()
    key = page.get_by_test_id("new-token-key").input_value()
    assert key.startswith("cc_")
    page.screenshot(path=str(screenshots_dir / "api-token-created.png"))

    status, body = call(f"{live_server.url}/api/v1/actors/?q=lantern", key)
    assert status == 200
    assert [row["slug"] for row in body["results"]] == ["mei-lantern"]

    status, licence = call(f"{live_server.url}/api/v1/licenses/{contract.licence_code.lower()}/")
    assert status == 200
    assert licence["licence_code"] == contract.licence_code
    assert licence["actor"] == "Mei Lantern"

    page.goto("/accounts/tokens/")
    expect(page.get_by_role("cell", name="render farm")).to_be_visible()
    expect(page.get_by_text("Never")).to_have_count(0)  # the script's call shows as the last use
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("is revoked")).to_be_visible()

    status, body = call(f"{live_server.url}/api/v1/actors/?q=lantern", key)
    assert status == 401
    assert "revoked" in body["detail"]


def test_the_api_docs_run_from_local_files_under_the_csp(page, live_server):
    user = make_user("docs-reader@example.com", password=PASSWORD)
    CreatorProfileFactory(user=user)
    outside, blocked = [], []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if urlsplit(request.url).netloc not in ("", urlsplit(live_server.url).netloc)
            and not request.url.startswith("data:")
            else None
        ),
    )
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None,
    )
    sign_in(page, "docs-reader@example.com")
    page.goto("/api/docs/")
    expect(page.get_by_text("ConsentCast API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/licenses/{code}/").first).to_be_visible()
    assert outside == []
    assert blocked == []
