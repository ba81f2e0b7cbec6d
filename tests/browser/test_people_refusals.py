"""The sponsor administrator's refused changes, in the browser: the page says why, changes nothing,
and keeps what was chosen and typed (the folded deactivation section stays open with its reason)."""

from __future__ import annotations

import pytest

from browser.sign_in import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=["fr-FR", "en-GB"])
def browser_locale(request) -> str:
    return request.param


def test_refused_account_changes_keep_what_was_chosen(live_server, page, people, browser_errors, artifacts_dir,
                                                      browser_locale):
    base, language = live_server.url, browser_locale[:2]
    page.set_default_timeout(60_000)
    log_in(page, base, "sponsor")
    page.goto(f"{base}/administration/users/inv_a/")

    # A site-level role chosen without its site.
    page.select_option("#role", "pharmacist")
    page.locator("form[action$='/grant/'] button").click()
    alert = page.inner_text("form[action$='/grant/'] [role=alert]")
    expected = {"fr": "Rien n'a été modifié : le rôle Pharmacien s'exerce dans un centre : choisissez le centre",
                "en": "Nothing was changed: the role Pharmacist is held at one site: choose the site"}[language]
    assert alert.replace("’", "'") == expected
    assert page.eval_on_selector("#role", "e => e.value") == "pharmacist"
    assert "pharmacist" not in page.inner_text("#memberships").lower()

    # A reason of blanks passes the browser's own check and is refused by the server.
    page.click("text=" + {"fr": "Désactiver le compte", "en": "Deactivate the account"}[language])
    page.fill("#deactivate-reason", "   ")
    page.click("#deactivate")
    assert page.locator("form[action$='/deactivate/'] details[open]").count() == 1
    assert page.get_attribute("#deactivate-reason", "aria-invalid") == "true"
    expected_state = {"fr": "Actif", "en": "Active"}[language]
    assert page.inner_text("#account-state") == expected_state
    page.screenshot(path=str(artifacts_dir / f"people-refusals-{language}.png"), full_page=True)
    # The refusals' own 400 statuses are the only console messages.
    assert [e for e in browser_errors if "status of 400" not in e] == []
