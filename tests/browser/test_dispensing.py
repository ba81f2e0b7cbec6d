"""The pregnancy path in a real browser (issue 13): a woman of childbearing potential on lenalidomide.

The investigator (in English) records her counselling, topic by topic, and a negative test left in
draft; the pharmacist (in French) is refused the dispensing because the test is not finished; once
the form is marked complete the dispensing goes through. A later positive test holds the drug at
once: the alert shows on her page and on the safety dashboard, the sponsor's desk gets the email
(locmem backend), and the blinded assessor sees none of it.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from browser.sign_in import log_in
from equipoise.records.roles import Role
from equipoise.visits.localtime import local_input_value, trial_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOPICS = ("unborn_child_risk", "contraception", "pregnancy_tests", "suspected_pregnancy", "blood_donation")


def log_out(page):
    page.click(".logout button")
    page.wait_for_url(re.compile(r".*/login/.*"))


def speak(page, language: str) -> None:
    page.click(f"form.lang button[value={language}]")
    page.wait_for_load_state()


def woman_on_lenalidomide(people, actor_of):
    """Test setup only: the allocation row is written directly so the arm is the one under test."""
    from equipoise.allocation.models import Allocation, ListSlot, RandomizationList
    from equipoise.records.actions.forms import save_form
    from equipoise.records.actions.subjects import create_subject
    from equipoise.records.models import SubjectStatus
    from equipoise.records.protocol_versions import current_version
    from equipoise.records.visits_setup import create_schedule
    from equipoise.treatment.actions.counselling import record_contraception
    from equipoise.treatment.actions.prescribing import prescribe

    inv = actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN")
    subject = create_subject(inv, people["site_a"], "nct06965244")
    save_form(inv, subject, subject.visits.get(visit_id="SCR"), "screening",
              {"sex": "female", "childbearing_potential": True})
    version = current_version("nct06965244")
    rlist = RandomizationList.objects.create(protocol_version=version, sha256="0" * 64, loaded_at=timezone.now(),
                                             loaded_by=people["stat"])
    slot = ListSlot.objects.create(rlist=rlist, stratum="test", position=1, block=1, block_size=2,
                                   arm="lenalidomide", used_at=timezone.now(), subject=subject)
    Allocation.objects.create(subject=subject, slot=slot, number="R-TNN-0001", arm="lenalidomide", stratum="test",
                              allocated_at=timezone.now(), user=people["inv_a"], protocol_version=version)
    subject.status = SubjectStatus.RANDOMIZED
    subject.save(update_fields=["status"])
    today = trial_date(timezone.now())
    create_schedule(subject, today)
    record_contraception(inv, subject, "implant", today - dt.timedelta(days=60), True)
    prescription = prescribe(inv, subject, prescribed_on=today, days=28)
    return subject, prescription


def fill_test(page, result: str, hours_ago: int) -> None:
    taken = local_input_value(timezone.now() - dt.timedelta(hours=hours_ago))  # Paris time, as the picker takes it
    page.fill("#f-pregnancy_test_datetime", taken)
    page.select_option("#f-pregnancy_test_result", result)
    page.fill("#f-pregnancy_test_threshold_miu_ml", "25")
    page.select_option("#f-pregnancy_test_supervised", "true")
    page.click("#record-form button[type=submit]")
    page.wait_for_load_state()


def test_counselling_draft_refused_complete_accepted_positive_holds_and_alerts(
        live_server, page, people, actor_of, browser_errors, artifacts_dir, settings):
    from equipoise.treatment.models import Counselling, Dispensing, PregnancyReport

    page.set_default_timeout(60_000)  # a shared, loaded machine: slow, not wrong
    settings.SPONSOR_SAFETY_EMAIL = "pharmacovigilance@sponsor.example"
    people["inv_a"].email = "inv.a@tenon.example"
    people["inv_a"].save(update_fields=["email"])
    mail.outbox = []
    base = live_server.url
    subject, prescription = woman_on_lenalidomide(people, actor_of)
    treatment_url = f"{base}/treatment/subjects/{subject.code}/"
    w0 = subject.visits.get(visit_id="W0")
    w0_test = f"{base}/subjects/{subject.code}/visits/{w0.pk}/forms/pregnancy_test/"

    # The investigator, in English: counselling (her topics only), then a negative test left in draft.
    log_in(page, base, "inv_a")
    speak(page, "en")
    page.goto(treatment_url)
    counselling = page.inner_text("#counselling-form")
    assert "Risk to the unborn child" in counselling and "What to do if pregnancy is suspected" in counselling
    assert "Condoms" not in counselling and "semen" not in counselling.lower()
    page.screenshot(path=str(artifacts_dir / "pregnancy-counselling-en.png"), full_page=True)
    for topic in TOPICS:
        page.check(f"#counselling-form input[value={topic}]")
    page.click("#counselling-form button")
    page.wait_for_load_state()
    assert sorted(Counselling.objects.filter(subject=subject).values_list("topic", flat=True)) == sorted(TOPICS)
    page.goto(w0_test)
    fill_test(page, "negative", hours_ago=2)
    assert page.inner_text("#form-state").strip().lower() in ("draft", "brouillon")
    log_out(page)

    # The pharmacist, in French: the draft test does not count.
    log_in(page, base, "pharm_a")
    speak(page, "fr")
    page.goto(treatment_url)
    page.click(f"#dispense-{prescription.pk}")
    page.wait_for_load_state()
    refusal = page.inner_text(f"form:has(#dispense-{prescription.pk}) [role=alert]")  # beside the refused form
    assert "encore un brouillon" in refusal and "marqué complet" in refusal
    assert not Dispensing.objects.exists()
    page.screenshot(path=str(artifacts_dir / "pregnancy-draft-refused-fr.png"), full_page=True)
    log_out(page)

    # The investigator marks the test complete; the pharmacist dispenses.
    log_in(page, base, "inv_a")
    page.goto(w0_test)
    page.check("form[action$='/complete/'] input[name=confirm]")
    page.click("form[action$='/complete/'] button")
    page.wait_for_load_state()
    log_out(page)
    log_in(page, base, "pharm_a")
    page.goto(treatment_url)
    page.click(f"#dispense-{prescription.pk}")
    page.wait_for_load_state()
    assert page.locator(f"#dispense-{prescription.pk}").count() == 0
    assert Dispensing.objects.filter(prescription=prescription, tablets=28).count() == 1
    log_out(page)

    # Four weeks on, a positive test: saved as a draft, it acts at once.
    log_in(page, base, "inv_a")
    speak(page, "en")
    w4 = subject.visits.get(visit_id="W4")
    page.goto(f"{base}/subjects/{subject.code}/visits/{w4.pk}/forms/pregnancy_test/")
    fill_test(page, "positive", hours_ago=1)
    report = PregnancyReport.objects.get(subject=subject)
    assert report.status == "open" and report.hold_id is not None
    page.goto(f"{base}/subjects/{subject.code}/")
    alert = page.inner_text("#pregnancy-alert")
    assert "Open pregnancy report" in alert and "Pregnancy report to the sponsor: due by" in alert
    assert "study drug on hold since" in page.inner_text("#treatment-panel")
    page.screenshot(path=str(artifacts_dir / "pregnancy-alert-subject-en.png"), full_page=True)
    page.goto(f"{base}/treatment/safety/")
    assert subject.code in page.inner_text("#pregnancy-reports")
    speak(page, "fr")
    reports = page.inner_text("#pregnancy-reports")
    assert "positif" in reports and "Déclaration de la grossesse au promoteur" in reports
    page.screenshot(path=str(artifacts_dir / "pregnancy-dashboard-fr.png"), full_page=True)
    log_out(page)

    sent = [m for m in mail.outbox if subject.code in m.subject and "grossesse" in m.subject]
    assert len(sent) == 1  # both read the site's French
    assert "pharmacovigilance@sponsor.example" in sent[0].to and "inv.a@tenon.example" in sent[0].to
    assert "suspendu" in sent[0].body and "lenalidomide" not in sent[0].body.lower()

    # The blinded assessor sees none of it.
    log_in(page, base, "assessor_a")
    page.goto(f"{base}/subjects/{subject.code}/")
    text = page.inner_text("main").lower()
    for word in ("grossesse au promoteur", "déclaration de grossesse", "suspendu", "lénalidomide",
                 "lenalidomide", "délivr"):
        assert word not in text, word
    assert page.locator("#pregnancy-alert").count() == 0
    for url in (treatment_url, f"{treatment_url}safety/", f"{base}/treatment/worklist/", f"{base}/treatment/safety/"):
        assert page.goto(url).status == 404, url
    # The refused dispensing answers 422 (the page shown again), and the assessor meets 404s: both expected.
    assert not [e for e in browser_errors if "404" not in e and "422" not in e]
