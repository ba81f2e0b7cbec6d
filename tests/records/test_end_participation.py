"""The end of a patient's participation, with every real outcome (issue 13 item 10): recorded with
date and reason, audited, counted; a death opens its serious adverse event when none is recorded."""

import datetime as dt

import pytest
from django.test import Client

from equipoise.records.actions.errors import ActionRefused
from equipoise.records.actions.subjects import create_subject, end_participation
from equipoise.records.models import AuditEvent, Subject, SubjectStatus
from equipoise.records.roles import Role


@pytest.fixture
def randomized(people, actor_of):
    subject = create_subject(actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN"), people["site_a"], "nct06965244")
    Subject.objects.filter(pk=subject.pk).update(status=SubjectStatus.RANDOMIZED)  # allocation is tested elsewhere
    subject.refresh_from_db()
    return subject


def test_withdrawal_is_recorded_and_audited(people, actor_of, randomized):
    inv = actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN")
    end_participation(inv, randomized, "withdrew_consent", dt.date(2026, 5, 4), "consent withdrawn by the patient")
    randomized.refresh_from_db()
    assert randomized.status == "withdrawn" and randomized.participation_ended_on == dt.date(2026, 5, 4)
    assert randomized.end_outcome == "withdrew_consent"
    event = AuditEvent.objects.get(action="subject.end_participation")
    assert event.changes["status"] == ["randomized", "withdrawn"] and event.reason == "consent withdrawn by the patient"
    assert event.changes["end_outcome"] == [None, "withdrew_consent"]


@pytest.mark.parametrize("outcome, status", [
    ("completed", "completed"), ("withdrew_consent", "withdrawn"), ("investigator_decision", "withdrawn"),
    ("lost_to_follow_up", "lost_to_follow_up"), ("death", "died"),
])
def test_every_real_outcome_of_a_randomized_patient(people, actor_of, randomized, outcome, status):
    inv = actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN")
    end_participation(inv, randomized, outcome, dt.date(2026, 5, 4), "" if outcome == "completed" else "stated")
    randomized.refresh_from_db()
    assert (randomized.status, randomized.end_outcome) == (status, outcome)


def test_a_patient_in_screening_declines_or_leaves_but_cannot_complete(people, actor_of):
    inv = actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN")
    screening = create_subject(inv, people["site_a"], "nct06965244")
    with pytest.raises(ActionRefused) as refused:
        end_participation(inv, screening, "completed", dt.date(2026, 5, 4), "")
    assert refused.value.status == 409
    end_participation(inv, screening, "declined", dt.date(2026, 5, 4), "does not want a monthly pregnancy test")
    screening.refresh_from_db()
    assert (screening.status, screening.end_outcome) == ("withdrawn", "declined")


@pytest.mark.parametrize("outcome, ended_on, reason, field", [
    ("moved_away", dt.date(2026, 5, 4), "x", "outcome"),
    ("lost_to_follow_up", dt.date(2999, 1, 1), "no answer to calls", "ended_on"),
    ("lost_to_follow_up", dt.date(2026, 5, 4), "  ", "reason"),
])
def test_bad_input_is_refused_and_changes_nothing(people, actor_of, randomized, outcome, ended_on, reason, field):
    inv = actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN")
    with pytest.raises(ActionRefused) as refused:
        end_participation(inv, randomized, outcome, ended_on, reason)
    assert refused.value.errors[0].field == field
    randomized.refresh_from_db()
    assert randomized.status == "randomized" and not AuditEvent.objects.filter(action="subject.end_participation")


def test_only_an_investigator_of_a_randomized_patient(people, actor_of, randomized):
    with pytest.raises(ActionRefused) as refused:
        end_participation(actor_of(people["monitor"], Role.MONITOR), randomized, "withdrew_consent", dt.date(2026, 5, 4),
                          "x")
    assert refused.value.status == 403
    inv = actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN")
    end_participation(inv, randomized, "lost_to_follow_up", dt.date(2026, 5, 4), "no answer to three calls")
    with pytest.raises(ActionRefused) as again:
        end_participation(inv, randomized, "withdrew_consent", dt.date(2026, 5, 5), "x")
    assert again.value.status == 409


def test_page_records_it_and_other_site_cannot(people, randomized):
    other = Client()
    other.force_login(people["inv_b"])
    data = {"outcome": "lost_to_follow_up", "ended_on": "2026-05-04", "reason": "no answer to calls", "confirm": "yes"}
    assert other.post(f"/subjects/{randomized.code}/end-participation/", data).status_code == 404
    monitor = Client()
    monitor.force_login(people["monitor"])
    assert monitor.post(f"/subjects/{randomized.code}/end-participation/", data).status_code == 403
    own = Client()
    own.force_login(people["inv_a"])
    assert own.post(f"/subjects/{randomized.code}/end-participation/", data).status_code == 302
    randomized.refresh_from_db()
    assert randomized.status == "lost_to_follow_up"
