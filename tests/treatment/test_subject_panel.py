"""The subject-page panel given to the lead: nothing arm-revealing for blinded rights."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from equipoise.records.access import Rights
from equipoise.records.actions.forms import save_form
from equipoise.records.roles import Role
from equipoise.treatment.actions.counselling import record_counselling
from equipoise.treatment.actions.dispensing import dispense
from equipoise.treatment.actions.prescribing import change_dose, prescribe
from equipoise.treatment.panel import render_subject_panel

from .conftest import today


@pytest.fixture
def treated(randomized, inv_a, pharm_a):
    subject = randomized("lenalidomide", "male", None)
    record_counselling(inv_a, subject, ["condom", "semen_donation"], today())
    dispense(pharm_a, prescribe(inv_a, subject, prescribed_on=today(), days=28), today())
    # Neutrophils: both labels hold (arm-neutral). Clearance 25: lenalidomide holds, methotrexate
    # stops, so that alert's action would name the arm.
    save_form(inv_a, subject, subject.visits.get(visit_id="W0"), "labs", {
        "lab_date": str(today()), "lab_neutrophils_g_l": 0.8, "lab_platelets_g_l": 200,
        "lab_creatinine_clearance_ml_min": 25, "lab_alt_x_uln": 1, "lab_ast_x_uln": 1})
    change_dose(inv_a, subject, "hold", today(), "neutropenia")
    return subject


def render(subject, user, roles):
    request = RequestFactory().get("/")
    request.user = user
    return str(render_subject_panel(request, subject, Rights(frozenset(roles))))


def test_blinded_rights_see_the_calendar_and_neutral_findings_only(treated, people):
    html = render(treated, people["assessor_a"], {Role.BLINDED_ASSESSOR}).lower()
    assert "neutrophil" in html and "clairance" not in html and "clearance" not in html
    for word in ("lenalidomide", "lénalidomide", "aspirin", "hold", "suspend", "/treatment/"):
        assert word not in html, word
    assert "w4" in html or "semaine 4" in html or "week 4" in html


def test_unblinded_rights_see_the_treatment_summary(treated, people):
    html = render(treated, people["inv_a"], {Role.INVESTIGATOR})
    assert f"/treatment/subjects/{treated.code}/" in html
    assert "lénalidomide" in html.lower() or "lenalidomide" in html.lower()
    assert "Clairance" in html or "Creatinine clearance" in html
