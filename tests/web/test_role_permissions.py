"""One table decides what each role may do; the buttons and the actions both ask it.

For each role: the page offers the button exactly when the action accepts the write.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from equipoise.allocation.actions.unblinding import emergency_unblind
from equipoise.records.access import Rights
from equipoise.records.actions.eligibility import assess_eligibility
from equipoise.records.actions.errors import ActionRefused
from equipoise.records.actions.forms import complete_form, lock_form, reopen_form, save_form
from equipoise.records.actions.subjects import create_subject
from equipoise.records.models import FormRecord, FormState, Membership
from equipoise.records.permissions import ALLOWED, Do, may
from equipoise.records.roles import Role

PASSWORD = "correct-horse-battery"
LABS = {"lab_date": "2026-01-05", "lab_neutrophils_g_l": 3.1, "lab_platelets_g_l": 210,
        "lab_creatinine_clearance_ml_min": 95, "lab_alt_x_uln": 0.8, "lab_ast_x_uln": 0.7}
SITE_ROLES = {"inv_a": Role.INVESTIGATOR, "pharm_a": Role.PHARMACIST, "assessor_a": Role.BLINDED_ASSESSOR}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def subject(people, actor_of):
    return create_subject(actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN"), people["site_a"], "nct06965244")


def allocate(subject, people, arm="methotrexate"):
    """Allocation row set up directly (test setup; the application allocates through randomize)."""
    from equipoise.allocation.models import Allocation, ListSlot, RandomizationList
    from equipoise.records.models import SubjectStatus
    from equipoise.records.protocol_versions import current_version

    version = current_version("nct06965244")
    rlist = RandomizationList.objects.create(protocol_version=version, sha256="0" * 64, loaded_at=timezone.now(),
                                             loaded_by=people["stat"])
    slot = ListSlot.objects.create(rlist=rlist, stratum="test", position=1, block=1, block_size=2, arm=arm,
                                   used_at=timezone.now(), subject=subject)
    Allocation.objects.create(subject=subject, slot=slot, number="R-TNN-0001", arm=arm, stratum="test",
                              allocated_at=timezone.now(), user=people["inv_a"], protocol_version=version)
    subject.status = SubjectStatus.RANDOMIZED
    subject.save(update_fields=["status"])


def test_the_table_names_a_role_for_everything():
    assert set(ALLOWED) == set(Do) and all(ALLOWED.values())
    assert may(Rights(frozenset({Role.PHARMACIST, Role.INVESTIGATOR})), Do.CREATE_SUBJECT)
    assert not may("pharmacist", Do.CREATE_SUBJECT) and not may(Role.BLINDED_ASSESSOR, Do.SCREEN_SUBJECT)


@pytest.mark.parametrize(("name", "allowed"), [("inv_a", True), ("pharm_a", False), ("assessor_a", False)])
def test_only_the_investigator_creates_subjects_button_and_action(people, actor_of, name, allowed):
    client = client_for(people[name])
    page = client.get("/subjects/").content.decode()  # the subject list (the home page is "/")
    assert ('action="/subjects/new/"' in page) is allowed
    response = client.post("/subjects/new/", {"site": "TNN"})
    assert response.status_code == (302 if allowed else 403)
    if not allowed:
        with pytest.raises(ActionRefused) as refused:
            create_subject(actor_of(people[name], SITE_ROLES[name], "TNN"), people["site_a"], "nct06965244")
        assert refused.value.status == 403


@pytest.mark.parametrize(("name", "allowed"), [("inv_a", True), ("pharm_a", False), ("assessor_a", False)])
def test_only_the_investigator_screens_button_and_action(people, actor_of, subject, name, allowed):
    client = client_for(people[name])
    page = client.get(f"/subjects/{subject.code}/eligibility/").content.decode()
    assert ('name="action" value="assess"' in page) is allowed
    scr = subject.visits.get(visit_id="SCR")
    form_url = f"/subjects/{subject.code}/visits/{scr.pk}/forms/screening/"
    form_page = client.get(form_url)
    if name == "assessor_a":
        assert form_page.status_code == 404  # not one of the assessor's forms at all
    else:
        assert ('id="record-form"' in form_page.content.decode() and
                'type="submit"' in form_page.content.decode()) is allowed
    actor = actor_of(people[name], SITE_ROLES[name], "TNN")
    if allowed:
        assert client.post(form_url, {"sex": "female"}).status_code == 302
        assess_eligibility(actor, subject, "screening")
    else:
        assert client.post(form_url, {"sex": "female"}).status_code in (403, 404)
        assert client.post(f"/subjects/{subject.code}/eligibility/", {"action": "assess"}).status_code == 403
        for run in (lambda: assess_eligibility(actor, subject, "screening"),
                    lambda: save_form(actor, subject, scr, "screening", {"sex": "female"})):
            with pytest.raises(ActionRefused) as refused:
                run()
            assert refused.value.status == 403
        assert not FormRecord.objects.filter(visit=scr, form_id="screening").exists()


def test_the_assessor_is_not_offered_emergency_unblinding_the_treating_investigator_is(people, actor_of, subject):
    allocate(subject, people)
    assessor = client_for(people["assessor_a"])
    page = assessor.get(f"/subjects/{subject.code}/").content.decode()
    assert "/unblind/" not in page
    assert assessor.get(f"/subjects/{subject.code}/unblind/").status_code == 403
    with pytest.raises(ActionRefused) as refused:
        emergency_unblind(actor_of(people["assessor_a"], Role.BLINDED_ASSESSOR, "TNN"),
                          Rights(frozenset({Role.BLINDED_ASSESSOR})), subject, "patient in intensive care", PASSWORD)
    assert refused.value.status == 403
    # A treating investigator who is kept blind (also holds the assessor role here) is offered it.
    Membership.objects.create(user=people["assessor_a"], site=people["site_a"], role=Role.INVESTIGATOR.value)
    page = assessor.get(f"/subjects/{subject.code}/").content.decode()
    assert f"/subjects/{subject.code}/unblind/" in page
    assert assessor.get(f"/subjects/{subject.code}/unblind/").status_code == 200


@pytest.mark.parametrize(("name", "reopen", "lock"), [
    ("monitor", False, False), ("dm", True, False), ("inv_a", False, False)])
def test_nobody_sees_a_button_their_role_is_refused_on_a_locked_form(people, actor_of, subject, name, reopen, lock):
    inv = actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN")
    scr = subject.visits.get(visit_id="SCR")
    record = complete_form(inv, save_form(inv, subject, scr, "labs", LABS))
    record = lock_form(actor_of(people["dm"], Role.DATA_MANAGER), record)
    url = f"/subjects/{subject.code}/visits/{scr.pk}/forms/labs/"
    page = client_for(people[name]).get(url).content.decode()
    assert ('/reopen/"' in page) is reopen
    assert ('/lock/"' in page) is lock
    role = {"monitor": Role.MONITOR, "dm": Role.DATA_MANAGER, "inv_a": Role.INVESTIGATOR}[name]
    if not reopen:
        with pytest.raises(ActionRefused) as refused:
            reopen_form(actor_of(people[name], role, "TNN"), record, "typo in the date")
        assert refused.value.status == 403
        client_for(people[name]).post(url + "reopen/", {"reason": "typo in the date"})
        record.refresh_from_db()
        assert record.state == FormState.LOCKED
    else:
        assert reopen_form(actor_of(people[name], role), record, "typo in the date").state == FormState.DRAFT


def test_a_monitor_sees_no_lock_on_a_complete_form_the_data_manager_does(people, actor_of, subject):
    inv = actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN")
    scr = subject.visits.get(visit_id="SCR")
    complete_form(inv, save_form(inv, subject, scr, "labs", LABS))
    url = f"/subjects/{subject.code}/visits/{scr.pk}/forms/labs/"
    assert '/lock/"' not in client_for(people["monitor"]).get(url).content.decode()
    assert '/lock/"' in client_for(people["dm"]).get(url).content.decode()
    assert '/reopen/"' not in client_for(people["monitor"]).get(url).content.decode()


def test_end_of_participation_is_offered_to_the_investigator_only(people, subject):
    allocate(subject, people)
    for name, offered in (("inv_a", True), ("pharm_a", False), ("monitor", False)):
        page = client_for(people[name]).get(f"/subjects/{subject.code}/").content.decode()
        assert ('id="end-participation"' in page) is offered, name
