"""A refused form on the treatment and safety pages (and the end of participation) comes back with
everything typed, each error beside its input in the page's language, the refusal's status, and
nothing changed (issue 13 item 3). One test per form: each posts a mistake among good answers."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.utils import timezone

from equipoise.records.models import AuditEvent, SubjectStatus
from equipoise.treatment.actions.adverse_events import assess_expectedness, report_adverse_event
from equipoise.treatment.actions.dispensing import dispense
from equipoise.treatment.actions.prescribing import prescribe
from equipoise.treatment.actions.visits import mark_visit_done
from equipoise.treatment.models import (
    AdverseEvent,
    Contraception,
    Counselling,
    DoseChange,
    PregnancyReport,
    Prescription,
    TabletReturn,
)

from .conftest import today

FR = {"accept-language": "fr"}
EN = {"accept-language": "en"}


def form_in(response, form_id: str) -> str:
    """The HTML of one form of the page shown again."""
    body = response.content.decode()
    assert f'id="{form_id}"' in body, form_id
    return body.split(f'id="{form_id}"', 1)[1].split("</form>", 1)[0]


def beside(form: str, field: str) -> str:
    """The error shown beside `field`'s input ('' if none)."""
    found = re.search(rf'data-field="{field}">([^<]*)<', form)
    return html.unescape(found.group(1)) if found else ""


