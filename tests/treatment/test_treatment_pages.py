"""Treatment and safety pages: own site and sponsor roles read them, another site gets 404 (and an
audit event), the blinded assessor gets 404 everywhere, refusals are shown in words."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from equipoise.records.actions.forms import complete_form, save_form
from equipoise.records.actions.subjects import create_subject
from equipoise.records.actor import Actor
from equipoise.records.models import AuditEvent
from equipoise.treatment.actions.adverse_events import report_adverse_event
from equipoise.treatment.actions.counselling import record_contraception
from equipoise.treatment.actions.prescribing import prescribe
from equipoise.treatment.models import (
    AdverseEvent,
    Contraception,
    Counselling,
    Dispensing,
    DoseChange,
    TabletReturn,
)
from equipoise.visits.localtime import to_trial_time

from .conftest import today


@pytest.fixture
def woman(randomized, inv_a):
    subject = randomized("lenalidomide", "female", True)
    record_contraception(inv_a, subject, "implant", today() - dt.timedelta(days=60), True)
    return subject


@pytest.fixture
def serious_event(woman, inv_a):
    return report_adverse_event(
        inv_a, woman, term="Pulmonary embolism", onset_date=today(), grade=3, seriousness=["hospitalisation"],
        special_interest=["thrombosis"], site_aware_at=timezone.now() - dt.timedelta(hours=1),
        causality={"lenalidomide": "related", "aspirin": "not_related"}, action_taken="drug_interrupted",
        outcome="recovering")


def subject_pages(subject, ae):
    return [f"/treatment/subjects/{subject.code}/", f"/treatment/subjects/{subject.code}/safety/",
            f"/treatment/adverse-events/{ae.pk}/"]


SITE_PAGES = ["/treatment/worklist/", "/treatment/safety/"]


def test_own_site_and_sponsor_roles_read_every_page(people, client_for, woman, serious_event):
    for name in ("inv_a", "dm", "monitor", "sponsor"):
        client = client_for(people[name])
        for url in subject_pages(woman, serious_event) + SITE_PAGES:
            assert client.get(url).status_code == 200, (name, url)


def test_other_site_gets_404_and_an_audit_event(people, client_for, woman, serious_event):
    client = client_for(people["inv_b"])
    for url in subject_pages(woman, serious_event):
        before = AuditEvent.objects.filter(action="access.denied", username="inv_b").count()
        assert client.get(url).status_code == 404, url
        assert AuditEvent.objects.filter(action="access.denied", username="inv_b").count() == before + 1
    assert client.get("/treatment/worklist/?site=TNN").status_code == 404
    assert client.get("/treatment/safety/?site=TNN").status_code == 404
    dashboard = client.get("/treatment/safety/").content.decode()
    assert woman.code not in dashboard and "Pulmonary embolism" not in dashboard
    rx = prescribe(people_actor(people["inv_a"]), woman, prescribed_on=today(), days=28)
    response = client.post(f"/treatment/subjects/{woman.code}/dispense/{rx.pk}/", {"dispensed_on": str(today())})
    assert response.status_code == 404 and not Dispensing.objects.exists()


def people_actor(user):
    return Actor(user=user, role="investigator", site_code="TNN", request_id="test")


def test_blinded_assessor_gets_404_on_every_page(people, client_for, woman, serious_event):
    client = client_for(people["assessor_a"])
    rx = prescribe(people_actor(people["inv_a"]), woman, prescribed_on=today(), days=28)
    for url in subject_pages(woman, serious_event) + SITE_PAGES:
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"lenalidomide" not in response.content.lower()
    posts = [(f"/treatment/subjects/{woman.code}/dispense/{rx.pk}/", {"dispensed_on": str(today())}),
             (f"/treatment/subjects/{woman.code}/safety/report/", {"term": "x"}),
             (f"/treatment/adverse-events/{serious_event.pk}/notify-sponsor/", {})]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url


def test_pages_not_for_the_role_are_403(people, client_for, woman):
    assert client_for(people["stat"]).get("/treatment/safety/").status_code == 403
    assert client_for(people["pharm_a"]).get("/treatment/safety/").status_code == 403
    assert client_for(people["pharm_a"]).get("/treatment/worklist/").status_code == 200


def test_refused_dispensing_is_shown_in_french_with_every_condition(people, client_for, woman, inv_a):
    rx = prescribe(inv_a, woman, prescribed_on=today(), days=28)
    client = client_for(people["pharm_a"])
    response = client.post(f"/treatment/subjects/{woman.code}/dispense/{rx.pk}/", {"dispensed_on": str(today())},
                           headers={"accept-language": "fr"})
    assert response.status_code == 422  # the page again, not a redirect
    form = response.content.decode().split(f'id="dispense-form-{rx.pk}"')[1].split("</form>")[0]
    assert "Aucun test de grossesse" in form and f'value="{today().isoformat()}"' in form
    assert not Dispensing.objects.exists()


def test_subject_safety_page_shows_the_running_clock_and_lab_alert_action(
        people, client_for, woman, serious_event, inv_a):
    save_form(inv_a, woman, woman.visits.get(visit_id="W0"), "labs", {
        "lab_date": str(today()), "lab_neutrophils_g_l": 0.8, "lab_platelets_g_l": 200,
        "lab_creatinine_clearance_ml_min": 90, "lab_alt_x_uln": 1, "lab_ast_x_uln": 1})
    body = client_for(people["inv_a"]).get(f"/treatment/subjects/{woman.code}/safety/",
                                           headers={"accept-language": "en"}).content.decode()
    assert "SAE notification to the sponsor: due by" in body
    assert "Neutrophils 0.8" in body and "hold lenalidomide" in body
    dashboard = client_for(people["sponsor"]).get("/treatment/safety/", headers={"accept-language": "en"})
    text = dashboard.content.decode()
    assert "Pulmonary embolism" in text and "due by" in text and "hold lenalidomide" in text


@pytest.mark.parametrize(("picked", "stored"), [
    ("2026-01-15T09:30", dt.datetime(2026, 1, 15, 8, 30, tzinfo=dt.UTC)),   # winter: Paris is UTC+1
    ("2026-07-15T09:30", dt.datetime(2026, 7, 15, 7, 30, tzinfo=dt.UTC)),   # summer: Paris is UTC+2
])
def test_a_paris_time_picked_on_the_page_is_stored_as_its_utc_instant(people, client_for, woman, picked, stored):
    client = client_for(people["inv_a"])
    page = client.get(f"/treatment/subjects/{woman.code}/safety/").content.decode()
    assert 'id="site_aware_at" name="site_aware_at" type="datetime-local"' in page
    client.post(f"/treatment/subjects/{woman.code}/safety/report/", {
        "term": "Fracture", "onset_date": "2026-01-01", "grade": "3", "seriousness": ["hospitalisation"],
        "site_aware_at": picked, "causality_lenalidomide": "not_related",
        "causality_aspirin": "not_related", "action_taken": "none", "outcome": "recovering",
    })
    event = woman.adverse_events.get()
    assert event.site_aware_at == stored
    shown = client.get(f"/treatment/adverse-events/{event.pk}/").content.decode()
    day, time = picked.split("T")
    year, month, date = day.split("-")
    assert f"{date}/{month}/{year} à {time} (UTC+0{1 if month == '01' else 2}:00)" in shown  # a French page


def test_an_hour_the_clocks_skip_is_refused_and_nothing_is_stored(people, client_for, woman):
    response = client_for(people["inv_a"]).post(f"/treatment/subjects/{woman.code}/safety/report/", {
        "term": "Fracture", "onset_date": "2026-01-01", "grade": "3", "seriousness": ["hospitalisation"],
        "site_aware_at": "2026-03-29T02:30", "causality_lenalidomide": "not_related",
        "causality_aspirin": "not_related", "action_taken": "none", "outcome": "recovering",
    }, headers={"accept-language": "en"})
    assert response.status_code == 400
    body = response.content.decode()
    beside = body.split('data-field="site_aware_at">')[1].split("</div>")[0]
    assert "skipped when clocks go forward" in beside and 'value="2026-03-29T02:30"' in body
    assert not woman.adverse_events.exists()


def test_worklist_page_lists_the_visit_due_today(people, client_for, woman):
    body = client_for(people["inv_a"]).get("/treatment/worklist/", headers={"accept-language": "en"}).content.decode()
    due = body.split('id="due-visits"')[1].split("</table>")[0]
    assert woman.code in due and "Randomization (week 0)" in due
    other = client_for(people["inv_b"]).get("/treatment/worklist/").content.decode()
    assert woman.code not in other


def test_every_write_goes_through_the_page(people, client_for, randomized, django_capture_on_commit_callbacks):
    subject = randomized("methotrexate", "female", True, days_ago=30, counselled=False)
    inv, pharm, sponsor = (client_for(people[n]) for n in ("inv_a", "pharm_a", "sponsor"))
    base = f"/treatment/subjects/{subject.code}/"
    start = today() - dt.timedelta(days=30)

    def ok(client, url, data):
        response = client.post(url, data, follow=True, headers={"accept-language": "en"})
        errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
        assert response.status_code == 200 and not errors, (url, errors)

    ok(inv, base + "contraception/", {"method": "implant", "started_on": str(start - dt.timedelta(days=60)),
                                      "ongoing": "true"})
    topics = ["unborn_child_risk", "contraception", "pregnancy_tests", "suspected_pregnancy", "blood_donation"]
    ok(pharm, base + "counselling/", {"topics": topics, "counselled_on": str(start)})
    test = save_form(people_actor(people["inv_a"]), subject, subject.visits.get(visit_id="W0"), "pregnancy_test", {
        "pregnancy_test_datetime": f"{start}T09:00:00+01:00", "pregnancy_test_result": "negative",
        "pregnancy_test_threshold_miu_ml": 20, "pregnancy_test_supervised": True})
    complete_form(people_actor(people["inv_a"]), test)
    ok(inv, base + "prescribe/", {"prescribed_on": str(start), "days": "28", "dose_mg": "15", "weekday": "monday",
                                  "auxiliary_weekday": "thursday", "auxiliary_dose_mg": "5"})
    rx = subject.prescriptions.get()
    ok(pharm, base + f"dispense/{rx.pk}/", {"dispensed_on": str(start)})
    ok(pharm, base + f"return/{rx.dispensing.pk}/", {"returned_on": str(today()), "tablets_returned": "0",
                                                     "auxiliary_returned": "0"})
    ok(inv, base + "dose-change/", {"kind": "reduce", "effective_on": str(today()), "new_dose_mg": "10",
                                    "reason": "nausea"})
    w4 = subject.visits.get(visit_id="W4")
    ok(inv, base + f"visit-done/{w4.pk}/", {"done_date": str(today())})
    ok(inv, base + f"visit-missed/{subject.visits.get(visit_id='W0').pk}/", {"reason": "came late", "confirm": "yes"})
    ok(inv, base + "unscheduled-visit/", {"visit_date": str(today()), "reason": "flare"})
    aware = to_paris_text(timezone.now() - dt.timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        ok(inv, base + "safety/report/", {
            "term": "Pneumonia", "onset_date": str(today()), "grade": "3", "seriousness": ["hospitalisation"],
            "special_interest": ["serious_infection"], "site_aware_at": aware,
            "causality_methotrexate": "related", "causality_folic_acid": "not_related",
            "action_taken": "drug_interrupted", "outcome": "recovering"})
    ae = AdverseEvent.objects.get()
    ok(inv, f"/treatment/adverse-events/{ae.pk}/notify-sponsor/", {"at": to_paris_text(timezone.now())})
    ok(sponsor, f"/treatment/adverse-events/{ae.pk}/expectedness/", {"expected": "false"})
    ok(sponsor, f"/treatment/adverse-events/{ae.pk}/notify-authorities/", {"at": to_paris_text(timezone.now())})
    ae.refresh_from_db()
    assert ae.sponsor_notified_at and ae.expected is False and ae.authorities_notified_at
    assert Contraception.objects.count() == TabletReturn.objects.count() == 1
    assert sorted(Counselling.objects.values_list("topic", flat=True)) == sorted(topics)
    assert DoseChange.objects.get().new_dose_mg == 10
    page = inv.get(base, headers={"accept-language": "en"}).content.decode()
    assert "reduced to 10" in page and "done in window" in page and "missed" in page
    # Nothing returned after the whole 28-day course: 4 Mondays x 6 tablets taken, as expected.
    assert "100.0 %" in page and "overuse" not in page
    assert client_for(people["inv_a"]).get(f"/treatment/adverse-events/{ae.pk}/").status_code == 200


def to_paris_text(moment):
    return to_trial_time(moment).isoformat(timespec="minutes")


def test_pages_of_a_subject_not_yet_randomized(people, client_for, inv_a):
    subject = create_subject(inv_a, people["site_a"], "nct06965244")
    client = client_for(people["inv_a"])
    for url in (f"/treatment/subjects/{subject.code}/", f"/treatment/subjects/{subject.code}/safety/"):
        assert client.get(url).status_code == 200
    response = client.post(f"/treatment/subjects/{subject.code}/prescribe/", {"prescribed_on": str(today()),
                                                                               "days": "28"})
    assert response.status_code == 409 and "not randomized" in response.content.decode()
