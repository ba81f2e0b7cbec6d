"""Physician global assessment of disease activity: 0 none, 1 mild, 2 moderate, 3 severe.

Key and labels as in protocols/nct06965244/forms/physician_global.yaml (scored by the blinded
assessor, like CLASI).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from equipoise.instruments.validation import check_int, check_keys, check_mapping, require

KEY = "physician_global"
LABELS: dict[int, str] = {0: "none", 1: "mild", 2: "moderate", 3: "severe"}
SCALE = tuple(LABELS)


@dataclass(frozen=True)
class PhysicianGlobal:
    """The rating and its label."""

    value: int
    label: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "instrument": "physician_global",
            "physician_global": self.value,
            "label": self.label,
        }


def score_physician_global(data: Mapping[str, Any]) -> PhysicianGlobal:
    """Validate a physician global record (`{"physician_global": 0-3}`)."""
    data = check_mapping("record", data, "a JSON object with physician_global")
    check_keys(data, (KEY,))
    value = check_int(KEY, require(data, KEY, SCALE), SCALE)
    return PhysicianGlobal(value=value, label=LABELS[value])
