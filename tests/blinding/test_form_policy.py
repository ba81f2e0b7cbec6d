"""The form-level blinding rule is decided once (`allocation.blinding.may_open_form`) and every
edge agrees with it: the subject page, the form pages, the site worklist and the API."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from equipoise.allocation.blinding import may_open_form, open_forms
from equipoise.records.access import Rights
from equipoise.records.actions.api_tokens import create_token
from equipoise.records.actions.forms import save_form
from equipoise.records.actions.subjects import create_subject
from equipoise.records.protocol_versions import protocol_of
from equipoise.records.roles import Role


def test_a_blinded_user_opens_only_the_assessor_forms_and_the_others_open_all(protocol_version):
    forms = protocol_of(protocol_version).forms
    blinded, investigator = Rights(frozenset({Role.BLINDED_ASSESSOR})), Rights(frozenset({Role.INVESTIGATOR}))
    assessor_forms = [form for form in forms if form.blinded_assessor]
    assert assessor_forms and len(assessor_forms) < len(forms)
    assert open_forms(blinded, forms) == assessor_forms
    assert open_forms(investigator, forms) == list(forms)
    # Holding the blinded role with another one still blinds (the conservative rule).
    both = Rights(frozenset({Role.BLINDED_ASSESSOR, Role.INVESTIGATOR}))
    assert [f for f in forms if may_open_form(both, f)] == assessor_forms


@pytest.fixture
def subject(people, actor_of):
    actor = actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN")
    subject = create_subject(actor, people["site_a"], "nct06965244")
    save_form(actor, subject, subject.visits.get(visit_id="SCR"), "labs", {"lab_date": "2026-01-05"})
    return subject


def test_every_edge_asks_the_policy(people, subject):
    protocol = protocol_of(subject.form_records.get(form_id="labs").protocol_version)
    visit = subject.visits.get(visit_id="SCR")
    scr_forms = [protocol.form(f) for f in protocol.visit("SCR").forms]
    for name, role in (("assessor_a", Role.BLINDED_ASSESSOR), ("inv_a", Role.INVESTIGATOR)):
        rights = Rights(frozenset({role}))
        client = Client()
        client.force_login(people[name])
        detail = client.get(reverse("subject", kwargs={"code": subject.code})).content.decode()
        token = create_token(people[name], "policy test", timezone.now())
        api_visits = Client().get(f"/api/v1/subjects/{subject.code}/visits",
                                  HTTP_AUTHORIZATION=f"Bearer {token}").json()
        api_forms = next(v for v in api_visits if v["visit_id"] == "SCR")["forms"]
        api_form_ids = {f["form_id"] for f in api_forms}
        for form in scr_forms:
            url = reverse("form", kwargs={"code": subject.code, "visit_pk": visit.pk, "form_id": form.id})
            allowed = may_open_form(rights, form)
            assert (client.get(url).status_code == 200) is allowed, (name, form.id)
            assert (url in detail) is allowed, (name, form.id)
            assert (form.id in api_form_ids) is allowed, (name, form.id, api_forms)
        worklist = client.get(reverse("worklist")).content.decode()
        assert (url_of_labs(subject, visit) in worklist) is may_open_form(rights, protocol.form("labs"))


def url_of_labs(subject, visit):
    return reverse("form", kwargs={"code": subject.code, "visit_pk": visit.pk, "form_id": "labs"})
