"""Fixtures of the treatment tests: randomized subjects in a chosen arm, and the people acting.

The arm must be chosen by the test, so the allocation row is created directly here (test setup
only; the application allocates through `allocation.actions.randomize`), with the slot and list
rows it points to, and the visit schedule dated from the randomization day.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from equipoise.records.roles import Role
from equipoise.visits.localtime import trial_date

PASSWORD = "correct-horse-battery"


def today() -> dt.date:
    return trial_date(timezone.now())


@pytest.fixture
def pharm_a(people, actor_of):
    return actor_of(people["pharm_a"], Role.PHARMACIST, "TNN")


@pytest.fixture
def sponsor(people, actor_of):
    return actor_of(people["sponsor"], Role.SPONSOR_ADMIN)


@pytest.fixture
def randomized(people, inv_a):
    """randomized(arm, sex, childbearing, days_ago=0, site=TNN) -> a subject allocated to `arm`."""
    from equipoise.allocation.models import Allocation, ListSlot, RandomizationList
    from equipoise.records.actions.forms import save_form
    from equipoise.records.actions.subjects import create_subject
    from equipoise.records.models import SubjectStatus
    from equipoise.records.protocol_versions import current_version
    from equipoise.records.visits_setup import create_schedule

    counter = {"n": 0}

    def make(arm: str, sex: str = "female", childbearing: bool | None = True, days_ago: int = 0,
             site=None, actor=None, counselled: bool = True):
        site = site or people["site_a"]
        actor = actor or inv_a
        subject = create_subject(actor, site, "nct06965244")
        values = {"sex": sex}
        if childbearing is not None:
            values["childbearing_potential"] = childbearing
        save_form(actor, subject, subject.visits.get(visit_id="SCR"), "screening", values)
        version = current_version("nct06965244")
        rlist = RandomizationList.objects.filter(active=True).first() or RandomizationList.objects.create(
            protocol_version=version, sha256="0" * 64, loaded_at=timezone.now(), loaded_by=people["stat"])
        counter["n"] += 1
        slot = ListSlot.objects.create(rlist=rlist, stratum="test", position=counter["n"], block=1, block_size=2,
                                       arm=arm, used_at=timezone.now(), subject=subject)
        Allocation.objects.create(subject=subject, slot=slot, number=f"R-{site.code}-{counter['n']:04d}", arm=arm,
                                  stratum="test", allocated_at=timezone.now(), user=people["inv_a"],
                                  protocol_version=version)
        subject.status = SubjectStatus.RANDOMIZED
        subject.save(update_fields=["status"])
        create_schedule(subject, today() - dt.timedelta(days=days_ago))
        if counselled:  # every protocol topic for this patient, on the randomization day
            from equipoise.treatment.actions.counselling import record_counselling
            from equipoise.treatment.facts import counselling_topics

            record_counselling(actor, subject, [t.id for t in counselling_topics(subject)],
                               today() - dt.timedelta(days=days_ago))
        return subject

    return make


@pytest.fixture
def record_pregnancy_test(inv_a):
    """record_pregnancy_test(subject, taken_at, result='negative', visit_id='W0', threshold=25, supervised=True,
    complete=True): saved, then marked complete unless `complete` is False (a draft)."""
    from equipoise.records.actions.forms import complete_form, save_form

    def record(subject, taken_at: dt.datetime, result: str = "negative", visit_id: str = "W0",
               threshold: float = 25, supervised: bool = True, complete: bool = True):
        saved = save_form(inv_a, subject, subject.visits.get(visit_id=visit_id), "pregnancy_test", {
            "pregnancy_test_datetime": taken_at.isoformat(), "pregnancy_test_result": result,
            "pregnancy_test_threshold_miu_ml": threshold, "pregnancy_test_supervised": supervised})
        return complete_form(inv_a, saved) if complete else saved

    return record
