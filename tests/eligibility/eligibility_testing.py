"""Helpers shared by the eligibility tests (a uniquely named module, unlike conftest)."""

from __future__ import annotations

from pathlib import Path

from equipoise.eligibility.evaluator import EligibilityResult

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL_DIR = ROOT / "protocols" / "nct06965244"
BASE_RECORD = Path(__file__).with_name("eligible_woman.json")

# Pass as a value to `decide(...)` to remove the key instead of sending null.
DROP = object()


def status(result: EligibilityResult, criterion_id: str) -> str:
    return next(r.status for r in result.criteria if r.id == criterion_id)


def criterion(result: EligibilityResult, criterion_id: str):
    return next(r for r in result.criteria if r.id == criterion_id)
