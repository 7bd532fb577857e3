"""Browser fixtures: Debian's Chromium driven by Playwright against ``live_server``.

The browser is the system one at ``/usr/bin/chromium``; Playwright's own
browser downloads are never used. Tests using these fixtures carry the
``chromium`` marker, so the root conftest skips them (or fails them on CI)
where Chromium is missing.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS_DIR = Path(settings.BASE_DIR) / "var" / "e2e-screenshots"
# The screenshots the README shows; `make screenshots` sets UPDATE_SCREENSHOTS=1 to write them again.
README_SCREENSHOTS_DIR = Path(settings.BASE_DIR) / "docs" / "screenshots"
# Long enough for a cold page on a busy CI machine, short enough to fail fast.
DEFAULT_TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module; its asyncio loop lives exactly as long.

    Playwright's sync API keeps an asyncio loop running in the test thread,
    and Django refuses ORM calls from a thread with a running loop. The test
    thread only reads rows to assert on (the server runs in live_server's own
    thread), so Django's guard is lifted while, and only while, the loop lives.
    """
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def locale() -> str:
    """The browser's locale (and so its Accept-Language); parametrize to change it."""
    return "en-US"


@pytest.fixture
def page(browser, live_server, locale) -> Iterator:
    """A fresh page in a fresh context (no cookies), opened on the live server."""
    from playwright.sync_api import expect

    context = browser.new_context(locale=locale, base_url=live_server.url)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshots_dir() -> Path:
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS_DIR


@pytest.fixture
def readme_screenshots_dir(screenshots_dir) -> Path:
    """docs/screenshots/ when UPDATE_SCREENSHOTS=1 (`make screenshots`), else var/e2e-screenshots/:
    a plain test run never rewrites the committed images."""
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        README_SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
        return README_SCREENSHOTS_DIR
    return screenshots_dir
