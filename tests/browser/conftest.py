"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

Use `page` (a fresh browser context and tab per test) with `live_server.url`; request
`browser_errors` to collect console errors and uncaught exceptions (a CSP violation shows up
there), and `artifacts_dir` to save screenshots. Playwright never downloads a browser here:
Chromium comes from Debian (`make browser`), at /usr/bin/chromium unless EQUIPOISE_CHROMIUM
names another executable. A missing browser fails the tests rather than skipping them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse the
# database calls that pytest-django makes around each live-server test.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("EQUIPOISE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver) -> Iterator:
    if not CHROMIUM.is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (`make browser`) "
                    "or set EQUIPOISE_CHROMIUM; browser tests never download a browser")
    chromium = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
    )
    yield chromium
    chromium.close()


@pytest.fixture
def viewport() -> dict[str, int]:
    """Override (or parametrize indirectly) to test another screen size, e.g. `PHONE`."""
    return DESKTOP


@pytest.fixture
def browser_locale() -> str:
    """The browser's language (sent as Accept-Language); French, like the system's first users."""
    return "fr-FR"


@pytest.fixture
def page(browser, viewport, browser_locale) -> Iterator:
    context = browser.new_context(viewport=viewport, locale=browser_locale)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


@pytest.fixture
def browser_errors(page) -> list[str]:
    """Console errors and uncaught page exceptions seen by `page`, in order."""
    seen: list[str] = []
    page.on("console", lambda msg: seen.append(f"console: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: seen.append(f"page error: {exc}"))
    return seen


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """`test-artifacts/` at the repository root (git-ignored), for screenshots."""
    path = REPO / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path

