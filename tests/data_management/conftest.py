"""Fixtures of the data management tests: randomized patients (the treatment tests' own fixture),
with complete and draft forms at several visits, and the data manager and monitor acting."""

from __future__ import annotations

import random

import pytest

from equipoise.demo.screening_records import eligible_record
from equipoise.records.actions.forms import complete_form, save_form
from equipoise.records.roles import Role
from treatment.conftest import randomized, today  # noqa: F401  (fixtures shared with the treatment tests)

LABS = {"lab_date": "2026-01-05", "lab_neutrophils_g_l": 3.1, "lab_platelets_g_l": 210,
        "lab_creatinine_clearance_ml_min": 95, "lab_alt_x_uln": 0.8, "lab_ast_x_uln": 0.7}
DOSE = {"prednisone_equivalent_mg_day": 5, "rescue_systemic_therapy": False}


@pytest.fixture
def dm(people, actor_of):
    return actor_of(people["dm"], Role.DATA_MANAGER)


@pytest.fixture
def monitor(people, actor_of):
    return actor_of(people["monitor"], Role.MONITOR)


@pytest.fixture
def inv_b(people, actor_of):
    return actor_of(people["inv_b"], Role.INVESTIGATOR, "SLS")


@pytest.fixture
def complete(inv_a):  # noqa: F811
    """complete(subject, visit_id, form_id, values, actor=inv_a): saved and marked complete."""

    def make(subject, visit_id, form_id, values, actor=None):
        actor = actor or inv_a
        return complete_form(actor, save_form(actor, subject, subject.visits.get(visit_id=visit_id), form_id, values))

    return make


def complete_screening(actor, subject):
    """The screening form the randomized fixture left in draft, filled in (a man, eligible) and completed."""
    values = eligible_record(random.Random(subject.pk), today())
    values = {k: v for k, v in values.items() if "childbearing" not in k and "contracept" not in k}
    values.update(sex="male", pregnant=False, planning_pregnancy=False)
    record = save_form(actor, subject, subject.visits.get(visit_id="SCR"), "screening", values,
                       reason="screening record entered in full")
    return complete_form(actor, record)


@pytest.fixture
def trial(randomized, complete, inv_a, inv_b, people):  # noqa: F811
    """Two patients at TNN, one at SLS, each with the screening form complete. First TNN patient: labs
    complete at SCR and W0, steroid dose complete at W0; second: labs complete at SCR, steroid dose in
    draft at W0. SLS: labs complete at SCR."""
    first = randomized("methotrexate", "male", None, days_ago=30)
    complete_screening(inv_a, first)
    complete(first, "SCR", "labs", LABS)
    complete(first, "W0", "labs", LABS)
    complete(first, "W0", "steroid_dose", DOSE)
    second = randomized("methotrexate", "male", None, days_ago=30)
    complete_screening(inv_a, second)
    complete(second, "SCR", "labs", LABS)
    draft = save_form(inv_a, second, second.visits.get(visit_id="W0"), "steroid_dose", DOSE)
    other = randomized("methotrexate", "male", None, days_ago=30, site=people["site_b"], actor=inv_b)
    complete_screening(inv_b, other)
    complete(other, "SCR", "labs", LABS, actor=inv_b)
    return {"first": first, "second": second, "other": other, "draft": draft}


@pytest.fixture
def client_for(client_for):
    """The pages in English unless a test asks for another language."""
    def make(user, language: str = "en"):
        return client_for(user, language)

    return make


