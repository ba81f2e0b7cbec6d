"""Adverse events: refused with the rule named and nothing saved; SAE email; SUSAR clock; pregnancy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from equipoise.records.actions.errors import ActionRefused
from equipoise.records.models import AuditEvent
from equipoise.safety.adverse_events import ClockKind, ClockState
from equipoise.treatment.actions.adverse_events import (
    assess_expectedness,
    notify_authorities,
    notify_sponsor,
    report_adverse_event,
)
from equipoise.treatment.clocks import clock_hours, event_clocks
from equipoise.treatment.models import AdverseEvent, DoseChange, PregnancyFollowUp

from .conftest import today

CAUSALITY = {"lenalidomide": "related", "aspirin": "not_related"}


def report(actor, subject, **changes):
    values = dict(term="Deep vein thrombosis", onset_date=today() - dt.timedelta(days=1), grade=3,
                  seriousness=["hospitalisation"], special_interest=["thrombosis"],
                  site_aware_at=timezone.now() - dt.timedelta(hours=2), causality=CAUSALITY,
                  action_taken="drug_interrupted", outcome="recovering")
    values.update(changes)
    return report_adverse_event(actor, subject, **values)


@pytest.mark.parametrize(("changes", "field", "rule"), [
    ({"end_date": today() - dt.timedelta(days=3)}, "end_date", "not before onset"),
    ({"grade": 6}, "grade", "CTCAE v5 grade 1-5"),
    ({"grade": "severe"}, "grade", "CTCAE v5 grade 1-5"),
    ({"onset_date": today() + dt.timedelta(days=2)}, "onset_date", "not in the future"),
    ({"site_aware_at": dt.datetime(2026, 3, 29, 9, 0)}, "site_aware_at", "timezone-aware datetime"),
    ({"site_aware_at": None}, "site_aware_at", "required for a serious event"),
    ({"causality": {"lenalidomide": "related"}}, "causality.aspirin", "one of related, not_related"),
    ({"causality": {**CAUSALITY, "methotrexate": "related"}}, "causality", "drugs of the arm: lenalidomide, aspirin"),
    ({"special_interest": ["hair_loss"]}, "special_interest", None),
    ({"outcome": "fatal"}, "outcome", "fatal if and only if grade 5"),
])
def test_bad_input_refused_with_the_rule_and_nothing_saved(randomized, inv_a, changes, field, rule,
                                                          django_capture_on_commit_callbacks):
    subject = randomized("lenalidomide", "female", True)
    events_before = AuditEvent.objects.count()
    with pytest.raises(ActionRefused) as refused, django_capture_on_commit_callbacks(execute=True):
        report(inv_a, subject, **changes)
    matching = [e for e in refused.value.errors if e.field == field]
    assert matching, refused.value.errors
    if rule is not None:
        assert matching[0].rule == rule
    assert matching[0].message and matching[0].message_fr
    assert not AdverseEvent.objects.exists()
    assert AuditEvent.objects.count() == events_before
    assert mail.outbox == []


def test_serious_event_emails_the_sponsor_and_starts_the_24_hour_clock(
        randomized, inv_a, settings, django_capture_on_commit_callbacks):
    settings.SPONSOR_SAFETY_EMAIL = "vigilance@example.org"
    subject = randomized("lenalidomide", "female", True)
    with django_capture_on_commit_callbacks(execute=True):
        ae = report(inv_a, subject)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["vigilance@example.org"] and subject.code in message.subject
    assert "Déclaration au promoteur à faire avant le" in message.body and "lenalidomide" not in message.body
    assert "gravité : hospitalisation ou sa prolongation" in message.body and "thrombose" in message.body
    (clock,) = event_clocks(ae, timezone.now(), clock_hours(subject.protocol_id))
    assert clock.kind is ClockKind.SAE_TO_SPONSOR and clock.state is ClockState.DUE
    assert clock.deadline == ae.site_aware_at + dt.timedelta(hours=24)
    notify_sponsor(inv_a, ae)
    ae.refresh_from_db()
    (clock,) = event_clocks(ae, timezone.now(), clock_hours(subject.protocol_id))
    assert clock.state is ClockState.MET and not clock.late


def test_non_serious_event_has_no_clock_and_no_email(randomized, inv_a, django_capture_on_commit_callbacks):
    subject = randomized("lenalidomide", "female", True)
    with django_capture_on_commit_callbacks(execute=True):
        ae = report(inv_a, subject, seriousness=[], site_aware_at=None, grade=1, term="Headache",
                    special_interest=[])
    assert mail.outbox == [] and event_clocks(ae, timezone.now(), clock_hours(subject.protocol_id)) == []
    with pytest.raises(ActionRefused):
        notify_sponsor(inv_a, ae)


def test_sponsor_expectedness_starts_the_susar_clock(randomized, inv_a, sponsor):
    subject = randomized("lenalidomide", "female", True)
    ae = report(inv_a, subject)
    with pytest.raises(ActionRefused) as refused:
        assess_expectedness(inv_a, ae, False)
    assert refused.value.status == 403
    assessed = assess_expectedness(sponsor, ae, False)
    clocks = event_clocks(assessed, timezone.now(), clock_hours(subject.protocol_id))
    susar = [c for c in clocks if c.kind is ClockKind.SUSAR_OTHER]
    assert susar and susar[0].state is ClockState.DUE
    assert susar[0].deadline == assessed.expectedness_assessed_at + dt.timedelta(hours=360)
    with pytest.raises(ActionRefused):
        assess_expectedness(sponsor, assessed, True)
    notify_authorities(sponsor, assessed)
    assessed.refresh_from_db()
    states = {c.kind: c.state for c in event_clocks(assessed, timezone.now(), clock_hours(subject.protocol_id))}
    assert states[ClockKind.SUSAR_OTHER] is ClockState.MET


def test_expected_or_unrelated_events_start_no_susar_clock(randomized, inv_a, sponsor):
    subject = randomized("lenalidomide", "female", True)
    unrelated = report(inv_a, subject, causality={"lenalidomide": "not_related", "aspirin": "related"})
    assess_expectedness(sponsor, unrelated, False)
    expected = report(inv_a, subject)
    assess_expectedness(sponsor, expected, True)
    for ae in AdverseEvent.objects.all():
        kinds = {c.kind for c in event_clocks(ae, timezone.now(), clock_hours(subject.protocol_id))}
        assert kinds == {ClockKind.SAE_TO_SPONSOR}


def test_pregnancy_stops_the_study_drug_and_opens_a_follow_up(randomized, inv_a):
    subject = randomized("lenalidomide", "female", True)
    ae = report(inv_a, subject, term="Pregnancy", grade=1, seriousness=["medically_important"],
                special_interest=["pregnancy_patient"], causality={"lenalidomide": "not_related",
                                                                    "aspirin": "not_related"},
                action_taken="drug_withdrawn", outcome="not_recovered")
    stop = DoseChange.objects.get(subject=subject)
    assert stop.kind == "stop" and stop.adverse_event == ae and str(ae.pk) in stop.reason
    assert PregnancyFollowUp.objects.get(subject=subject).adverse_event == ae
    actions = set(AuditEvent.objects.filter(subject_code=subject.code).values_list("action", flat=True))
    assert {"adverse_event.report", "study_drug.stop", "pregnancy_follow_up.open"} <= actions


def test_only_the_investigator_reports(randomized, pharm_a):
    subject = randomized("lenalidomide", "female", True)
    with pytest.raises(ActionRefused) as refused:
        report(pharm_a, subject)
    assert refused.value.status == 403
