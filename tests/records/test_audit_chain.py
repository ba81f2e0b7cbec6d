"""The audit trail is append-only and its hash chain catches edited, deleted and reordered rows."""

import pytest
from django.db import connection

from equipoise.records.actions.forms import save_form
from equipoise.records.actions.subjects import create_subject
from equipoise.records.audit import verify_ledger
from equipoise.records.audit_chain import GENESIS, event_hash, verify_chain
from equipoise.records.models import AuditEvent
from equipoise.records.roles import Role


def _chain(n):
    events, prev = [], GENESIS
    for i in range(1, n + 1):
        e = {"sequence": i, "at": f"2026-01-0{i}T00:00:00+00:00", "username": "u", "role": "investigator",
             "site_code": "TNN", "action": "form.save", "object_type": "form_record", "object_id": str(i),
             "subject_code": "TNN-0001", "form_id": "labs", "changes": {"x": [None, i]}, "reason": "",
             "protocol_version": "p v1", "request_id": "r", "prev_hash": prev}
        e["hash"] = prev = event_hash(prev, e)
        events.append(e)
    return events


def test_pure_chain_detects_each_kind_of_tampering():
    events = _chain(5)
    assert verify_chain(events, 5, events[-1]["hash"]).intact
    edited = [dict(e) for e in events]
    edited[2]["changes"] = {"x": [None, 99]}
    assert verify_chain(edited).first_bad_sequence == 3
    deleted = events[:2] + events[3:]
    assert verify_chain(deleted).first_bad_sequence == 3
    reordered = [events[0], events[2], events[1], events[3], events[4]]
    assert verify_chain(reordered).first_bad_sequence == 2
    truncated = events[:4]
    report = verify_chain(truncated, 5, events[-1]["hash"])
    assert not report.intact and report.first_bad_sequence == 5


@pytest.fixture
def ledger(people, actor_of):
    actor = actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN")
    subject = create_subject(actor, people["site_a"], "nct06965244")
    visit = subject.visits.get(visit_id="SCR")
    save_form(actor, subject, visit, "labs", {"lab_date": "2026-01-05", "lab_neutrophils_g_l": 2.5})
    save_form(actor, subject, visit, "labs", {"lab_date": "2026-01-05", "lab_neutrophils_g_l": 3.0}, reason="typo")
    create_subject(actor, people["site_a"], "nct06965244")
    return list(AuditEvent.objects.order_by("sequence"))


def test_ledger_intact(ledger):
    report = verify_ledger()
    # The protocol load that opens the trial is the first event.
    assert ledger[0].action == "protocol.version_load" and ledger[0].protocol_version == "nct06965244 v1"
    assert report.intact and report.count == len(ledger) == 5
    assert str(report) == "5 events, chain intact"


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_edited_row_in_database_is_caught(ledger):
    _raw("UPDATE records_auditevent SET reason = %s WHERE sequence = %s", ["nothing to see", 3])
    report = verify_ledger()
    assert not report.intact and report.first_bad_sequence == 3


def test_deleted_row_in_database_is_caught(ledger):
    _raw("DELETE FROM records_auditevent WHERE sequence = %s", [2])
    assert verify_ledger().first_bad_sequence == 2


def test_deleted_newest_row_is_caught(ledger):
    _raw("DELETE FROM records_auditevent WHERE sequence = %s", [5])
    report = verify_ledger()
    assert not report.intact and report.first_bad_sequence == 5


def test_reordered_rows_are_caught(ledger):
    _raw("UPDATE records_auditevent SET sequence = %s WHERE sequence = %s", [-2, 2])
    _raw("UPDATE records_auditevent SET sequence = %s WHERE sequence = %s", [2, 3])
    _raw("UPDATE records_auditevent SET sequence = %s WHERE sequence = %s", [3, -2])
    assert not verify_ledger().intact
