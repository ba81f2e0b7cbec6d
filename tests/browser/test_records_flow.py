"""A site user's day: log in, create a coded subject, fill a form, correct it with a reason, read
its history; a user of the other site cannot reach that subject."""

import re

import pytest

from browser.screening_labs import fill_screening_labs
from browser.sign_in import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def test_investigator_fills_and_corrects_a_form_other_site_cannot_see_it(
        live_server, page, people, browser_errors, artifacts_dir):
    base = live_server.url
    log_in(page, base, "inv_a")
    page.click("nav a[href='/subjects/']")  # from the home page to the subject list
    page.click("form[action='/subjects/new/'] button")
    page.wait_for_url(re.compile(r".*/subjects/TNN-0001/$"))
    assert "TNN-0001" in page.inner_text("h1")

    fill_screening_labs(page)
    assert page.input_value("#f-lab_neutrophils_g_l") in ("2,5", "2.5")  # French decimal comma

    page.fill("#f-lab_platelets_g_l", "190")
    page.click("#record-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#reason + .error-text").count() == 1  # beside the reason, in the page's language
    assert page.input_value("#f-lab_platelets_g_l") == "190"  # the value typed is kept
    page.fill("#reason", "Platelets transcribed from the wrong line")
    page.click("#record-form button[type=submit]")
    page.wait_for_load_state()
    history = page.inner_text("#history")
    assert re.search(r"210([.,]0)? → 190([.,]0)?", history), history
    assert "Platelets transcribed from the wrong line" in history
    page.screenshot(path=str(artifacts_dir / "form-history.png"), full_page=True)
    subject_url = f"{base}/subjects/TNN-0001/"

    page.click(".logout button")
    log_in(page, base, "inv_b")
    response = page.goto(subject_url)
    assert response.status == 404
    assert "TNN-0001" not in page.goto(f"{base}/subjects/").text()
    assert not [e for e in browser_errors if "404" not in e and "400" not in e]  # the refused save and the other site answer so
