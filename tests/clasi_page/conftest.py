"""Fixtures for the CLASI page tests: a randomized-looking subject with dated visits, and clients."""

from __future__ import annotations

import pytest
from clasi_testing import RANDOMIZED_ON


@pytest.fixture
def subject(people, actor_of):
    """A TNN subject with its visits dated from a randomization on 2026-03-02."""
    from equipoise.records.actions.subjects import create_subject
    from equipoise.records.roles import Role
    from equipoise.records.visits_setup import create_schedule

    subject = create_subject(actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN"), people["site_a"], "nct06965244")
    create_schedule(subject, RANDOMIZED_ON)
    return subject


@pytest.fixture
def client_for(client_for):
    """The pages in French unless a test asks for another language."""
    def make(user, language: str = "fr"):
        return client_for(user, language)

    return make


@pytest.fixture
def clasi_url(subject):
    def url(visit_id: str) -> str:
        visit = subject.visits.get(visit_id=visit_id, scheduled=True)
        return f"/subjects/{subject.code}/visits/{visit.pk}/forms/clasi/"

    return url
