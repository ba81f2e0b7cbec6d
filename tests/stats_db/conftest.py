"""A small trial built through the real actions: screening, eligibility, randomization, follow-up.

TNN: two screen failures (EX02+EX06, IN05), one incomplete screening, one eligible patient
awaiting randomization, four randomized patients followed to W16 (visits done, CLASI by the
blinded assessor, DLQI, steroids, prescriptions and dispensings through the pregnancy gate),
one of them stopped for lack of efficacy at W12, one with an adverse event.
SLS: one screen failure (EX08) and one randomized patient with no follow-up and no dispensing.
The arms come from the committed list, as in a real trial; tests compare with the ORM.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from equipoise.records.roles import Role
from equipoise.visits.localtime import trial_date

PARIS = ZoneInfo("Europe/Paris")
PROTOCOL_ID = "nct06965244"


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=PARIS)


@pytest.fixture
def today() -> dt.date:
    return trial_date(timezone.now())


@pytest.fixture
def staff(people, actor_of):
    from django.contrib.auth import get_user_model

    from equipoise.records.models import Membership

    assessor_b = get_user_model().objects.create_user(username="assessor_b", password="correct-horse-battery")
    Membership.objects.create(user=assessor_b, site=people["site_b"], role=Role.BLINDED_ASSESSOR.value)
    return {
        "inv_a": actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN"),
        "assessor_a": actor_of(people["assessor_a"], Role.BLINDED_ASSESSOR, "TNN"),
        "pharm_a": actor_of(people["pharm_a"], Role.PHARMACIST, "TNN"),
        "inv_b": actor_of(people["inv_b"], Role.INVESTIGATOR, "SLS"),
        "assessor_b": actor_of(assessor_b, Role.BLINDED_ASSESSOR, "SLS"),
        "stat": actor_of(people["stat"], Role.STATISTICIAN),
        "sponsor": actor_of(people["sponsor"], Role.SPONSOR_ADMIN),
    }


def _screen(actor, site, rng, screening_date, failing=None, drop_labs=False):
    from equipoise.demo.screening_records import eligible_record, failing_record
    from equipoise.records.actions.eligibility import assess_eligibility
    from equipoise.records.actions.forms import save_form
    from equipoise.records.actions.subjects import create_subject
    from equipoise.records.visits_setup import screening_visit

    subject = create_subject(actor, site, PROTOCOL_ID)
    record = failing_record(rng, screening_date, failing) if failing else eligible_record(rng, screening_date)
    record["clasi_a_randomization"] = 12
    if drop_labs:
        record.pop("neutrophils_g_l")
    save_form(actor, subject, screening_visit(subject), "screening", record)
    assess_eligibility(actor, subject, "screening")
    return subject


def _follow(subject, allocation, randomized_on, course, staff, stop_at_w12=False, adverse_event=False):
    """Forms, visits done and dispensings up to W16, through the same helpers as the demo."""
    from equipoise.demo.followup import fill_visit
    from equipoise.demo.treatment_course import (
        start_precautions,
        stop_for_lack_of_efficacy,
        treat_visit,
    )
    from equipoise.records.protocol_versions import current_version, protocol_of
    from equipoise.treatment.actions.adverse_events import report_adverse_event

    protocol = protocol_of(current_version(PROTOCOL_ID))
    rng = random.Random(subject.pk)
    screening = subject.form_records.get(form_id="screening").data
    start_precautions(subject, allocation.arm, screening, randomized_on, staff["inv_a"])
    dispensed, stopped = None, False
    for visit in subject.visits.filter(scheduled=True).exclude(visit_id="SCR").order_by("sequence"):
        if visit.visit_id not in course:
            break
        scheduled = protocol.visit(visit.visit_id)
        fill_visit(visit, subject, course, rng, staff["inv_a"], staff["assessor_a"], scheduled.forms,
                   bool(screening.get("childbearing_potential")))
        if visit.visit_id == "W12" and stop_at_w12:
            stop_for_lack_of_efficacy(subject, visit.target_date, staff["inv_a"])
            stopped = True
        if visit.visit_id == "W8" and adverse_event:
            drugs = ["lenalidomide", "aspirin"] if allocation.arm == "lenalidomide" else ["methotrexate", "folic_acid"]
            report_adverse_event(
                staff["inv_a"], subject, term="Neutropenia", onset_date=visit.target_date - dt.timedelta(days=3),
                grade=3, action_taken="none", outcome="recovering",
                causality={drugs[0]: "related", drugs[1]: "not_related"}, special_interest=["neutropenia"],
                site_aware_at=at(visit.target_date - dt.timedelta(days=2)), now=at(visit.target_date, 16))
        dispensed = treat_visit(subject, visit, allocation.arm, scheduled.dispensing, dispensed, rng,
                                staff["inv_a"], staff["pharm_a"], stopped)


@pytest.fixture
def trial(people, staff, today):
    """Build the population described in the module docstring; returns the subjects by role."""
    from equipoise.allocation.actions.lists import load_list
    from equipoise.allocation.actions.randomize import randomize_subject
    from equipoise.allocation.rehearsal import committed_list
    from equipoise.records.protocol_versions import current_version, protocol_of

    protocol = protocol_of(current_version(PROTOCOL_ID))
    data, sha, report = committed_list(protocol, "stats-db-seed", 10)
    load_list(staff["stat"], PROTOCOL_ID, data, sha, report)
    rng = random.Random(2026)
    tnn, sls = people["site_a"], people["site_b"]
    first = today - dt.timedelta(days=160)
    out = {
        "failed": [_screen(staff["inv_a"], tnn, rng, first, ["EX02", "EX06"]),
                   _screen(staff["inv_a"], tnn, rng, first, ["IN05"]),
                   _screen(staff["inv_b"], sls, rng, first, ["EX08"])],
        "incomplete": [_screen(staff["inv_a"], tnn, rng, first, drop_labs=True)],
        "awaiting": [_screen(staff["inv_a"], tnn, rng, first)],
        "randomized": [],
    }
    courses = [
        {"W0": 20, "W4": 16, "W8": 12, "W12": 9, "W16": 6},     # responder
        {"W0": 14, "W4": 14, "W8": 13, "W12": 13, "W16": 12},   # stopped for lack of efficacy at W12
        {"W0": 10, "W4": 8, "W8": 6, "W12": 4, "W16": 3},       # responder, adverse event at W8
        {"W0": 16, "W4": 15, "W8": 14, "W12": 12},              # W16 not done yet
    ]
    for index, course in enumerate(courses):
        subject = _screen(staff["inv_a"], tnn, rng, first + dt.timedelta(days=index))
        randomized_on = first + dt.timedelta(days=14 + index)
        allocation, _ = randomize_subject(staff["inv_a"], subject, now=at(randomized_on))
        _follow(subject, allocation, randomized_on, course, staff, stop_at_w12=index == 1, adverse_event=index == 2)
        out["randomized"].append(subject)
    late = _screen(staff["inv_b"], sls, rng, today - dt.timedelta(days=20))
    randomize_subject(staff["inv_b"], late, now=at(today - dt.timedelta(days=5)))
    out["randomized"].append(late)
    return out
