"""CLASI response derivations: how CLASI-A moved between baseline and a later visit.

Definitions from the trial sheet §6 and endpoints.yaml: CLASI-50 / CLASI-70 are a fall of at least
50% / 70% from baseline; the minimal important improvement is a fall of at least 4 points or at
least 20%; a complete response is CLASI-A = 0. A percentage of a baseline of 0 is undefined, so the
percentage-based answers are None (null in JSON) then, never a guess of True or False.

The thresholds are compared in integer arithmetic (2 * fall >= baseline, not fall / baseline >= 0.5)
so an exact 50% or 70% fall is never lost to floating-point rounding.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

from equipoise.instruments.clasi import ACTIVITY_MAX
from equipoise.instruments.validation import check_int

CLASI50_FALL = Fraction(50, 100)
CLASI70_FALL = Fraction(70, 100)
MINIMAL_IMPORTANT_FALL_POINTS = 4
MINIMAL_IMPORTANT_FALL_FRACTION = Fraction(20, 100)


@dataclass(frozen=True)
class CLASIResponse:
    """Response flags for one follow-up CLASI-A against baseline.

    `change` is current - baseline (negative is improvement); `percent_change` is that change as a
    percentage of baseline. Flags that depend on a percentage are None when baseline is 0.
    """

    baseline: int
    current: int
    change: int
    percent_change: float | None
    clasi50: bool | None
    clasi70: bool | None
    improved_4_points: bool
    improved_20_percent: bool | None
    minimal_important_improvement: bool | None
    complete_response: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _fell_by(fall: int, baseline: int, fraction: Fraction) -> bool | None:
    """Whether `fall` is at least `fraction` of `baseline`; None when baseline is 0."""
    if baseline == 0:
        return None
    return fall * fraction.denominator >= baseline * fraction.numerator


def _either(a: bool | None, b: bool | None) -> bool | None:
    """Three-valued OR: True if either holds, None if neither holds but one is undefined."""
    if a or b:
        return True
    if a is None or b is None:
        return None
    return False


def clasi_response(baseline: int, current: int) -> CLASIResponse:
    """Derive change and response flags from baseline and current CLASI-A (both ints 0-70)."""
    scale = range(0, ACTIVITY_MAX + 1)
    check_int("baseline", baseline, scale)
    check_int("current", current, scale)
    change = current - baseline
    fall = -change
    improved_4_points = fall >= MINIMAL_IMPORTANT_FALL_POINTS
    improved_20_percent = _fell_by(fall, baseline, MINIMAL_IMPORTANT_FALL_FRACTION)
    return CLASIResponse(
        baseline=baseline,
        current=current,
        change=change,
        percent_change=None if baseline == 0 else 100 * change / baseline,
        clasi50=_fell_by(fall, baseline, CLASI50_FALL),
        clasi70=_fell_by(fall, baseline, CLASI70_FALL),
        improved_4_points=improved_4_points,
        improved_20_percent=improved_20_percent,
        minimal_important_improvement=_either(improved_4_points, improved_20_percent),
        complete_response=current == 0,
    )
