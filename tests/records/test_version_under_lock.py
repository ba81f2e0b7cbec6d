"""A write is judged by the protocol version in force when it takes the chain-head lock.

Every action takes the chain-head lock first and only then reads the version in force; an
amendment (`store_protocol_version`) takes the same lock. So an amendment committed while a save
waits for that lock is the version the save validates against and records.
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
import time

import pytest
from django.db import connection, connections

from equipoise.records import protocol_versions
from equipoise.records.actions.forms import save_form
from equipoise.records.actions.subjects import create_subject
from equipoise.records.audit import verify_ledger
from equipoise.records.models import AuditEvent, FormRecord, FormRevision, Visit
from equipoise.records.protocol_versions import current_version, store_protocol_version
from equipoise.records.roles import Role

LABS = {"lab_date": "2026-01-05", "lab_neutrophils_g_l": 3.1, "lab_platelets_g_l": 250,
        "lab_creatinine_clearance_ml_min": 90, "lab_alt_x_uln": 0.8, "lab_ast_x_uln": 0.9}


@pytest.fixture
def inv(people, actor_of):
    return actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN")


@pytest.fixture
def subject(inv, people):
    return create_subject(inv, people["site_a"], "nct06965244")


def unscheduled(subject, n):
    return Visit.objects.create(subject=subject, visit_id="U", scheduled=False, sequence=100 + n,
                                target_date=dt.date(2026, 1, 5))


def amended_copy(settings, where, old, new):
    """The protocol directory with the labs form's text `old` replaced by `new`."""
    amended = where / "nct06965244"
    shutil.copytree(settings.PROTOCOLS_DIR / "nct06965244", amended)
    labs = amended / "forms" / "labs.yaml"
    assert old in labs.read_text()
    labs.write_text(labs.read_text().replace(old, new))
    return amended


def test_a_save_after_an_amendment_is_validated_and_recorded_under_it(inv, subject, settings, tmp_path):
    high = {**LABS, "lab_platelets_g_l": 3000}
    with pytest.raises(Exception, match="lab_platelets_g_l"):
        save_form(inv, subject, unscheduled(subject, 1), "labs", high)
    v2, created = store_protocol_version(amended_copy(settings, tmp_path, "min: 0, max: 2000", "min: 0, max: 5000"))
    assert created
    record = save_form(inv, subject, unscheduled(subject, 2), "labs", high)
    assert record.protocol_version == v2 and record.data["lab_platelets_g_l"] == 3000
    event = AuditEvent.objects.get(action="form.save", object_id=str(record.pk))
    assert event.protocol_version == "nct06965244 v2"


def test_an_amendment_is_audited_once_and_a_reload_changes_nothing(settings, tmp_path, protocol_version):
    before = AuditEvent.objects.count()
    v2, created = store_protocol_version(amended_copy(settings, tmp_path, "Sample date", "Date of the sample"))
    again, created_again = store_protocol_version(tmp_path / "nct06965244")
    assert created and not created_again and again == v2
    event = AuditEvent.objects.get(action="protocol.version_load", object_id=str(v2.pk))
    assert event.changes["number"] == [1, 2] and event.protocol_version == "nct06965244 v2"
    assert AuditEvent.objects.count() == before + 1 and verify_ledger().intact


def _lock_waiters() -> int:
    """Sessions of this database waiting for a row lock (read on a connection of its own)."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_an_amendment_committed_while_a_save_waits_for_the_lock_is_the_version_it_records(
        inv, subject, settings, tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes its write lock at BEGIN (IMMEDIATE transactions), so a waiting save has read "
                    "nothing yet; and the test database is an in-memory shared cache, where a second writer "
                    "fails at once instead of waiting. The single-connection test above covers the order there.")
    visit = unscheduled(subject, 1)
    amended = amended_copy(settings, tmp_path, "Sample date", "Date of the sample")
    holding, release = threading.Event(), threading.Event()
    real_record_event = protocol_versions.record_event

    def record_then_hold(*args, **kwargs):
        # Inside the amendment's transaction, its new version written and the head locked: hold
        # the lock until the save is waiting for it.
        event = real_record_event(*args, **kwargs)
        holding.set()
        assert release.wait(20)
        return event

    monkeypatch.setattr(protocol_versions, "record_event", record_then_hold)
    results: dict = {}

    def amend():
        try:
            results["amendment"] = store_protocol_version(amended)[0]
        finally:
            connections.close_all()

    def save():
        try:
            assert holding.wait(20)
            results["record"] = save_form(inv, subject, visit, "labs", LABS)
        except Exception as exc:  # reported below, in the test's thread
            results["error"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=amend), threading.Thread(target=save)]
    for thread in threads:
        thread.start()
    assert holding.wait(20)
    deadline = time.monotonic() + 20
    while _lock_waiters() < 1:  # the save is blocked on the chain-head lock
        assert time.monotonic() < deadline, "the save never waited for the chain-head lock"
        time.sleep(0.02)
    assert "record" not in results  # still waiting: the amendment has not committed
    release.set()
    for thread in threads:
        thread.join(30)
    assert "error" not in results, results.get("error")
    v2 = results["amendment"]
    assert v2.number == 2 and current_version("nct06965244") == v2
    record = FormRecord.objects.get(pk=results["record"].pk)
    assert record.protocol_version == v2
    assert FormRevision.objects.get(record=record).protocol_version == v2
    event = AuditEvent.objects.get(action="form.save", object_id=str(record.pk))
    assert event.protocol_version == "nct06965244 v2"
    load = AuditEvent.objects.get(action="protocol.version_load", object_id=str(v2.pk))
    assert load.sequence < event.sequence and verify_ledger().intact
