"""Going live, people side: the sponsor administrator creates a site and invites an investigator;
the investigator follows the emailed link, chooses a password, enrols an authenticator app (the
test computes its codes), signs in with the second factor, screens a patient and signs the visit;
a change to the signed form invalidates the signature, which the pages show. The audit trail is
intact after the flow and lists every security event by action."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django.core import mail

from browser.screening_labs import fill_screening_labs
from browser.sign_in import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Cochin-lupus-2026!"


def totp_from_secret(secret: str, steps_ahead: int = 0) -> str:
    """What the authenticator app shows for the key printed under the QR code."""
    from django_otp.oath import TOTP

    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_site_invitation_two_factor_signature_and_invalidation(live_server, page, people, browser_errors,
                                                              artifacts_dir):
    from equipoise.records.audit import verify_ledger

    base = live_server.url
    page.set_default_timeout(60_000)  # the machine running the suite may be busy
    # The sponsor administrator adds a site, opens it, and invites its investigator.
    log_in(page, base, "sponsor")
    page.click("a[href='/administration/sites/']")
    page.fill("#code", "CCH")
    page.fill("#name", "Hôpital Cochin, Dermatologie")
    page.fill("#city", "Paris")
    page.fill("#principal_investigator", "Pr Claire Dubois")
    page.click("form >> text=Ajouter le centre")
    assert "Centre CCH ajouté" in page.inner_text(".messages")
    assert "Pas encore ouvert" in page.inner_text("tr[data-site=CCH] .recruitment")
    page.click("tr[data-site=CCH] button.open-site")
    assert "En recrutement" in page.inner_text("tr[data-site=CCH] .recruitment")
    page.screenshot(path=str(artifacts_dir / "people-sites-fr.png"), full_page=True)

    page.click("a[href='/administration/users/']")
    page.fill("#first_name", "Claire")
    page.fill("#last_name", "Dubois")
    page.fill("#email", "claire.dubois@cochin.example")
    page.fill("#username", "dr.dubois")
    page.select_option("#role", "investigator")
    page.select_option("#site", "CCH")
    page.click("#invite button[type=submit]")
    assert "Invitation envoyée" in page.inner_text(".messages")
    assert "Investigateur · CCH" in page.inner_text("#memberships")
    page.screenshot(path=str(artifacts_dir / "people-user-fr.png"), full_page=True)
    page.click(".logout button")

    # The investigator follows the emailed link.
    link = re.search(r"https?://\S+/account/invitation/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    assert page.inner_text("#invited-username") == "dr.dubois"
    assert page.locator(".qr svg").count() == 1
    secret = page.inner_text("#totp-secret")
    page.fill("#password", "qwerty123456")
    page.fill("#again", "qwerty123456")
    page.fill("#otp_code", totp_from_secret(secret))
    page.click("button[type=submit]")
    assert page.locator(".error-text").count() == 1  # a common password: refused, nothing changed
    page.fill("#password", PASSWORD)
    page.fill("#again", PASSWORD)
    page.fill("#otp_code", "000000")
    page.click("button[type=submit]")
    assert "le code est faux" in page.inner_text(".error-text")
    page.screenshot(path=str(artifacts_dir / "people-invitation-fr.png"), full_page=True)
    page.fill("#password", PASSWORD)
    page.fill("#again", PASSWORD)
    page.fill("#otp_code", totp_from_secret(secret))
    page.click("button[type=submit]")
    assert page.locator(".recovery-codes li").count() == 10
    page.screenshot(path=str(artifacts_dir / "people-recovery-codes-fr.png"), full_page=True)
    page.click(".logout button")

    # Reused link: refused.
    assert page.goto(link).status == 410

    # Sign in: password, then the second factor.
    page.goto(f"{base}/login/")
    page.fill("#id_username", "dr.dubois")
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/account/second-factor/.*"))
    page.screenshot(path=str(artifacts_dir / "people-second-factor-fr.png"), full_page=True)
    page.fill("#otp_code", totp_from_secret(secret, 1))
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    # Screen a patient at the new site (from the subject list) and fill the screening blood tests.
    page.goto(f"{base}/subjects/")
    page.click("form[action='/subjects/new/'] button")
    page.wait_for_url(re.compile(r".*/subjects/CCH-0001/$"))
    fill_screening_labs(page)
    form_url = page.url

    # Sign the visit: password and a fresh code again, meaning stated.
    page.goto(f"{base}/subjects/CCH-0001/")
    page.click("a.sign-visit[data-visit=SCR]")
    assert "Je confirme que ces données sont exactes et complètes" in page.inner_text("main")
    page.fill("#password", PASSWORD)
    page.fill("#otp_code", totp_from_secret(secret, 2))
    page.screenshot(path=str(artifacts_dir / "people-sign-fr.png"), full_page=True)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/subjects/CCH-0001/")
    signature = page.inner_text("#signatures")
    assert "Claire Dubois" in signature and "Signature valide" in signature and "heure de Paris" in signature
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", signature)

    # A change to the signed form invalidates the signature, which both pages show.
    page.goto(form_url)
    assert "Signature valide" in page.inner_text("#signatures")
    page.fill("#f-lab_platelets_g_l", "190")
    page.fill("#reason", "Plaquettes recopiées de la mauvaise ligne")
    page.click("#record-form button[type=submit]")
    page.wait_for_load_state()
    shown = page.inner_text("#signatures")
    assert re.search(r"Signature invalidée par la modification de Bilan sanguin \(Sélection\), révision 2 : "
                     r"Plaquettes", shown), shown
    assert "une nouvelle signature est nécessaire" in shown
    page.goto(f"{base}/subjects/CCH-0001/")
    page.screenshot(path=str(artifacts_dir / "people-invalidated-fr.png"), full_page=True)
    page.click(".lang button[value=en]")
    page.wait_for_load_state()
    assert re.search(r"Signature invalidated by change of Blood tests \(Screening\), revision 2: Platelets",
                     page.inner_text("#signatures"))
    page.screenshot(path=str(artifacts_dir / "people-invalidated-en.png"), full_page=True)
    page.click(".logout button")

    # The audit trail is intact and lists every security event of the flow by its action.
    assert verify_ledger().intact
    log_in(page, base, "sponsor")
    for action in ("site.create", "site.open", "user.invite", "role.grant", "two_factor.failed",
                   "two_factor.enrol", "user.invitation_accept", "password.set", "user.invitation_refused",
                   "signature.sign", "signature.invalidate"):
        page.goto(f"{base}/audit/?action={action}")
        cells = page.locator("table.audit tbody tr td:nth-child(6)").all_inner_texts()
        label = page.locator("#a-action option:checked").inner_text()  # the action in plain words
        assert label != action and cells and set(cells) == {label}, (action, label, cells)
    page.screenshot(path=str(artifacts_dir / "people-audit-fr.png"), full_page=True)
    assert not [e for e in browser_errors if "410" not in e and "403" not in e and "400" not in e]
