"""Writers validate against the version in force as their process last read it; the audit append
confirms it under the chain-head lock, and a write under a superseded version is redone."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from equipoise.records.actions.errors import ActionRefused
from equipoise.records.actions.forms import save_form
from equipoise.records.actions.subjects import create_subject
from equipoise.records.audit import record_event, verify_ledger
from equipoise.records.models import AuditEvent, FormRecord, FormRevision, Visit
from equipoise.records.protocol_versions import (
    VersionSuperseded,
    current_version,
    store_protocol_version,
    version_in_force,
)
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


def amend(settings, tmp_path, name, old, new):
    """Store a new version whose labs form has `old` replaced by `new` (as another process would)."""
    return amend_from(settings.PROTOCOLS_DIR / "nct06965244", tmp_path / name, old, new)


def amend_from(source, where, old, new):
    amended = where / "nct06965244"
    shutil.copytree(source, amended)
    labs = amended / "forms" / "labs.yaml"
    assert old in labs.read_text()
    labs.write_text(labs.read_text().replace(old, new))
    version, created = store_protocol_version(amended)
    assert created
    return version


def test_a_save_under_a_superseded_version_is_redone_under_the_new_one(inv, subject, settings, tmp_path):
    save_form(inv, subject, unscheduled(subject, 1), "labs", LABS)
    assert version_in_force("nct06965244").number == 1
    v2 = amend(settings, tmp_path, "v2", "Sample date", "Date the sample was taken")
    record = save_form(inv, subject, unscheduled(subject, 2), "labs", LABS)
    assert record.protocol_version_id == v2.pk
    assert FormRecord.objects.get(pk=record.pk).protocol_version_id == v2.pk
    # The attempt under v1 left nothing behind: one revision and one event per saved record.
    assert FormRevision.objects.count() == 2
    events = AuditEvent.objects.filter(action="form.save").order_by("sequence")
    assert [e.protocol_version for e in events] == ["nct06965244 v1", "nct06965244 v2"]
    assert verify_ledger().intact


def test_a_refusal_under_the_old_rules_is_checked_against_the_new_ones(inv, subject, settings, tmp_path):
    save_form(inv, subject, unscheduled(subject, 1), "labs", LABS)
    high = {**LABS, "lab_platelets_g_l": 3000}
    with pytest.raises(ActionRefused):
        save_form(inv, subject, unscheduled(subject, 2), "labs", high)
    amend(settings, tmp_path, "v2", "min: 0, max: 2000", "min: 0, max: 5000")
    record = save_form(inv, subject, unscheduled(subject, 3), "labs", high)
    assert record.data["lab_platelets_g_l"] == 3000 and record.protocol_version.number == 2


def test_a_refusal_that_holds_under_the_version_in_force_stands(inv, subject):
    with pytest.raises(ActionRefused, match="lab_platelets_g_l"):
        save_form(inv, subject, unscheduled(subject, 1), "labs", {**LABS, "lab_platelets_g_l": 3000})
    assert not FormRecord.objects.exists()


def test_the_audit_append_refuses_a_superseded_version(inv, subject, settings, tmp_path):
    v1 = current_version("nct06965244")
    amend(settings, tmp_path, "v2", "Sample date", "Date the sample was taken")
    before = AuditEvent.objects.count()
    with pytest.raises(VersionSuperseded):
        record_event(inv, "test.event", "subject", subject.code, checked=v1)
    assert AuditEvent.objects.count() == before


def test_two_amendments_during_one_save_are_both_caught_up_with(inv, subject, settings, tmp_path, monkeypatch):
    from equipoise.records.actions import forms

    save_form(inv, subject, unscheduled(subject, 1), "labs", LABS)
    amendments = iter([("v2", "Sample date", "Date the sample was taken"),
                       ("v3", "Sample date", "Day the sample was drawn")])
    real = forms._save_form

    def amended_while_saving(*args):
        amendment = next(amendments, None)
        if amendment:  # loaded by another process while this attempt runs
            name, old, new = amendment
            amend_from(settings.PROTOCOLS_DIR / "nct06965244", tmp_path / name, old, new)
        return real(*args)

    monkeypatch.setattr(forms, "_save_form", amended_while_saving)
    record = save_form(inv, subject, unscheduled(subject, 2), "labs", LABS)
    assert record.protocol_version.number == 3
