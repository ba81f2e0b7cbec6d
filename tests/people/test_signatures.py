"""Electronic signatures: re-authentication, meaning, content hash, invalidation by a change."""

from __future__ import annotations

import pytest

from equipoise.records.actions.errors import ActionRefused
from equipoise.records.roles import Role

from .conftest import events, totp_code, wrong_code

PASSWORD = "correct-horse-battery"


@pytest.fixture
def screened(people, actor_of):
    from equipoise.records.actions.forms import save_form
    from equipoise.records.actions.subjects import create_subject

    actor = actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN")
    subject = create_subject(actor, people["site_a"], "nct06965244")
    visit = subject.visits.get(visit_id="SCR")
    save_form(actor, subject, visit, "labs", {"lab_date": "2026-01-05", "lab_neutrophils_g_l": 2.5})
    return actor, subject, visit


@pytest.mark.django_db
def test_sign_then_change_invalidates_and_a_new_signature_is_asked(people, enrolled, screened, actor_of):
    from equipoise.people.actions.signatures import sign, status
    from equipoise.people.signed_content import content_hash, content_of
    from equipoise.records.actions.forms import save_form

    device, _ = enrolled(people["inv_a"])
    actor, subject, visit = screened
    people["inv_a"].first_name, people["inv_a"].last_name = "Anne", "Leroy"
    people["inv_a"].save()
    signature = sign(actor, subject, visit, PASSWORD, totp_code(device, 1))
    assert signature.printed_name == "Anne Leroy" and signature.meaning == "accurate_complete"
    assert signature.content_sha256 == content_hash(content_of(subject, visit)) and status(signature) == "valid"
    assert events("signature.sign")[0].changes["content_sha256"] == [None, signature.content_sha256]

    save_form(actor, subject, visit, "labs", {"lab_date": "2026-01-05", "lab_neutrophils_g_l": 2.0},
              reason="transcription error")
    signature.refresh_from_db()
    assert status(signature) == "invalidated"
    assert signature.invalidated_by == "form labs at visit SCR (revision 2: lab_neutrophils_g_l)"
    invalidation = events("signature.invalidate")[0]
    assert invalidation.reason.startswith("signature invalidated by change of form labs")

    again = sign(actor, subject, visit, PASSWORD, totp_code(device, 2))
    assert status(again) == "valid" and again.content_sha256 != signature.content_sha256


@pytest.mark.django_db
def test_signature_shown_on_subject_and_form_pages(client, people, screened):
    from equipoise.people.actions.signatures import sign

    actor, subject, visit = screened
    sign(actor, subject, visit, PASSWORD, "")
    client.force_login(people["inv_a"])
    for path in (f"/subjects/{subject.code}/", f"/subjects/{subject.code}/visits/{visit.pk}/forms/labs/"):
        page = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "I confirm these data are accurate and complete" in page and "Signature valid" in page
    french = client.get(f"/subjects/{subject.code}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Je confirme que ces données sont exactes et complètes" in french


@pytest.mark.django_db
def test_a_write_around_the_actions_breaks_the_signature(screened):
    from equipoise.people.actions.signatures import sign, status
    from equipoise.records.models import FormRecord

    actor, subject, visit = screened
    signature = sign(actor, subject, visit, PASSWORD, "")
    FormRecord.objects.filter(visit=visit).update(data={"lab_date": "2026-01-05", "lab_neutrophils_g_l": 9.9})
    assert status(signature) == "broken"


@pytest.mark.django_db
def test_signature_refusals_change_nothing(people, enrolled, screened, actor_of):
    from equipoise.people.actions.signatures import sign
    from equipoise.people.models import Signature

    device, _ = enrolled(people["inv_a"])
    actor, subject, visit = screened
    pharmacist = actor_of(people["pharm_a"], Role.PHARMACIST, "TNN")
    with pytest.raises(ActionRefused, match="only the investigator") as wrong_role:
        sign(pharmacist, subject, visit, PASSWORD, "")
    assert wrong_role.value.status == 403
    with pytest.raises(ActionRefused, match="password"):
        sign(actor, subject, visit, "wrong-password", totp_code(device))
    with pytest.raises(ActionRefused, match="code"):
        sign(actor, subject, visit, PASSWORD, wrong_code(device))
    with pytest.raises(ActionRefused, match="participation is over"):
        sign(actor, subject, None, PASSWORD, totp_code(device))
    assert not Signature.objects.exists()
    assert len(events("signature.refused")) == 3


@pytest.mark.django_db
def test_casebook_signed_at_the_end(people, screened):
    from equipoise.people.actions.signatures import sign, status
    from equipoise.records.models import SubjectStatus

    actor, subject, _visit = screened
    subject.status = SubjectStatus.SCREEN_FAILED
    subject.save()
    signature = sign(actor, subject, None, PASSWORD, "")
    assert signature.scope == "casebook" and status(signature) == "valid"
    assert [r["form"] for r in signature.content["records"]] == ["labs"]


@pytest.mark.django_db
def test_api_record_carries_its_signatures(people, screened):
    from django.test import Client
    from django.utils import timezone

    from equipoise.people.actions.signatures import sign
    from equipoise.records.actions.api_tokens import create_token

    actor, subject, visit = screened
    sign(actor, subject, visit, PASSWORD, "")
    token = create_token(people["monitor"], "review", timezone.now())
    response = Client().get(f"/api/v1/subjects/{subject.code}/visits/SCR/forms/labs",
                            HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    [signed] = response.json()["signatures"]
    assert signed["meaning"] == "I confirm these data are accurate and complete"
    assert signed["status"] == "valid" and signed["printed_name"] == "inv_a" and signed["scope"] == "visit"
