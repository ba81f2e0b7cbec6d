"""The public trial page in a real browser: both languages, every section with its heading,
the markers styled, no CSP violation, the language links, and no sideways scrolling on a phone."""

from __future__ import annotations

import pytest

from equipoise.registry.public_page import SECTIONS

pytestmark = pytest.mark.browser

PATH = "/trials/nct06965244/"
EXPECTED = {
    "fr": ("122 participants dans 2 groupes de patients", "Évaluateur des critères", "Randomisé"),
    "en": ("122 participants in 2 patient groups", "Outcomes assessor", "Randomized"),
}


@pytest.fixture(autouse=True)
def protocols_root(settings):
    from pathlib import Path

    settings.PROTOCOLS_DIR = Path(__file__).resolve().parents[2] / "protocols"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_page_shows_every_section(live_server, page, browser_errors, artifacts_dir, lang):
    response = page.goto(f"{live_server.url}{PATH}?lang={lang}")
    assert response is not None and response.status == 200
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("main h1").count() == 1
    for section in SECTIONS:
        block = page.locator(f"section#{section}")
        assert block.count() == 1, section
        heading = block.locator(":scope > h2, :scope > h3").first
        assert heading.is_visible(), section
        assert heading.inner_text().strip(), section
    body = page.locator("main").inner_text()
    for words in EXPECTED[lang]:
        assert words in body, words
    page.screenshot(path=str(artifacts_dir / f"public-page-{lang}.png"), full_page=True)
    assert browser_errors == []


def test_markers_are_styled_and_lead_to_the_closing_list(live_server, page, browser_errors):
    page.goto(f"{live_server.url}{PATH}?lang=en")
    marker = page.locator("#treatments a.assumption").first
    # The stylesheet loaded under the CSP: the marker has the badge's background, not none.
    background = marker.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    pending = page.locator("#inclusion a.pending").first
    assert pending.evaluate("el => getComputedStyle(el).backgroundColor") != background
    target = marker.get_attribute("href")
    marker.click()
    page.wait_for_url(f"**{target}")
    entry = page.locator(f"#assumptions li{target}")
    assert entry.is_visible()
    assert page.locator("#assumptions li").count() == page.locator("a.assumption, a.pending").count()
    assert browser_errors == []


@pytest.mark.parametrize("browser_locale", ["en-US"])
def test_browser_language_chooses_the_default(live_server, page, browser_locale):
    page.goto(f"{live_server.url}{PATH}")
    assert page.locator("html").get_attribute("lang") == "en"


def test_language_links_switch_the_page(live_server, page):
    page.goto(f"{live_server.url}{PATH}")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("section#enrollment").inner_text().count("122 participants in 2 patient groups") == 1
    page.get_by_role("link", name="Français").click()
    page.wait_for_url("**?lang=fr")
    assert page.locator("html").get_attribute("lang") == "fr"


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_page_fits_a_phone_screen(live_server, page, artifacts_dir, viewport, lang):
    page.goto(f"{live_server.url}{PATH}?lang={lang}")
    overflow = page.evaluate(
        "() => document.scrollingElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a {viewport['width']}px screen"
    page.screenshot(path=str(artifacts_dir / f"public-page-{lang}-phone.png"), full_page=True)
