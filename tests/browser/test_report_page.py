"""The statistician's interim report opens styled in the browser: it is one self-contained document
whose stylesheet and figure styles are inline, served under its own policy (inline styles, no script)."""

from __future__ import annotations

import pytest

from browser.sign_in import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_report_page_is_styled_and_runs_nothing(live_server, page, people, browser_errors, artifacts_dir):
    base = live_server.url
    page.set_default_timeout(60_000)
    log_in(page, base, "stat")
    response = page.goto(f"{base}/stats/report/")
    assert response is not None and response.status == 200
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "style-src 'unsafe-inline'" in policy and "script-src" not in policy
    # The inline stylesheet applies: section headings are underlined, tables have their borders.
    assert page.eval_on_selector("h2", "e => getComputedStyle(e).borderBottomStyle") == "solid"
    assert page.eval_on_selector("th, td", "e => getComputedStyle(e).borderTopStyle") == "solid"
    # An empty trial's report says, in French, why each analysis could not be computed.
    text = page.inner_text("body")
    assert "un bras n'a aucun patient" in text and "not computable" not in text and "not fitted" not in text
    page.screenshot(path=str(artifacts_dir / "stats-report-fr.png"), full_page=False)
    assert browser_errors == []
