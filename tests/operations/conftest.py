from __future__ import annotations

import pytest

from operations.production import own_database, production_env, self_signed_certificate


@pytest.fixture(scope="session")
def certificates(tmp_path_factory):
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """Collected and compressed once for every production server of the session."""
    return tmp_path_factory.mktemp("static")


@pytest.fixture
def prod_env(tmp_path, certificates, static_root):
    """A production environment on a database of this test's own (SQLite, or PostgreSQL if set)."""
    with own_database(production_env(tmp_path / "var", certificates, static_root)) as env:
        yield env
