"""Pregnancy-gated dispensing in a real browser: a woman of childbearing potential on lenalidomide is
refused a dispensing without a recent negative test, the investigator records one, the pharmacist
then dispenses; the blinded assessor's pages for her show neither the drug nor the dispensing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from browser.sign_in import log_in
from equipoise.records.roles import Role
from equipoise.visits.localtime import to_trial_time, trial_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def log_out(page):
    page.click(".logout button")
    page.wait_for_url(re.compile(r".*/login/.*"))


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


def test_gate_refuses_then_dispenses_and_the_assessor_sees_nothing_of_it(
        live_server, page, people, actor_of, browser_errors, artifacts_dir):
    from equipoise.treatment.models import Dispensing

    base = live_server.url
    subject, prescription = woman_on_lenalidomide(people, actor_of)
    treatment_url = f"{base}/treatment/subjects/{subject.code}/"

    log_in(page, base, "pharm_a")
    page.goto(treatment_url)
    assert "Lénalidomide" in page.inner_text("#arm")
    page.click(f"#dispense-{prescription.pk}")
    page.wait_for_load_state()
    refusal = page.inner_text(".messages")
    assert "pregnancy_test_missing" in refusal and "Aucun test de grossesse" in refusal
    assert page.locator(f"#dispense-{prescription.pk}").count() == 1
    assert not Dispensing.objects.exists()
    page.screenshot(path=str(artifacts_dir / "dispensing-refused.png"), full_page=True)
    log_out(page)

    # The investigator records a supervised negative test taken an hour ago, on the W0 form.
    log_in(page, base, "inv_a")
    w0 = subject.visits.get(visit_id="W0")
    page.goto(f"{base}/subjects/{subject.code}/visits/{w0.pk}/forms/pregnancy_test/")
    taken = to_trial_time(timezone.now() - dt.timedelta(hours=1)).isoformat(timespec="minutes")
    page.fill("#f-pregnancy_test_datetime", taken)
    page.select_option("#f-pregnancy_test_result", "negative")
    page.fill("#f-pregnancy_test_threshold_miu_ml", "25")
    page.select_option("#f-pregnancy_test_supervised", "true")
    page.click("#record-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#form-state").count() == 1
    log_out(page)

    log_in(page, base, "pharm_a")
    page.goto(treatment_url)
    page.click(f"#dispense-{prescription.pk}")
    page.wait_for_load_state()
    assert page.locator(f"#dispense-{prescription.pk}").count() == 0
    row = page.inner_text("#prescriptions")
    assert "28" in row and "lenalidomide" in row
    assert Dispensing.objects.filter(prescription=prescription, tablets=28).count() == 1
    page.screenshot(path=str(artifacts_dir / "dispensing-accepted.png"), full_page=True)
    log_out(page)

    log_in(page, base, "assessor_a")
    subject_page = page.goto(f"{base}/subjects/{subject.code}/")
    assert subject_page.status == 200
    for url in (treatment_url, f"{treatment_url}safety/", f"{base}/treatment/worklist/", f"{base}/treatment/safety/"):
        response = page.goto(url)
        assert response.status == 404, url
        text = page.content().lower()
        assert "lenalidomide" not in text and "lénalidomide" not in text, url
    page.goto(f"{base}/subjects/{subject.code}/")
    text = page.inner_text("main").lower()
    for word in ("lenalidomide", "lénalidomide", "aspirin", "aspirine", "délivr", "dispens"):
        assert word not in text, word
    assert not [e for e in browser_errors if "404" not in e]