def a_day(days: int) -> str:
    return (today() + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def base():
    return lambda subject: f"/treatment/subjects/{subject.code}/"


def test_prescribe(people, client_for, randomized, base):
    subject = randomized("methotrexate", "female", True)
    response = client_for(people["inv_a"]).post(base(subject) + "prescribe/", {
        "prescribed_on": a_day(-2), "days": "vingt-huit", "dose_mg": "12.5", "weekday": "tuesday",
        "auxiliary_dose_mg": "5", "auxiliary_weekday": "friday"}, headers=FR)
    assert response.status_code == 400
    form = form_in(response, "prescribe-form")
    assert f'value="{a_day(-2)}"' in form and 'value="vingt-huit"' in form and 'value="12.5"' in form
    assert 'value=\"tuesday\" selected' in form and 'value=\"friday\" selected' in form
    assert "n'est pas un nombre entier" in beside(form, "days")
    assert not Prescription.objects.exists()


def test_dispense(people, client_for, randomized, inv_a, base):
    subject = randomized("lenalidomide", "male", None)
    rx = prescribe(inv_a, subject, prescribed_on=today(), days=28)
    response = client_for(people["pharm_a"]).post(base(subject) + f"dispense/{rx.pk}/", {"dispensed_on": a_day(3)},
                                                  headers=FR)
    assert response.status_code == 400
    form = form_in(response, f"dispense-form-{rx.pk}")
    assert f'value="{a_day(3)}"' in form and "postérieur à aujourd'hui" in beside(form, "dispensed_on")
    assert not subject.dispensings.exists()


def test_count_returned_tablets(people, client_for, randomized, inv_a, pharm_a, base):
    subject = randomized("lenalidomide", "male", None, days_ago=10)
    rx = prescribe(inv_a, subject, prescribed_on=today() - dt.timedelta(days=10), days=28)
    dispensed = dispense(pharm_a, rx, today() - dt.timedelta(days=10))
    response = client_for(people["pharm_a"]).post(base(subject) + f"return/{dispensed.pk}/", {
        "returned_on": a_day(-1), "tablets_returned": "9999", "auxiliary_returned": "3"}, headers=EN)
    assert response.status_code == 400
    form = form_in(response, f"return-form-{dispensed.pk}")
    assert f'value="{a_day(-1)}"' in form and 'value="9999"' in form and 'value="3"' in form
    assert "more than the" in beside(form, "tablets_returned")
    assert not TabletReturn.objects.exists()


def test_dose_change(people, client_for, randomized, base):
    subject = randomized("lenalidomide", "male", None)
    response = client_for(people["inv_a"]).post(base(subject) + "dose-change/", {
        "kind": "reduce", "effective_on": a_day(-1), "new_dose_mg": "", "reason": "neutropenia grade 3"},
        headers=EN)
    assert response.status_code == 400
    form = form_in(response, "dose-change-form")
    assert 'value=\"reduce\" selected' in form and 'value="neutropenia grade 3"' in form
    assert f'value="{a_day(-1)}"' in form and "names the new dose" in beside(form, "new_dose_mg")
    assert not DoseChange.objects.exists()


def test_definitive_stop_unconfirmed(people, client_for, randomized, base):
    subject = randomized("lenalidomide", "male", None)
    response = client_for(people["inv_a"]).post(base(subject) + "dose-change/", {
        "kind": "stop", "effective_on": a_day(0), "reason": "patient's choice"}, headers=FR)
    assert response.status_code == 400
    form = form_in(response, "dose-change-form")
    assert 'value=\"stop\" selected' in form and "value=\"patient&#x27;s choice\"" in form
    assert "cochez la case" in beside(form, "confirm")
    assert not DoseChange.objects.exists()


def test_counselling(people, client_for, randomized, base):
    subject = randomized("lenalidomide", "female", True, counselled=False)
    response = client_for(people["pharm_a"]).post(base(subject) + "counselling/", {
        "topics": ["unborn_child_risk", "pregnancy_tests"], "counselled_on": a_day(2)}, headers=FR)
    assert response.status_code == 400
    form = form_in(response, "counselling-form")
    assert 'value="unborn_child_risk" checked' in form and 'value="pregnancy_tests" checked' in form
    assert 'value="contraception">' in form  # not ticked, not ticked again
    assert f'value="{a_day(2)}"' in form and "postérieur à aujourd'hui" in beside(form, "counselled_on")
    assert not Counselling.objects.filter(subject=subject).exists()


def test_contraception(people, client_for, randomized, base):
    subject = randomized("lenalidomide", "female", True)
    response = client_for(people["inv_a"]).post(base(subject) + "contraception/", {
        "method": "", "started_on": a_day(-40)}, headers=FR)  # "ongoing" left unticked
    assert response.status_code == 400
    form = form_in(response, "contraception-form")
    assert f'value="{a_day(-40)}"' in form and 'name="ongoing" value="true">' in form
    assert beside(form, "method")
    assert not Contraception.objects.filter(subject=subject).exists()


def test_unscheduled_visit(people, client_for, randomized, base):
    subject = randomized("lenalidomide", "male", None)
    visits = subject.visits.count()
    response = client_for(people["inv_a"]).post(base(subject) + "unscheduled-visit/", {
        "visit_date": a_day(-3), "reason": " "}, headers=EN)
    assert response.status_code == 400
    form = form_in(response, "unscheduled-visit-form")
    assert f'value="{a_day(-3)}"' in form and "needs a reason" in beside(form, "reason")
    assert subject.visits.count() == visits


def test_visit_done_outside_the_window(people, client_for, randomized, base):
    subject = randomized("lenalidomide", "male", None, days_ago=100)
    w4 = subject.visits.get(visit_id="W4")
    late = a_day(-1)
    response = client_for(people["inv_a"]).post(base(subject) + f"visit-done/{w4.pk}/", {"done_date": late},
                                                headers=FR)
    assert response.status_code == 409
    form = form_in(response, f"visit-done-{w4.pk}")
    assert f'value="{late}"' in form and "cochez la confirmation" in beside(form, "confirm_outside_window")
    w4.refresh_from_db()
    assert w4.done_date is None


def test_visit_missed_unconfirmed(people, client_for, randomized, base):
    subject = randomized("lenalidomide", "male", None, days_ago=100)
    w4 = subject.visits.get(visit_id="W4")
    response = client_for(people["inv_a"]).post(base(subject) + f"visit-missed/{w4.pk}/",
                                                {"reason": "en voyage"}, headers=FR)
    assert response.status_code == 400
    form = form_in(response, f"visit-missed-{w4.pk}")
    assert 'value="en voyage"' in form and "cochez la case" in beside(form, "confirm")
    w4.refresh_from_db()
    assert not w4.missed


def test_undo_visit_done(people, client_for, randomized, inv_a, base):
    subject = randomized("lenalidomide", "male", None)
    w0 = subject.visits.get(visit_id="W0")
    mark_visit_done(inv_a, w0, today())
    response = client_for(people["inv_a"]).post(base(subject) + f"visit-undo-done/{w0.pk}/", {"reason": "  "},
                                                headers=EN)
    assert response.status_code == 400
    assert "needs a reason" in beside(form_in(response, f"visit-undo-{w0.pk}"), "reason")
    w0.refresh_from_db()
    assert w0.done_date == today()


def test_report_an_adverse_event(people, client_for, randomized, base):
    subject = randomized("lenalidomide", "female", True)
    response = client_for(people["inv_a"]).post(base(subject) + "safety/report/", {
        "term": "Deep vein thrombosis", "onset_date": a_day(-2), "end_date": "", "grade": "7",
        "seriousness": ["hospitalisation"], "special_interest": ["thrombosis"], "site_aware_at": "2026-01-15T09:30",
        "causality_lenalidomide": "related", "causality_aspirin": "not_related", "action_taken": "drug_interrupted",
        "outcome": "recovering"}, headers=FR)
    assert response.status_code == 400
    form = form_in(response, "ae-form")
    assert 'value="Deep vein thrombosis"' in form and f'value="{a_day(-2)}"' in form and 'value="7"' in form
    assert 'value="hospitalisation" checked' in form and 'value="thrombosis" checked' in form
    assert 'value="death">' in form  # a criterion not ticked stays unticked
    assert 'value="2026-01-15T09:30"' in form
    causality = form.split('name="causality_lenalidomide"')[1].split("</select>")[0]
    assert 'value=\"related\" selected' in causality
    assert 'value=\"drug_interrupted\" selected' in form and 'value=\"recovering\" selected' in form
    assert beside(form, "grade")
    assert not AdverseEvent.objects.exists()


@pytest.fixture
def serious(randomized, inv_a):
    subject = randomized("lenalidomide", "female", True)
    return report_adverse_event(
        inv_a, subject, term="Pulmonary embolism", onset_date=today(), grade=3, seriousness=["hospitalisation"],
        site_aware_at=timezone.now() - dt.timedelta(hours=1), causality={"lenalidomide": "related",
                                                                          "aspirin": "not_related"},
        action_taken="drug_interrupted", outcome="recovering")


def notified_tomorrow(client, serious, action: str) -> None:
    """A notification dated tomorrow is refused: the form comes back with the time typed and the reason."""
    tomorrow = f"{a_day(1)}T10:00"
    response = client.post(f"/treatment/adverse-events/{serious.pk}/{action}/", {"at": tomorrow}, headers=EN)
    assert response.status_code == 400
    form = form_in(response, f"{action}-form")
    assert f'value="{tomorrow}"' in form and "in the future" in beside(form, "at")
    serious.refresh_from_db()


def test_notify_the_sponsor_of_a_serious_event(people, client_for, serious):
    notified_tomorrow(client_for(people["inv_a"]), serious, "notify-sponsor")
    assert serious.sponsor_notified_at is None


def test_expectedness(people, client_for, serious):
    response = client_for(people["sponsor"]).post(f"/treatment/adverse-events/{serious.pk}/expectedness/",
                                                  {"expected": ""}, headers=EN)
    assert response.status_code == 400
    assert "expected or unexpected" in beside(form_in(response, "expectedness-form"), "expected")
    serious.refresh_from_db()
    assert serious.expectedness_assessed_at is None


def test_notify_the_authorities(people, client_for, serious, sponsor):
    assess_expectedness(sponsor, serious, False)
    notified_tomorrow(client_for(people["sponsor"]), serious, "notify-authorities")
    assert serious.authorities_notified_at is None


def test_close_a_pregnancy_report_unconfirmed(people, client_for, randomized, record_pregnancy_test, base):
    subject = randomized("lenalidomide", "female", True)
    record_pregnancy_test(subject, timezone.now() - dt.timedelta(hours=1), result="positive")
    report = PregnancyReport.objects.get()
    response = client_for(people["inv_a"]).post(base(subject) + f"safety/pregnancy-reports/{report.pk}/close/",
                                                {"reason": "plasma test negative"}, headers=FR)
    assert response.status_code == 400
    form = form_in(response, f"pregnancy-close-{report.pk}")
    assert 'value="plasma test negative"' in form and "cochez la case" in beside(form, "confirm")
    report.refresh_from_db()
    assert report.status == "open"


def test_notify_the_sponsor_of_a_pregnancy(people, client_for, randomized, record_pregnancy_test, base):
    subject = randomized("lenalidomide", "female", True)
    record_pregnancy_test(subject, timezone.now() - dt.timedelta(hours=1), result="positive")
    report = PregnancyReport.objects.get()
    tomorrow = f"{a_day(1)}T10:00"
    response = client_for(people["inv_a"]).post(
        base(subject) + f"safety/pregnancy-reports/{report.pk}/notify-sponsor/", {"at": tomorrow}, headers=EN)
    assert response.status_code == 400
    form = form_in(response, f"pregnancy-notify-{report.pk}")
    assert f'value="{tomorrow}"' in form and beside(form, "at")
    report.refresh_from_db()
    assert report.sponsor_notified_at is None


def test_end_of_participation(people, client_for, randomized):
    subject = randomized("lenalidomide", "male", None, days_ago=20)
    events = AuditEvent.objects.count()
    response = client_for(people["inv_a"]).post(f"/subjects/{subject.code}/end-participation/", {
        "outcome": "withdrew_consent", "ended_on": a_day(-5), "reason": "", "confirm": "yes"}, headers=FR)
    assert response.status_code == 400
    form = response.content.decode().split('id="end-participation" open>', 1)[1].split("</form>", 1)[0]
    assert '<option value="withdrew_consent" selected>' in form and f'value="{a_day(-5)}"' in form
    assert "la raison est obligatoire" in beside(form, "reason")
    subject.refresh_from_db()
    assert subject.status == SubjectStatus.RANDOMIZED and AuditEvent.objects.count() == events
