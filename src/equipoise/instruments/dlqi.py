"""DLQI: Dermatology Life Quality Index — 10 items scored 0-3 over the last week, total 0-30.

Keys are those of protocols/nct06965244/forms/dlqi.yaml (`dlqi_q1` .. `dlqi_q10`); every item is
required there, so a missing item is an error rather than a silent 0. Bands and the minimal
important change of 4 points come from the trial sheet §6.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from equipoise.instruments.validation import band_of, check_int, check_keys, check_mapping, require

ITEMS: tuple[str, ...] = tuple(f"dlqi_q{n}" for n in range(1, 11))
ITEM_SCALE = (0, 1, 2, 3)  # not at all / not relevant, a little, a lot, very much
TOTAL_MAX = 30
MINIMAL_IMPORTANT_CHANGE = 4

BANDS: tuple[tuple[int, int, str], ...] = (
    (0, 1, "none"),
    (2, 5, "small"),
    (6, 10, "moderate"),
    (11, 20, "very_large"),
    (21, TOTAL_MAX, "extremely_large"),
)
"""Effect of the skin disease on the patient's life, inclusive bounds of the total."""


@dataclass(frozen=True)
class DLQIScore:
    """A scored DLQI: the items as entered, the total and its band."""

    items: tuple[tuple[str, int], ...]
    total: int
    band: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "instrument": "dlqi",
            "total": self.total,
            "band": self.band,
            "items": dict(self.items),
        }


@dataclass(frozen=True)
class DLQIChange:
    """DLQI change from baseline, judged against the minimal important change (4 points)."""

    baseline: int
    current: int
    change: int
    minimal_important_improvement: bool
    minimal_important_worsening: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline,
            "current": self.current,
            "change": self.change,
            "minimal_important_improvement": self.minimal_important_improvement,
            "minimal_important_worsening": self.minimal_important_worsening,
        }


def dlqi_band(total: int) -> str:
    """Band a DLQI total: none, small, moderate, very_large or extremely_large."""
    return band_of("total", total, BANDS)


def score_dlqi(data: Mapping[str, Any]) -> DLQIScore:
    """Score the 10 DLQI items; any stray, missing or off-scale item is an input error."""
    data = check_mapping("record", data, "a JSON object of DLQI items")
    check_keys(data, ITEMS)
    items = tuple(
        (key, check_int(key, require(data, key, ITEM_SCALE), ITEM_SCALE)) for key in ITEMS
    )
    total = sum(value for _, value in items)
    return DLQIScore(items=items, total=total, band=dlqi_band(total))


def dlqi_change(baseline: int, current: int) -> DLQIChange:
    """Compare two DLQI totals; a fall (or rise) of 4 or more is a minimal important change."""
    scale = range(0, TOTAL_MAX + 1)
    check_int("baseline", baseline, scale)
    check_int("current", current, scale)
    change = current - baseline
    return DLQIChange(
        baseline=baseline,
        current=current,
        change=change,
        minimal_important_improvement=-change >= MINIMAL_IMPORTANT_CHANGE,
        minimal_important_worsening=change >= MINIMAL_IMPORTANT_CHANGE,
    )
