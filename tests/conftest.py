"""Personas built once: two sites, one user per role, the protocol loaded (healthchecks-style)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PROTOCOL_DIR = REPO / "protocols" / "nct06965244"


@pytest.fixture
def protocol_version(db, settings):
    from equipoise.records.protocol_versions import store_protocol_version

    settings.PROTOCOLS_DIR = REPO / "protocols"
    version, _ = store_protocol_version(PROTOCOL_DIR)
    return version


@pytest.fixture
def people(protocol_version):
    """Sites TNN and SLS with their staff, and sponsor-level users; password 'correct-horse-battery'."""
    from django.contrib.auth import get_user_model

    from equipoise.records.models import Membership, Site
    from equipoise.records.roles import Role

    User = get_user_model()
    tnn = Site.objects.create(code="TNN", name="Tenon", city="Paris")
    sls = Site.objects.create(code="SLS", name="Saint-Louis", city="Paris")
    spec = {
        "inv_a": (Role.INVESTIGATOR, tnn), "assessor_a": (Role.BLINDED_ASSESSOR, tnn),
        "pharm_a": (Role.PHARMACIST, tnn), "inv_b": (Role.INVESTIGATOR, sls),
        "dm": (Role.DATA_MANAGER, None), "monitor": (Role.MONITOR, None),
        "stat": (Role.STATISTICIAN, None), "sponsor": (Role.SPONSOR_ADMIN, None),
    }
    out = {"site_a": tnn, "site_b": sls}
    for name, (role, site) in spec.items():
        user = User.objects.create_user(username=name, password="correct-horse-battery")
        Membership.objects.create(user=user, site=site, role=role.value)
        out[name] = user
    return out


@pytest.fixture
def actor_of():
    from equipoise.records.actor import Actor

    def make(user, role, site_code=""):
        return Actor(user=user, role=getattr(role, "value", role), site_code=site_code, request_id="test")

    return make


@pytest.fixture
def inv_a(people, actor_of):
    """The TNN investigator, as an actor."""
    from equipoise.records.roles import Role

    return actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN")


@pytest.fixture
def client_for():
    """client_for(user, language=None) -> a test client logged in as `user`, asking for `language` if given."""
    from django.test import Client

    def make(user, language: str | None = None) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE=language) if language else Client()
        client.force_login(user)
        return client

    return make
