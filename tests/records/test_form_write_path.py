"""The one write path: validation, reason for change, complete/reopen/lock, audit in the same transaction."""

import pytest

from clasi_fill import scored_everywhere
from equipoise.records.actions.errors import ActionRefused
from equipoise.records.actions.forms import complete_form, lock_form, reopen_form, save_form
from equipoise.records.actions.subjects import create_subject
from equipoise.records.models import AuditEvent, FormRecord, FormRevision
from equipoise.records.roles import Role


@pytest.fixture
def subject(people, actor_of):
    return create_subject(actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN"), people["site_a"], "nct06965244")


def _inv(people, actor_of):
    return actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN")


def test_subject_code_is_site_code_and_sequence(people, actor_of, subject):
    second = create_subject(_inv(people, actor_of), people["site_a"], "nct06965244")
    assert subject.code == "TNN-0001" and second.code == "TNN-0002"
    assert AuditEvent.objects.filter(action="subject.create").count() == 2


def test_first_save_needs_no_reason_later_change_does(people, actor_of, subject):
    actor = _inv(people, actor_of)
    visit = subject.visits.get(visit_id="SCR")
    record = save_form(actor, subject, visit, "pain_itch_nrs" if False else "labs",
                       {"lab_date": "2026-01-05", "lab_neutrophils_g_l": 2.5})
    assert record.revision == 1
    with pytest.raises(ActionRefused) as refused:
        save_form(actor, subject, visit, "labs", {"lab_date": "2026-01-05", "lab_neutrophils_g_l": 2.0})
    assert "reason" in str(refused.value)
    assert FormRecord.objects.get(pk=record.pk).data["lab_neutrophils_g_l"] == 2.5
    changed = save_form(actor, subject, visit, "labs", {"lab_date": "2026-01-05", "lab_neutrophils_g_l": 2.0},
                        reason="transcription error")
    assert changed.revision == 2
    revision = FormRevision.objects.get(record=record, revision=2)
    assert revision.changes == {"lab_neutrophils_g_l": [2.5, 2.0]}
    event = AuditEvent.objects.filter(action="form.change").get()
    assert event.reason == "transcription error" and event.changes["lab_neutrophils_g_l"] == [2.5, 2.0]
    assert event.protocol_version.startswith("nct06965244 v")


@pytest.mark.parametrize("raw, field, rule", [
    ({"lab_neutrophils_g_l": "2"}, "lab_neutrophils_g_l", "type"),
    ({"lab_neutrophils_g_l": True}, "lab_neutrophils_g_l", "type"),
    ({"lab_neutrophils_g_l": 101}, "lab_neutrophils_g_l", "max"),
    ({"lab_platelets_g_l": -1}, "lab_platelets_g_l", "min"),
    ({"lab_date": "2026-13-01"}, "lab_date", "type"),
    ({"not_a_field": 1}, "not_a_field", "unknown_field"),
])
def test_bad_values_are_refused_and_change_nothing(people, actor_of, subject, raw, field, rule):
    visit = subject.visits.get(visit_id="SCR")
    before = AuditEvent.objects.count()
    with pytest.raises(ActionRefused) as refused:
        save_form(_inv(people, actor_of), subject, visit, "labs", raw)
    assert refused.value.errors[0].field == field and refused.value.errors[0].rule == rule
    assert not FormRecord.objects.exists() and AuditEvent.objects.count() == before


def test_cross_field_edit_check(people, actor_of, subject):
    visit = subject.visits.get(visit_id="SCR")
    with pytest.raises(ActionRefused) as refused:
        save_form(_inv(people, actor_of), subject, visit, "screening",
                  {"screening_date": "2026-01-05", "consent_date": "2026-01-09"})
    assert {e.field for e in refused.value.errors} == {"consent_date", "screening_date"}


def test_complete_reopen_and_lock(people, actor_of, subject):
    inv = _inv(people, actor_of)
    dm = actor_of(people["dm"], Role.DATA_MANAGER)
    visit = subject.visits.get(visit_id="SCR")
    record = save_form(inv, subject, visit, "labs", {"lab_date": "2026-01-05"})
    with pytest.raises(ActionRefused, match="required"):
        complete_form(inv, record)
    values = {"lab_date": "2026-01-05", "lab_neutrophils_g_l": 2.5, "lab_platelets_g_l": 200,
              "lab_creatinine_clearance_ml_min": 90, "lab_alt_x_uln": 1, "lab_ast_x_uln": 1}
    record = save_form(inv, subject, visit, "labs", values, reason="results arrived")
    record = complete_form(inv, record)
    with pytest.raises(ActionRefused, match="reopen"):
        save_form(inv, subject, visit, "labs", {**values, "lab_platelets_g_l": 210}, reason="x")
    with pytest.raises(ActionRefused, match="reason"):
        reopen_form(inv, record, "")
    with pytest.raises(ActionRefused, match="data manager"):
        lock_form(inv, record)
    record = lock_form(dm, record)
    with pytest.raises(ActionRefused) as refused:
        save_form(inv, subject, visit, "labs", {**values, "lab_platelets_g_l": 210}, reason="x")
    assert refused.value.status == 409
    with pytest.raises(ActionRefused, match="data manager"):
        reopen_form(inv, record, "need to fix")
    record = reopen_form(dm, record, "site asked to correct platelets")
    record = save_form(inv, subject, visit, "labs", {**values, "lab_platelets_g_l": 210}, reason="lab re-run")
    assert record.data["lab_platelets_g_l"] == 210


def test_blinded_assessor_enters_only_assessor_forms(people, actor_of, subject):
    assessor = actor_of(people["assessor_a"], Role.BLINDED_ASSESSOR, "TNN")
    visit = subject.visits.get(visit_id="SCR")
    with pytest.raises(ActionRefused) as refused:
        save_form(assessor, subject, visit, "labs", {"lab_date": "2026-01-05"})
    assert refused.value.status == 403


def test_clasi_totals_are_computed_on_the_server(people, actor_of, subject):
    assessor = actor_of(people["assessor_a"], Role.BLINDED_ASSESSOR, "TNN")
    visit = subject.visits.get(visit_id="SCR")
    record = save_form(assessor, subject, visit, "clasi", {"clasi_record": scored_everywhere({
        "regions": {"face": {"erythema": 3, "scale": 2, "dyspigmentation": 1, "scarring": 1}},
        "mucous_membrane": 1, "recent_hair_loss": 0, "nonscarring_alopecia": 0, "scarring_alopecia": 0,
        "dyspigmentation_12_months_or_more": True})})
    assert record.derived == {"clasi_a": 6, "clasi_d": 3}
    with pytest.raises(ActionRefused, match="erythema"):
        save_form(assessor, subject, visit, "clasi", {"clasi_record": {"regions": {"face": {"erythema": 4}}}},
                  reason="typo")


def test_audit_shows_derived_totals_old_and_new(people, actor_of, subject):
    assessor = actor_of(people["assessor_a"], Role.BLINDED_ASSESSOR, "TNN")
    visit = subject.visits.get(visit_id="SCR")
    save_form(assessor, subject, visit, "clasi", {"clasi_record": scored_everywhere({"regions": {"face": {"erythema": 2}}})})
    save_form(assessor, subject, visit, "clasi", {"clasi_record": scored_everywhere({"regions": {"face": {"erythema": 3}}})},
              reason="re-scored in daylight")
    first, second = AuditEvent.objects.filter(form_id="clasi").order_by("sequence")
    assert first.changes["derived.clasi_a"] == [None, 2]
    assert second.changes["derived.clasi_a"] == [2, 3] and "derived.clasi_d" not in second.changes
