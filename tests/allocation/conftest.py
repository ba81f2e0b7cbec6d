"""Fixtures of the allocation tests: a committed list loaded by the statistician, eligible subjects."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from equipoise.records.roles import Role

SCREENED_ON = dt.date(2026, 1, 5)


@pytest.fixture
def protocol(protocol_version):
    from equipoise.records.protocol_versions import protocol_of

    return protocol_of(protocol_version)


@pytest.fixture
def stat_actor(people, actor_of):
    return actor_of(people["stat"], Role.STATISTICIAN)


@pytest.fixture
def committed(protocol, people):
    """(bytes, sha256, report) of a small list over the configured sites TNN and SLS."""
    from equipoise.allocation.rehearsal import committed_list

    return committed_list(protocol, "test-seed", 10)


@pytest.fixture
def active_list(committed, stat_actor):
    from equipoise.allocation.actions.lists import load_list

    data, sha, report = committed
    return load_list(stat_actor, "nct06965244", data, sha, report)


@pytest.fixture
def make_eligible(inv_a, people):
    """make_eligible(sle=False, actor=inv_a, site=TNN) -> a consented, eligible subject in screening."""
    from equipoise.allocation.rehearsal import eligible_subject

    rng = random.Random(7)

    def make(sle: bool = False, actor=None, site=None):
        return eligible_subject(actor or inv_a, site or people["site_a"], "nct06965244", rng, SCREENED_ON,
                                sle_associated=sle)

    return make


@pytest.fixture
def earlier_allocations(active_list, people, protocol_version):
    """earlier_allocations(stratum, count): the ledger as if `count` subjects of the stratum had been
    randomized already (subjects, allocations and used slots, in list order), written directly."""
    from django.utils import timezone

    from equipoise.allocation.models import Allocation, ListSlot
    from equipoise.records.models import Subject, SubjectStatus

    def make(stratum: str, count: int) -> None:
        site = people["site_a"] if "site=TNN" in stratum else people["site_b"]
        now = timezone.now()
        slots = list(ListSlot.objects.filter(rlist=active_list, stratum=stratum).order_by("position")[:count])
        for slot in slots:
            site.allocation_sequence += 1
            subject = Subject.objects.create(code=f"{site.code}-E{site.allocation_sequence:03d}", site=site,
                                             protocol_id="nct06965244", status=SubjectStatus.RANDOMIZED,
                                             created_at=now)
            slot.used_at, slot.subject = now, subject
            slot.save(update_fields=["used_at", "subject"])
            Allocation.objects.create(subject=subject, slot=slot, number=f"R-{site.code}-E{site.allocation_sequence:03d}",
                                      arm=slot.arm, stratum=stratum, allocated_at=now, user=people["inv_a"],
                                      protocol_version=protocol_version)
        site.save(update_fields=["allocation_sequence"])

    return make
