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
def inv_a(people, actor_of):
    return actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN")


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
