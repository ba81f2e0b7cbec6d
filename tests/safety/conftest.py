"""Fixtures shared by the safety tests: the trial's real parameters, read from its protocol."""

from __future__ import annotations

from pathlib import Path

import pytest

from equipoise.protocol.loader import load_protocol
from equipoise.protocol.schema import Protocol
from equipoise.safety.parameters import AeClockHours, LabLimits, PregnancyRules

PROTOCOL_DIR = Path(__file__).resolve().parents[2] / "protocols" / "nct06965244"


@pytest.fixture(scope="session")
def protocol() -> Protocol:
    return load_protocol(PROTOCOL_DIR).protocol


@pytest.fixture(scope="session")
def pregnancy_rules(protocol: Protocol) -> PregnancyRules:
    return PregnancyRules.from_safety(protocol.safety)


@pytest.fixture(scope="session")
def lab_limits(protocol: Protocol) -> LabLimits:
    return LabLimits.from_safety(protocol.safety)


@pytest.fixture(scope="session")
def clock_hours(protocol: Protocol) -> AeClockHours:
    return AeClockHours.from_safety(protocol.safety)
