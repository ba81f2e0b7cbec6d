"""Shared fixtures: the real protocol, and a complete screening record that is eligible."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from eligibility_testing import BASE_RECORD, DROP, PROTOCOL_DIR

from equipoise.eligibility.evaluator import EligibilityResult, check_eligibility
from equipoise.protocol.loader import LoadedProtocol, load_protocol


@pytest.fixture(scope="session")
def protocol() -> LoadedProtocol:
    return load_protocol(PROTOCOL_DIR)


@pytest.fixture
def base() -> dict[str, Any]:
    """A woman of childbearing potential who meets every criterion (fresh copy per test)."""
    return json.loads(BASE_RECORD.read_text(encoding="utf-8"))


@pytest.fixture
def decide(protocol: LoadedProtocol, base: dict[str, Any]) -> Callable[..., EligibilityResult]:
    """decide(key=value, ...) evaluates the base record with those keys changed.

    A value of `DROP` removes the key altogether (as opposed to None, which sends null).
    """

    def run(**changes: Any) -> EligibilityResult:
        record = dict(base)
        for key, value in changes.items():
            if value is DROP:
                record.pop(key, None)
            else:
                record[key] = value
        return check_eligibility(protocol, record)

    return run

