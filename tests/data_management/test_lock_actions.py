"""Locking and unlocking by visit, subject and site: what is locked, what refuses, what is audited."""

from __future__ import annotations

import pytest
from django.utils import translation

from equipoise.records.actions import data_lock
from equipoise.records.actions.errors import ActionRefused
from equipoise.records.actions.forms import complete_form, lock_form, save_form
from equipoise.records.models import AuditEvent, FormRecord, FormState
from equipoise.records.roles import Role

from .conftest import LABS


@pytest.fixture(autouse=True)
def english():
    """Refusals are read in English here (French is the default); the French is checked once below."""
    with translation.override("en"):
        yield


def states(subject) -> dict[tuple[str, str], str]:
    return {(r.visit.visit_id, r.form_id): r.state
            for r in FormRecord.objects.filter(subject=subject).select_related("visit")}


def test_locking_a_visit_locks_its_complete_forms_only(trial, dm):
    first = trial["first"]
    done = data_lock.lock_visit(dm, first.visits.get(visit_id="W0"))
    assert done.count == 2
    assert states(first) == {("SCR", "labs"): FormState.COMPLETE, ("SCR", "screening"): FormState.COMPLETE,
                             ("W0", "labs"): FormState.LOCKED, ("W0", "steroid_dose"): FormState.LOCKED}
    events = list(AuditEvent.objects.filter(action="form.lock").order_by("sequence"))
    assert [(e.subject_code, e.form_id) for e in events] == [(first.code, "labs"), (first.code, "steroid_dose")]
    assert all(e.username == "dm" and e.role == "data_manager" and e.site_code == "TNN" for e in events)
    assert events[0].changes == {"state": ["complete", "locked"], "with_visit": [None, f"{first.code} W0"]}
    assert done.scope.name == f"{first.code} · Randomization (week 0)"


def test_locked_forms_refuse_changes(trial, dm, inv_a):
    first = trial["first"]
    data_lock.lock_visit(dm, first.visits.get(visit_id="W0"))
    with pytest.raises(ActionRefused) as refused:
        save_form(inv_a, first, first.visits.get(visit_id="W0"), "labs", {**LABS, "lab_platelets_g_l": 190},
                  reason="re-run")
    assert refused.value.status == 409


def test_locking_a_subject_locks_every_visit(trial, dm):
    first = trial["first"]
    assert data_lock.lock_subject(dm, first).count == 4
    assert set(states(first).values()) == {FormState.LOCKED}
    assert set(states(trial["second"]).values()) == {FormState.COMPLETE, FormState.DRAFT}  # untouched


def test_a_draft_blocks_the_lock_and_the_refusal_names_it(trial, dm):
    second = trial["second"]
    before = AuditEvent.objects.count()
    with translation.override("en"), pytest.raises(ActionRefused) as refused:
        data_lock.lock_subject(dm, second)
    assert refused.value.status == 409
    assert "Nothing was locked" in refused.value.message and "1 form" in refused.value.message
    assert f"{second.code} · Randomization (week 0) · " in refused.value.message  # visit and form by name
    assert [e.value for e in refused.value.errors] == [trial["draft"].pk]
    assert states(second)[("SCR", "labs")] == FormState.COMPLETE  # nothing locked, not even the complete one
    assert AuditEvent.objects.count() == before
    with translation.override("fr"), pytest.raises(ActionRefused) as refused:
        data_lock.lock_subject(dm, second)
    assert "Rien n'a été verrouillé" in refused.value.message and "Randomisation (semaine 0)" in refused.value.message


def test_locking_a_site_is_refused_while_one_of_its_forms_is_in_draft(trial, dm, inv_a, people):
    with pytest.raises(ActionRefused, match="draft"):
        data_lock.lock_site(dm, people["site_a"])
    assert not FormRecord.objects.filter(state=FormState.LOCKED).exists()
    complete_form(inv_a, trial["draft"])
    assert data_lock.lock_site(dm, people["site_a"]).count == 7
    assert set(states(trial["other"]).values()) == {FormState.COMPLETE}  # the other site is untouched
    assert AuditEvent.objects.filter(action="form.lock").count() == 7


def test_nothing_to_lock_is_refused(trial, dm):
    first = trial["first"]
    data_lock.lock_subject(dm, first)
    with pytest.raises(ActionRefused, match="Nothing to lock") as refused:
        data_lock.lock_subject(dm, first)
    assert refused.value.status == 409


@pytest.mark.parametrize("name, role", [("inv_a", Role.INVESTIGATOR), ("monitor", Role.MONITOR),
                                        ("sponsor", Role.SPONSOR_ADMIN), ("pharm_a", Role.PHARMACIST)])
def test_only_the_data_manager_locks_and_unlocks(trial, dm, people, actor_of, name, role):
    first = trial["first"]
    actor = actor_of(people[name], role, "TNN")
    with pytest.raises(ActionRefused) as refused:
        data_lock.lock_subject(actor, first)
    assert refused.value.status == 403
    data_lock.lock_subject(dm, first)
    with pytest.raises(ActionRefused) as refused:
        data_lock.unlock_subject(actor, first, "correction asked by the site")
    assert refused.value.status == 403
    assert set(states(first).values()) == {FormState.LOCKED}


def test_unlocking_needs_a_reason_and_puts_forms_back_to_complete(trial, dm):
    first = trial["first"]
    data_lock.lock_subject(dm, first)
    with pytest.raises(ActionRefused) as refused:
        data_lock.unlock_visit(dm, first.visits.get(visit_id="W0"), "  ")
    assert refused.value.errors[0].field == "reason"
    assert set(states(first).values()) == {FormState.LOCKED}
    done = data_lock.unlock_visit(dm, first.visits.get(visit_id="W0"), "platelets re-run by the lab")
    assert done.count == 2
    assert states(first) == {("SCR", "labs"): FormState.LOCKED, ("SCR", "screening"): FormState.LOCKED,
                             ("W0", "labs"): FormState.COMPLETE, ("W0", "steroid_dose"): FormState.COMPLETE}
    events = AuditEvent.objects.filter(action="form.unlock")
    assert events.count() == 2
    assert {e.reason for e in events} == {"platelets re-run by the lab"}
    assert {tuple(e.changes["state"]) for e in events} == {("locked", "complete")}


def test_unlocking_a_site_and_nothing_to_unlock(trial, dm, people):
    with pytest.raises(ActionRefused, match="Nothing to unlock"):
        data_lock.unlock_site(dm, people["site_b"], "no reason needed yet")
    data_lock.lock_site(dm, people["site_b"])
    assert data_lock.unlock_site(dm, people["site_b"], "monitoring visit found a transcription error").count == 2
    assert set(states(trial["other"]).values()) == {FormState.COMPLETE}


def test_the_single_form_lock_refuses_a_draft(trial, dm):
    with pytest.raises(ActionRefused, match="draft") as refused:
        lock_form(dm, trial["draft"])
    assert refused.value.status == 409


def test_lock_is_its_own_transaction(trial, dm):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        data_lock.lock_subject(dm, trial["first"])
