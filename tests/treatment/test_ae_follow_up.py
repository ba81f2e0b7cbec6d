"""Follow-up of a reported adverse event: end date, outcome, worsening; refusals save nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from equipoise.records.actions.errors import ActionRefused
from equipoise.records.models import AuditEvent
from equipoise.safety.adverse_events import ClockKind, ClockState
from equipoise.treatment.actions.adverse_events import report_adverse_event
from equipoise.treatment.actions.ae_follow_up import follow_up_adverse_event
from equipoise.treatment.clocks import clock_hours, event_clocks
from equipoise.treatment.models import AdverseEvent
from equipoise.visits.localtime import to_trial_time

from .conftest import today

CAUSALITY = {"lenalidomide": "related", "aspirin": "not_related"}
ONSET = today() - dt.timedelta(days=5)


def stored(ae: AdverseEvent) -> tuple:
    ae = AdverseEvent.objects.get(pk=ae.pk)
    return ae.end_date, ae.outcome, ae.grade, ae.seriousness, ae.site_aware_at


@pytest.fixture
def subject(randomized):
    return randomized("lenalidomide", "female", True)


@pytest.fixture
def mild(subject, inv_a):
    """A non-serious grade-2 event, still going on."""
    return report_adverse_event(inv_a, subject, term="Neutropenia", onset_date=ONSET, grade=2, causality=CAUSALITY,
                                action_taken="dose_reduced", outcome="recovering", special_interest=["neutropenia"])


@pytest.fixture
def serious(subject, inv_a):
    return report_adverse_event(inv_a, subject, term="Pneumonia", onset_date=ONSET, grade=3,
                                seriousness=["hospitalisation"], site_aware_at=timezone.now() - dt.timedelta(days=4),
                                causality=CAUSALITY, action_taken="drug_interrupted", outcome="not_recovered")


def last_follow_up() -> AuditEvent:
    return AuditEvent.objects.filter(action="adverse_event.follow_up").latest("sequence")


def test_end_and_outcome_are_recorded_with_old_and_new_values_in_the_audit(mild, inv_a):
    end = today() - dt.timedelta(days=1)
    follow_up_adverse_event(inv_a, mild, end_date=end, outcome="recovered", reason="seen at W4, resolved")
    assert stored(mild) == (end, "recovered", 2, [], None)
    event = last_follow_up()
    assert event.changes == {"end_date": [None, end.isoformat()], "outcome": ["recovering", "recovered"]}
    assert event.reason == "seen at W4, resolved"
    assert (event.object_id, event.subject_code, event.site_code) == (str(mild.pk), mild.subject.code, "TNN")
    assert event.username == "inv_a" and event.role == "investigator"


def test_a_worsening_raises_the_grade(mild, inv_a):
    follow_up_adverse_event(inv_a, mild, outcome="not_recovered", grade=3, reason="counts fell further")
    assert stored(mild)[1:3] == ("not_recovered", 3)
    assert last_follow_up().changes == {"outcome": ["recovering", "not_recovered"], "grade": [2, 3]}


def test_a_death_makes_the_event_serious_and_starts_the_sae_clock_from_when_the_site_learned(
        mild, inv_a, settings, django_capture_on_commit_callbacks):
    settings.SPONSOR_SAFETY_EMAIL = "vigilance@example.org"
    learned = timezone.now() - dt.timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        ae = follow_up_adverse_event(inv_a, mild, end_date=today(), outcome="fatal", grade=5,
                                     site_aware_at=to_trial_time(learned), reason="died of sepsis")
    assert ae.seriousness == ["death"] and ae.site_aware_at == learned
    (clock,) = event_clocks(ae, timezone.now(), clock_hours(ae.subject.protocol_id))
    assert clock.kind is ClockKind.SAE_TO_SPONSOR and clock.state is ClockState.DUE
    assert clock.deadline == learned + dt.timedelta(hours=24)
    assert len(mail.outbox) == 1 and str(ae.pk) in mail.outbox[0].subject
    changes = last_follow_up().changes
    assert changes["seriousness"] == [[], ["death"]] and changes["grade"] == [2, 5]
    assert changes["site_aware_at"] == [None, learned.isoformat()]


def test_a_death_of_a_serious_event_adds_the_criterion_and_keeps_its_clock(
        serious, inv_a, django_capture_on_commit_callbacks):
    aware = serious.site_aware_at
    with django_capture_on_commit_callbacks(execute=True):
        ae = follow_up_adverse_event(inv_a, serious, end_date=today(), outcome="fatal", grade=5, reason="died")
    assert ae.seriousness == ["death", "hospitalisation"] and ae.site_aware_at == aware
    assert mail.outbox == []
    assert last_follow_up().changes["seriousness"] == [["hospitalisation"], ["death", "hospitalisation"]]


NOW = timezone.now()


@pytest.mark.parametrize(("changes", "field", "rule"), [
    ({"end_date": ONSET - dt.timedelta(days=1)}, "end_date", "not before onset"),
    ({"end_date": today() + dt.timedelta(days=1)}, "end_date", "not in the future"),
    ({"grade": 1}, "grade", "higher than the recorded grade 2"),
    ({"grade": 6}, "grade", "CTCAE v5 grade 1-5"),
    ({"grade": "worse"}, "grade", "CTCAE v5 grade 1-5"),
    ({"outcome": "fatal"}, "outcome", "fatal if and only if grade 5"),
    ({"grade": 5, "site_aware_at": NOW}, "outcome", "fatal if and only if grade 5"),
    ({"outcome": "better"}, "outcome", "one of recovered, recovering, not_recovered, recovered_with_sequelae, "
                                       "fatal, unknown"),
    ({"reason": "  "}, "reason", "required"),
    ({"end_date": None, "outcome": "recovering"}, "follow_up", "changes the end date, outcome or grade"),
    ({"outcome": "fatal", "grade": 5}, "site_aware_at", "required for a serious event"),
    ({"outcome": "fatal", "grade": 5, "site_aware_at": dt.datetime(2026, 3, 29, 9, 0)}, "site_aware_at",
     "timezone-aware datetime"),
    ({"outcome": "fatal", "grade": 5, "site_aware_at": NOW + dt.timedelta(days=1)}, "site_aware_at",
     "not in the future"),
    ({"site_aware_at": NOW}, "site_aware_at", "only when the event becomes serious"),
])
def test_each_refusal_names_the_field_and_rule_and_saves_nothing(mild, inv_a, changes, field, rule,
                                                                 django_capture_on_commit_callbacks):
    values = {"end_date": today(), "outcome": "recovered", "reason": "resolved", **changes}
    before, events_before = stored(mild), AuditEvent.objects.count()
    with pytest.raises(ActionRefused) as refused, django_capture_on_commit_callbacks(execute=True):
        follow_up_adverse_event(inv_a, mild, **values)
    matching = [e for e in refused.value.errors if e.field == field]
    assert matching and matching[0].rule == rule, refused.value.errors
    assert matching[0].message and matching[0].message_fr
    assert stored(mild) == before and AuditEvent.objects.count() == events_before and mail.outbox == []


def test_an_end_date_given_as_a_datetime_is_refused(mild, inv_a):
    with pytest.raises(ActionRefused) as refused:
        follow_up_adverse_event(inv_a, mild, end_date=timezone.now(), outcome="recovered", reason="x")
    assert refused.value.errors[0].field == "end_date" and refused.value.errors[0].rule == "calendar date"


def test_only_the_investigator_follows_up(mild, pharm_a, sponsor):
    for actor in (pharm_a, sponsor):
        with pytest.raises(ActionRefused) as refused:
            follow_up_adverse_event(actor, mild, outcome="recovered", end_date=today(), reason="x")
        assert refused.value.status == 403
    assert stored(mild)[1] == "recovering"


# --- the page form ---------------------------------------------------------------------------


def test_the_page_form_records_a_follow_up(people, client_for, mild):
    client = client_for(people["inv_a"])
    page = client.get(f"/treatment/adverse-events/{mild.pk}/", headers={"accept-language": "en"}).content.decode()
    assert 'id="ae-follow-up"' in page
    response = client.post(f"/treatment/adverse-events/{mild.pk}/follow-up/",
                           {"end_date": str(today()), "outcome": "recovered", "grade": "", "site_aware_at": "",
                            "reason": "resolved"}, follow=True, headers={"accept-language": "en"})
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert not errors and stored(mild)[:3] == (today(), "recovered", 2)


def test_the_page_shows_a_refusal_by_field_and_rule_in_french(people, client_for, mild):
    response = client_for(people["inv_a"]).post(
        f"/treatment/adverse-events/{mild.pk}/follow-up/", {"outcome": "recovered", "grade": "1", "reason": "x"},
        headers={"accept-language": "fr"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "aggravation" in body.split('data-field="grade">')[1].split("</div>")[0]
    form = body.split('id="ae-follow-up"')[1].split("</form>")[0]
    assert 'name="grade" inputmode="numeric" size="2" placeholder="2" value="1"' in form
    assert 'value="recovered" selected' in form and 'name="reason" size="60" value="x"' in form
    assert stored(mild)[1:3] == ("recovering", 2)


def test_other_site_and_blinded_assessor_get_404_and_change_nothing(people, client_for, mild):
    data = {"end_date": str(today()), "outcome": "recovered", "reason": "resolved"}
    for name in ("inv_b", "assessor_a"):
        client = client_for(people[name])
        assert client.get(f"/treatment/adverse-events/{mild.pk}/").status_code == 404, name
        response = client.post(f"/treatment/adverse-events/{mild.pk}/follow-up/", data)
        assert response.status_code == 404 and b"lenalidomide" not in response.content.lower(), name
    assert stored(mild)[:2] == (None, "recovering")
    assert not AuditEvent.objects.filter(action="adverse_event.follow_up").exists()
