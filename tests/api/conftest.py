"""API personas: a token per person of the shared `people` fixture, made by the API's own
token function, and a subject at TNN whose screening labs are saved."""

from __future__ import annotations

import pytest
from api_testing import LABS, NOW, Api

from equipoise.records.actions.api_tokens import create_token
from equipoise.records.actions.forms import save_form
from equipoise.records.actions.subjects import create_subject


@pytest.fixture
def api(people):
    tokens = {name: create_token(user, f"{name} tests", NOW)
              for name, user in people.items() if not name.startswith("site_")}
    return Api(tokens)


@pytest.fixture
def subject_a(inv_a, people):
    """A TNN subject whose screening labs have been saved once (revision 1)."""
    subject = create_subject(inv_a, people["site_a"], "nct06965244")
    save_form(inv_a, subject, subject.visits.get(visit_id="SCR"), "labs", LABS)
    return subject
