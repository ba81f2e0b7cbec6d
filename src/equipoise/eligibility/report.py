"""The JSON shape of an eligibility decision (CLI output, API body, stored evidence)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from equipoise.eligibility.evaluator import EligibilityResult, json_value
from equipoise.eligibility.reasons import explain
from equipoise.protocol.schema import FormField


def as_json(result: EligibilityResult, fields: Mapping[str, FormField]) -> dict[str, Any]:
    """Plain JSON values only: dates as YYYY-MM-DD, reasons in both languages."""
    return {
        "protocol_version": result.protocol_version,
        "verdict": result.verdict,
        "criteria": [
            {
                "id": r.id,
                "kind": r.kind,
                "status": r.status,
                "pending": r.pending,
                "inputs": {name: json_value(v) for name, v in r.inputs.items()},
                "missing": r.missing,
                "reason": explain(r, fields),
            }
            for r in result.criteria
        ],
        "missing": result.missing,
    }
