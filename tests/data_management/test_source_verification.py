"""Source data verification: the monitor's, per form, its own state and audit events, undone by a change."""

from __future__ import annotations

import pytest
from django.utils import translation

from equipoise.records.actions.errors import ActionRefused
from equipoise.records.actions.forms import reopen_form, save_form
from equipoise.records.actions.source_verification import verify_source_data
from equipoise.records.models import AuditEvent, FormState, SourceVerification, VerificationState
from equipoise.records.roles import Role

from .conftest import LABS


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def labs(trial):
    first = trial["first"]
    return first.form_records.get(visit__visit_id="W0", form_id="labs")


def test_the_monitor_verifies_a_complete_form(labs, monitor):
    verification = verify_source_data(monitor, labs)
    assert verification.state == VerificationState.VERIFIED and verification.revision == labs.revision
    assert verification.verified_by.username == "monitor"
    labs.refresh_from_db()
    assert labs.state == FormState.COMPLETE  # the form's own state is not touched
    event = AuditEvent.objects.get(action="form.source_verify")
    assert (event.username, event.role, event.subject_code, event.form_id, event.site_code) == (
        "monitor", "monitor", labs.subject.code, "labs", "TNN")
    assert event.changes == {"verification": ["not_verified", "verified"], "revision": [None, labs.revision]}


def test_verifying_twice_the_same_values_is_refused(labs, monitor):
    verify_source_data(monitor, labs)
    with pytest.raises(ActionRefused, match="already verified") as refused:
        verify_source_data(monitor, labs)
    assert refused.value.status == 409
    assert AuditEvent.objects.filter(action="form.source_verify").count() == 1


def test_a_draft_is_not_verified(trial, monitor):
    with pytest.raises(ActionRefused, match="draft") as refused:
        verify_source_data(monitor, trial["draft"])
    assert refused.value.status == 409
    assert not SourceVerification.objects.exists()


@pytest.mark.parametrize("name, role", [("dm", Role.DATA_MANAGER), ("inv_a", Role.INVESTIGATOR),
                                        ("sponsor", Role.SPONSOR_ADMIN)])
def test_only_the_monitor_verifies(labs, people, actor_of, name, role):
    with pytest.raises(ActionRefused) as refused:
        verify_source_data(actor_of(people[name], role, "TNN"), labs)
    assert refused.value.status == 403
    assert not SourceVerification.objects.exists() and not AuditEvent.objects.filter(
        action="form.source_verify").exists()


def test_a_change_of_the_values_undoes_the_verification_in_the_same_transaction(labs, monitor, dm, inv_a):
    verify_source_data(monitor, labs)
    labs = reopen_form(dm, labs, "platelets transcribed wrongly")
    verification = SourceVerification.objects.get(record=labs)
    assert verification.state == VerificationState.VERIFIED  # reopening alone changes no value
    changed = save_form(inv_a, labs.subject, labs.visit, "labs", {**LABS, "lab_platelets_g_l": 201},
                        reason="transcription error")
    verification.refresh_from_db()
    assert verification.state == VerificationState.NOT_VERIFIED
    assert (verification.revision, verification.invalidated_by_revision) == (labs.revision, changed.revision)
    event = AuditEvent.objects.get(action="form.source_verification_invalidate")
    assert event.username == "inv_a" and event.changes["verification"] == ["verified", "not_verified"]
    assert "lab_platelets_g_l" in event.reason
    save_order = list(AuditEvent.objects.filter(object_id=str(labs.pk)).values_list("action", flat=True))
    assert save_order[-2:] == ["form.change", "form.source_verification_invalidate"]


def test_a_changed_form_is_verified_again_on_its_new_values(labs, monitor, dm, inv_a):
    from equipoise.records.actions.forms import complete_form

    verify_source_data(monitor, labs)
    labs = reopen_form(dm, labs, "platelets transcribed wrongly")
    changed = complete_form(inv_a, save_form(inv_a, labs.subject, labs.visit, "labs",
                                             {**LABS, "lab_platelets_g_l": 201}, reason="transcription error"))
    again = verify_source_data(monitor, changed)
    assert again.state == VerificationState.VERIFIED and again.revision == changed.revision
    assert again.invalidated_at is None
    assert AuditEvent.objects.filter(action="form.source_verify").count() == 2


def test_a_locked_form_can_be_verified(labs, monitor, dm):
    from equipoise.records.actions.data_lock import lock_visit

    lock_visit(dm, labs.visit)
    labs.refresh_from_db()
    assert verify_source_data(monitor, labs).state == VerificationState.VERIFIED
