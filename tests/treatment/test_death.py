"""A death ends participation and opens its serious adverse event when none is recorded (issue 13 item 10)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from equipoise.records.actions.errors import ActionRefused
from equipoise.records.models import AuditEvent
from equipoise.treatment.actions.adverse_events import report_adverse_event
from equipoise.treatment.actions.death import record_death
from equipoise.treatment.models import AdverseEvent

from .conftest import today


def test_death_without_an_sae_opens_one_with_its_clock(randomized, inv_a):
    subject = randomized("lenalidomide")
    died = today() - dt.timedelta(days=1)
    ended, event, opened = record_death(inv_a, subject, died, "sudden cardiac arrest", "not_related")
    assert opened and ended.status == "died" and ended.end_outcome == "death"
    assert (event.grade, event.outcome, event.seriousness, event.term) == (5, "fatal", ["death"], "sudden cardiac arrest")
    assert event.causality == {"lenalidomide": "not_related", "aspirin": "not_related"}
    assert event.site_aware_at is not None
    assert AuditEvent.objects.filter(subject_code=subject.code, action="subject.end_participation").count() == 1


def test_death_with_an_sae_already_recorded_opens_no_second_one(randomized, inv_a):
    subject = randomized("methotrexate")
    died = today() - dt.timedelta(days=2)
    report_adverse_event(inv_a, subject, term="Septic shock", onset_date=died, grade=5, seriousness=["death"],
                         site_aware_at=timezone.now(), causality={"methotrexate": "related", "folic_acid": "not_related"},
                         action_taken="drug_withdrawn", outcome="fatal")
    _, event, opened = record_death(inv_a, subject, died, "septic shock", "")
    assert not opened and event.term == "Septic shock"
    assert AdverseEvent.objects.filter(subject=subject).count() == 1


def test_death_needs_a_causality_answer_and_changes_nothing_without_it(randomized, inv_a):
    subject = randomized("lenalidomide")
    with pytest.raises(ActionRefused) as refused:
        record_death(inv_a, subject, today(), "stroke", "maybe")
    assert refused.value.errors[0].field == "causality"
    subject.refresh_from_db()
    assert subject.status == "randomized" and not AdverseEvent.objects.filter(subject=subject).exists()


def test_death_from_the_subject_page(randomized, people):
    subject = randomized("lenalidomide")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(people["inv_a"])
    page = client.get(f"/subjects/{subject.code}/").content.decode()
    for outcome in ("completed", "withdrew_consent", "investigator_decision", "lost_to_follow_up", "death"):
        assert f'<option value="{outcome}">' in page
    response = client.post(f"/subjects/{subject.code}/end-participation/", {
        "outcome": "death", "ended_on": today().isoformat(), "reason": "pulmonary embolism", "causality": "related",
        "confirm": "yes"},
        follow=True)
    assert "serious adverse event was opened" in response.content.decode()
    assert AdverseEvent.objects.get(subject=subject).seriousness == ["death"]
