"""Shared fixtures for the randomization tests: the real protocol and its stratification."""

from __future__ import annotations

from pathlib import Path

import pytest

from equipoise.protocol.loader import LoadedProtocol, load_protocol
from equipoise.randomization.strata import Stratification, stratification_from_protocol

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL_DIR = ROOT / "protocols" / "nct06965244"


@pytest.fixture(scope="session")
def loaded() -> LoadedProtocol:
    return load_protocol(PROTOCOL_DIR)


@pytest.fixture(scope="session")
def stratification(loaded: LoadedProtocol) -> Stratification:
    return stratification_from_protocol(loaded.protocol)
