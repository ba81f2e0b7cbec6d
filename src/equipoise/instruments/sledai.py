"""SLEDAI-2K: 24 weighted descriptors present in the look-back window, total 0-105.

Descriptor keys are those of protocols/nct06965244/forms/sledai.yaml (`sledai_<name>`, booleans, all
required on the form); weights are the instrument's (trial sheet §6). The total is the sum of the
weights of the descriptors present.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from equipoise.instruments.validation import (
    band_of,
    check_bool,
    check_keys,
    check_mapping,
    require,
)

_WEIGHTED: tuple[tuple[int, tuple[str, ...]], ...] = (
    (
        8,
        (
            "seizure",
            "psychosis",
            "organic_brain_syndrome",
            "visual_disturbance",
            "cranial_nerve_disorder",
            "lupus_headache",
            "stroke",
            "vasculitis",
        ),
    ),
    (4, ("arthritis", "myositis", "urinary_casts", "haematuria", "proteinuria", "pyuria")),
    (
        2,
        (
            "rash",
            "alopecia",
            "mucosal_ulcers",
            "pleurisy",
            "pericarditis",
            "low_complement",
            "increased_dna_binding",
        ),
    ),
    (1, ("fever", "thrombocytopenia", "leukopenia")),
)

WEIGHTS: dict[str, int] = {
    f"sledai_{name}": weight for weight, names in _WEIGHTED for name in names
}
"""Descriptor key -> weight, in form order."""

TOTAL_MAX = sum(WEIGHTS.values())  # 105

ASSUMED_ACTIVITY_BANDS: tuple[tuple[int, int, str], ...] = (
    (0, 0, "none"),
    (1, 5, "mild"),
    (6, 10, "moderate"),
    (11, 19, "high"),
    (20, TOTAL_MAX, "very_high"),
)
"""ASSUMPTION: SLEDAI-2K activity bands, inclusive bounds.

These cut-offs are a common convention in the lupus literature, not part of the instrument's
definition nor of the trial sheet or protocol files; the sponsor should confirm them before any
report relies on the band. The total itself is not affected.
"""


@dataclass(frozen=True)
class SLEDAIScore:
    """A scored SLEDAI-2K: total, its (assumed) activity band and the descriptors present."""

    total: int
    band: str
    present: tuple[str, ...]
    """Keys of the descriptors present, in form order."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "instrument": "sledai_2k",
            "total": self.total,
            "band": self.band,
            "band_is_assumption": True,
            "present": {key: WEIGHTS[key] for key in self.present},
        }


def sledai_band(total: int) -> str:
    """Band a SLEDAI-2K total with the assumed cut-offs (see ASSUMED_ACTIVITY_BANDS)."""
    return band_of("total", total, ASSUMED_ACTIVITY_BANDS)


def score_sledai(data: Mapping[str, Any]) -> SLEDAIScore:
    """Score the 24 descriptors (each true or false, all required)."""
    data = check_mapping("record", data, "a JSON object of SLEDAI-2K descriptors")
    check_keys(data, WEIGHTS)
    present = tuple(key for key in WEIGHTS if check_bool(key, require(data, key, (True, False))))
    total = sum(WEIGHTS[key] for key in present)
    return SLEDAIScore(total=total, band=sledai_band(total), present=present)
