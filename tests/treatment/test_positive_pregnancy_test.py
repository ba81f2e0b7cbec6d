"""A positive or indeterminate pregnancy test acts at once, in the transaction that saved it.

Holds the study drug, opens the pregnancy report with its 24-hour sponsor clock, emails the site's
investigators and the sponsor desk (locmem backend), and shows on the subject page, the safety
dashboard and the worklist until closed; the blinded assessor sees none of it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone

from equipoise.people.languages import set_language
from equipoise.records.actions.errors import ActionRefused
from equipoise.records.models import AuditEvent
from equipoise.treatment.actions.pregnancy_reports import (
    close_pregnancy_report,
    notify_sponsor_of_pregnancy,
)
from equipoise.treatment.facts import drug_state
from equipoise.treatment.models import DoseChangeKind, PregnancyReport

from .conftest import today

DRUGS = ("lenalidomid", "methotrexat", "aspirin", "folic", "foliqu")


@pytest.fixture
def woman(randomized, people):
    people["inv_a"].email = "inv.a@tenon.example"
    people["inv_a"].save(update_fields=["email"])
    people["inv_b"].email = "inv.b@saint-louis.example"
    people["inv_b"].save(update_fields=["email"])
    return randomized("lenalidomide", "female", True)


@pytest.mark.parametrize("result", ["positive", "indeterminate"])
def test_a_positive_or_indeterminate_draft_holds_reports_and_emails_at_once(
        woman, record_pregnancy_test, settings, django_capture_on_commit_callbacks, result):
    settings.SPONSOR_SAFETY_EMAIL = "pv@sponsor.example"
    set_language(User.objects.get(email="inv.a@tenon.example"), "en")
    with django_capture_on_commit_callbacks(execute=True):
        record = record_pregnancy_test(woman, timezone.now() - dt.timedelta(hours=1), result=result, complete=False)
    report = PregnancyReport.objects.get(subject=woman)
    assert (report.form_record_id, report.result, report.status) == (record.pk, result, "open")
    state = drug_state(woman, today())
    assert state.on_hold is not None and state.on_hold.kind == DoseChangeKind.HOLD
    assert report.hold_id == state.on_hold.pk
    assert AuditEvent.objects.filter(action="pregnancy_report.open", object_id=str(report.pk)).count() == 1
    assert AuditEvent.objects.filter(action="study_drug.hold", subject_code=woman.code).count() == 1
    french, english = mail.outbox  # the desk reads the site's French; the investigator chose English
    assert french.to + english.to == ["pv@sponsor.example", "inv.a@tenon.example"]  # not the other site's
    assert woman.code in french.subject and {"positive": "positif", "indeterminate": "indéterminé"}[result] in french.subject
    assert "24 heures" in french.body and "suspendu" in french.body
    assert woman.code in english.subject and result in english.subject
    assert "24 hours" in english.body and "on hold" in english.body
    for email in (french, english):
        assert not any(drug in email.body.lower() for drug in DRUGS)


def test_saving_the_same_positive_test_again_opens_nothing_more(woman, record_pregnancy_test, inv_a):
    from equipoise.records.actions.forms import reopen_form, save_form

    record = record_pregnancy_test(woman, timezone.now() - dt.timedelta(hours=1), result="positive")
    record = reopen_form(inv_a, record, "threshold typo")
    save_form(inv_a, woman, record.visit, "pregnancy_test", {**record.data, "pregnancy_test_threshold_miu_ml": 20},
              reason="threshold typo")
    assert PregnancyReport.objects.filter(subject=woman).count() == 1
    assert woman.dose_changes.filter(kind=DoseChangeKind.HOLD).count() == 1


def test_a_negative_test_opens_nothing(woman, record_pregnancy_test):
    record_pregnancy_test(woman, timezone.now() - dt.timedelta(hours=1))
    assert not PregnancyReport.objects.exists()
    assert drug_state(woman, today()).on_hold is None


def test_the_alert_shows_until_closed_and_never_to_the_assessor(woman, record_pregnancy_test, people, client_for,
                                                                inv_a, sponsor):
    record_pregnancy_test(woman, timezone.now() - dt.timedelta(hours=1), result="positive")
    report = PregnancyReport.objects.get()
    pages = {"subject": f"/subjects/{woman.code}/", "safety": f"/treatment/subjects/{woman.code}/safety/",
             "dashboard": "/treatment/safety/", "worklist": "/treatment/worklist/"}
    inv = client_for(people["inv_a"])
    for name, url in pages.items():
        body = inv.get(url, headers={"accept-language": "en"}).content.decode()
        assert woman.code in body and ("pregnancy report" in body.lower()), name
        assert "Pregnancy report to the sponsor: due by" in body, name
    french = inv.get(pages["dashboard"], headers={"accept-language": "fr"}).content.decode()
    assert "Déclaration de la grossesse au promoteur" in french and "positif" in french

    assessor = client_for(people["assessor_a"])
    subject_page = assessor.get(pages["subject"]).content.decode()
    assert "pregnancy-alert" not in subject_page and "grossesse au promoteur" not in subject_page.lower()
    for name in ("safety", "dashboard", "worklist"):
        assert assessor.get(pages[name]).status_code == 404, name

    notify_sponsor_of_pregnancy(sponsor, report)
    body = inv.get(pages["dashboard"], headers={"accept-language": "en"}).content.decode()
    assert "Pregnancy report to the sponsor: done" in body
    with pytest.raises(ActionRefused):
        close_pregnancy_report(inv_a, report, "")
    close_pregnancy_report(inv_a, report, "pregnancy ruled out by a second plasma test")
    for name in ("subject", "dashboard", "worklist"):
        body = inv.get(pages[name], headers={"accept-language": "en"}).content.decode()
        assert "Pregnancy report to the sponsor" not in body, name
    assert AuditEvent.objects.filter(action="pregnancy_report.close", object_id=str(report.pk)).exists()


def test_only_the_investigator_closes_and_the_pages_offer_buttons_by_role(woman, record_pregnancy_test, people,
                                                                          client_for, pharm_a):
    record_pregnancy_test(woman, timezone.now() - dt.timedelta(hours=1), result="positive")
    report = PregnancyReport.objects.get()
    with pytest.raises(ActionRefused) as refused:
        close_pregnancy_report(pharm_a, report, "not for the pharmacist")
    assert refused.value.status == 403
    url = f"/treatment/subjects/{woman.code}/safety/"
    investigator_page = client_for(people["inv_a"]).get(url).content.decode()
    assert f"pregnancy-reports/{report.pk}/close/" in investigator_page
    pharmacist_page = client_for(people["pharm_a"]).get(url).content.decode()
    assert f"pregnancy-reports/{report.pk}/close/" not in pharmacist_page
    response = client_for(people["inv_a"]).post(f"/treatment/subjects/{woman.code}/safety/pregnancy-reports/"
                                                f"{report.pk}/close/", {"reason": "ruled out by a second test", "confirm": "yes"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "closed"
