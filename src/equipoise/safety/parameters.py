"""Typed views of the numbers in a protocol's `safety.yaml`.

The schema keeps `safety.yaml` sections as open mappings so a sponsor can add a parameter without
a code change; the rules in this package, however, need specific keys. These dataclasses pick out
the keys each rule uses, once, and fail with the exact `safety.<section>.<key>` that is missing
or malformed, instead of a `KeyError` deep inside a rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Self

from equipoise.protocol.schema import Safety
from equipoise.safety.errors import InvalidInput


def _pick(cls: type, section: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Read every field of `cls` from `values`, checking presence and numeric type."""
    picked: dict[str, Any] = {}
    for f in fields(cls):
        path = f"safety.{section}.{f.name}"
        if f.name not in values:
            raise InvalidInput(path, None, "this parameter is required by the safety rules")
        value = values[f.name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInput(path, value, "must be a number")
        if value < 0:
            raise InvalidInput(path, value, "must not be negative")
        if f.type in ("int", int):
            if value != int(value):
                raise InvalidInput(path, value, "must be a whole number")
            picked[f.name] = int(value)
        else:
            picked[f.name] = float(value)
    return picked


@dataclass(frozen=True)
class PregnancyRules:
    """Pregnancy-prevention parameters (trial sheet §7); day counts are calendar days.

    No defaults on purpose: the values belong to the protocol, never to the engine.
    """

    test_threshold_miu_ml: float
    test_max_days_before_prescription: int
    dispensing_max_days_after_prescription: int
    contraception_min_days_before_start: int
    test_every_days: int
    test_days_after_last_dose: int
    prescription_max_days_childbearing: int
    prescription_max_days_other: int

    @classmethod
    def from_safety(cls, safety: Safety) -> Self:
        return cls(**_pick(cls, "pregnancy", safety.pregnancy))


@dataclass(frozen=True)
class LabLimits:
    """Laboratory limits; each is the first value that is still acceptable."""

    neutrophils_min_g_l: float
    platelets_min_g_l: float
    transaminases_max_x_uln: float
    creatinine_clearance_min_ml_min: float
    creatinine_clearance_halve_mtx_below_ml_min: float

    @classmethod
    def from_safety(cls, safety: Safety) -> Self:
        return cls(**_pick(cls, "lab_limits", safety.lab_limits))


@dataclass(frozen=True)
class AeClockHours:
    """Reporting deadlines in elapsed hours (not calendar days: 7 days are 168 real hours)."""

    sae_to_sponsor: int
    susar_fatal_or_life_threatening: int
    susar_other: int

    @classmethod
    def from_safety(cls, safety: Safety) -> Self:
        return cls(**_pick(cls, "ae_clocks_hours", safety.ae_clocks_hours))
