"""Emergency unblinding: re-authentication, a reason, the ledger, the sponsor told, the arm shown once."""

import pytest
from django.test import Client

from equipoise.allocation.actions.randomize import randomize_subject
from equipoise.allocation.models import UnblindingEvent
from equipoise.records.models import AuditEvent

PASSWORD = "correct-horse-battery"  # the personas of tests/conftest.py

REASON = "anaphylaxis in the emergency room, treatment depends on the drug"


@pytest.fixture
def allocated(active_list, make_eligible, inv_a):
    subject = make_eligible()
    allocation, _ = randomize_subject(inv_a, subject)
    return subject, allocation


@pytest.fixture
def assessor(people):
    """A treating investigator kept blind (holds the assessor role too): the one offered unblinding.

    The plain blinded assessor is never offered it (tests/web/test_role_permissions.py)."""
    from equipoise.records.models import Membership
    from equipoise.records.roles import Role

    Membership.objects.create(user=people["assessor_a"], site=people["site_a"], role=Role.INVESTIGATOR.value)
    client = Client()
    client.force_login(people["assessor_a"])
    return client


def arm_label(arm):
    return {"lenalidomide": "Lénalidomide", "methotrexate": "Méthotrexate"}[arm]


def test_wrong_password_is_refused_and_reveals_nothing(allocated, assessor, mailoutbox):
    subject, allocation = allocated
    response = assessor.post(f"/subjects/{subject.code}/unblind/", {"reason": REASON, "password": "guess", "confirm": "yes"})
    assert response.status_code == 403
    assert arm_label(allocation.arm) not in response.content.decode()
    assert not UnblindingEvent.objects.exists() and not mailoutbox
    assert AuditEvent.objects.filter(action="subject.emergency_unblind_refused", username="assessor_a").exists()


def test_reason_is_required(allocated, assessor):
    subject, allocation = allocated
    response = assessor.post(f"/subjects/{subject.code}/unblind/", {"reason": "  ", "password": PASSWORD, "confirm": "yes"})
    assert response.status_code == 400 and "reason" in response.content.decode()
    assert not UnblindingEvent.objects.exists()


def test_unblinding_shows_the_arm_once_logs_and_tells_the_sponsor(allocated, assessor, mailoutbox, settings,
                                                                 django_capture_on_commit_callbacks):
    subject, allocation = allocated
    url = f"/subjects/{subject.code}/unblind/"
    with django_capture_on_commit_callbacks(execute=True):
        response = assessor.post(url, {"reason": REASON, "password": PASSWORD, "confirm": "yes"})
    assert response.status_code == 200
    assert arm_label(allocation.arm) in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    event = UnblindingEvent.objects.get()
    assert event.subject == subject and event.requested_by.username == "assessor_a" and event.reason == REASON
    audit = AuditEvent.objects.get(action="subject.emergency_unblind")
    assert audit.reason == REASON and allocation.arm not in str(audit.changes)
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [settings.SPONSOR_SAFETY_EMAIL]
    assert subject.code in mailoutbox[0].subject and allocation.arm not in mailoutbox[0].body
    # The next page is blinded again: the disclosure lived in that one response.
    again = assessor.get(url).content.decode()
    assert arm_label(allocation.arm) not in again
    panel = assessor.get(f"/subjects/{subject.code}/").content.decode()
    assert allocation.arm not in panel.lower() and arm_label(allocation.arm) not in panel


def test_unblinding_is_for_blinded_users_of_the_subjects_site(allocated, people):
    subject, _ = allocated
    inv = Client()
    inv.force_login(people["inv_a"])
    assert inv.get(f"/subjects/{subject.code}/unblind/").status_code == 403
    other = Client()
    other.force_login(people["inv_b"])
    assert other.post(f"/subjects/{subject.code}/unblind/", {"reason": REASON, "password": PASSWORD, "confirm": "yes"}).status_code == 404
    assert not UnblindingEvent.objects.exists()


def test_blinding_policy():
    from equipoise.allocation.blinding import EmergencyDisclosure, may_see_arm, visible_arm
    from equipoise.records.access import Rights
    from equipoise.records.roles import Role

    blinded = Rights(frozenset({Role.BLINDED_ASSESSOR}))
    both = Rights(frozenset({Role.BLINDED_ASSESSOR, Role.INVESTIGATOR}))
    for role in (Role.INVESTIGATOR, Role.PHARMACIST, Role.STATISTICIAN, Role.MONITOR):
        assert may_see_arm(Rights(frozenset({role})))
    assert not may_see_arm(blinded) and not may_see_arm(both)
    assert visible_arm(blinded, "x", subject_id=1, user_id=2) is None
    disclosure = EmergencyDisclosure(subject_id=1, user_id=2, arm="x")
    assert visible_arm(blinded, "x", subject_id=1, user_id=2, disclosure=disclosure) == "x"
    assert visible_arm(blinded, "x", subject_id=3, user_id=2, disclosure=disclosure) is None
    assert visible_arm(blinded, "x", subject_id=1, user_id=4, disclosure=disclosure) is None


def test_an_unconfirmed_unblinding_reveals_and_records_nothing(allocated, assessor, mailoutbox):
    subject, allocation = allocated
    page = assessor.get(f"/subjects/{subject.code}/unblind/").content.decode()
    assert 'name="confirm" value="yes" required' in page
    response = assessor.post(f"/subjects/{subject.code}/unblind/", {"reason": REASON, "password": PASSWORD},
                             headers={"accept-language": "en"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "tick the box to confirm the unblinding" in body and arm_label(allocation.arm) not in body
    assert not UnblindingEvent.objects.exists() and not mailoutbox
    assert not AuditEvent.objects.filter(action__startswith="subject.emergency_unblind").exists()
    shown = assessor.post(f"/subjects/{subject.code}/unblind/", {"reason": REASON, "password": PASSWORD,
                                                                 "confirm": "yes"}, headers={"accept-language": "en"})
    assert f"{subject.code} is unblinded: the unblinding is recorded and the sponsor is told." in shown.content.decode()
