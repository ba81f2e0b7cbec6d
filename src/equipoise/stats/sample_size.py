"""Sample size and power for comparing two independent proportions (1:1 allocation).

Uses the two-sided normal approximation with the pooled variance under the null hypothesis
and the unpooled variance under the alternative, the textbook form behind most trial sheets:

    n = [z(1-a/2) * sqrt(2 pbar qbar) + z(1-b) * sqrt(p1 q1 + p2 q2)]^2 / (p1 - p2)^2

Fleiss's continuity correction, n/4 * (1 + sqrt(1 + 4 / (n |p1 - p2|)))^2, is applied on request
to the unrounded n. Attrition is handled by inflating the per-arm size, with the method named in
the result so that a reader can tell 'n / (1 - d)' from the cruder 'n * (1 + d)'.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

from equipoise.stats import InvalidParameter, require_open_unit

# The standard normal from the standard library: accurate to double precision, and importing
# it costs nothing, unlike scipy.stats (which would slow every `equipoise` start-up).
_NORMAL = NormalDist()

InflationMethod = Literal["divide", "multiply"]

INFLATION_FORMULAS: dict[str, str] = {
    "divide": "per_arm / (1 - dropout), rounded up per arm",
    "multiply": "per_arm * (1 + dropout), rounded up per arm",
}

# Guards against float noise such as 57.000000000000007 being rounded up to 58.
_CEIL_TOLERANCE = 1e-9


def _ceil(value: float) -> int:
    return math.ceil(value - _CEIL_TOLERANCE)


@dataclass(frozen=True)
class SampleSize:
    """Per-arm and total sizes, plus the unrounded n so that rounding can be audited."""

    p_control: float
    p_treatment: float
    alpha: float
    power: float
    continuity_correction: bool
    per_arm_exact: float
    per_arm: int
    dropout: float | None = None
    inflation_method: InflationMethod | None = None
    per_arm_inflated: int | None = None

    @property
    def total(self) -> int:
        return 2 * self.per_arm

    @property
    def total_inflated(self) -> int | None:
        return None if self.per_arm_inflated is None else 2 * self.per_arm_inflated

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "p_control": self.p_control,
            "p_treatment": self.p_treatment,
            "alpha": self.alpha,
            "power": self.power,
            "sided": "two-sided",
            "formula": "normal approximation, pooled variance under H0",
            "continuity_correction": "fleiss" if self.continuity_correction else None,
            "per_arm_exact": round(self.per_arm_exact, 4),
            "per_arm": self.per_arm,
            "total": self.total,
        }
        if self.dropout is not None and self.inflation_method is not None:
            out.update(
                dropout=self.dropout,
                inflation_method=INFLATION_FORMULAS[self.inflation_method],
                per_arm_inflated=self.per_arm_inflated,
                total_inflated=self.total_inflated,
            )
        return out


def _check_rates(p_control: float, p_treatment: float) -> None:
    require_open_unit("p_control", p_control)
    require_open_unit("p_treatment", p_treatment)
    if p_control == p_treatment:
        raise InvalidParameter("p_treatment", p_treatment, "must differ from p_control")


def per_arm_uncorrected(p_control: float, p_treatment: float, alpha: float, power: float) -> float:
    """Unrounded per-arm n from the pooled-null normal approximation."""
    _check_rates(p_control, p_treatment)
    require_open_unit("alpha", alpha)
    require_open_unit("power", power)
    p_bar = (p_control + p_treatment) / 2
    z_alpha = _NORMAL.inv_cdf(1 - alpha / 2)
    z_beta = _NORMAL.inv_cdf(power)
    spread = math.sqrt(2 * p_bar * (1 - p_bar))
    alternative = math.sqrt(p_control * (1 - p_control) + p_treatment * (1 - p_treatment))
    return float((z_alpha * spread + z_beta * alternative) ** 2 / (p_control - p_treatment) ** 2)


def fleiss_correction(n: float, delta: float) -> float:
    """Fleiss (1980) continuity-corrected n from an uncorrected n and |p1 - p2|."""
    return n / 4 * (1 + math.sqrt(1 + 4 / (n * abs(delta)))) ** 2


def inflate_for_dropout(per_arm: int, dropout: float, method: InflationMethod = "divide") -> int:
    """Per-arm size to enrol so that about `per_arm` remain after a `dropout` fraction is lost.

    'divide' is the correct inverse (n / (1 - d)); 'multiply' (n * (1 + d)) under-inflates
    slightly and exists only to reproduce documents that used it.
    """
    if not 0.0 <= dropout < 1.0:
        raise InvalidParameter("dropout", dropout, "must be at least 0 and below 1")
    if method == "divide":
        return _ceil(per_arm / (1 - dropout))
    if method == "multiply":
        return _ceil(per_arm * (1 + dropout))
    raise InvalidParameter("inflation_method", method, "must be 'divide' or 'multiply'")


def two_proportions_sample_size(
    p_control: float,
    p_treatment: float,
    alpha: float = 0.05,
    power: float = 0.80,
    *,
    continuity_correction: bool = False,
    dropout: float | None = None,
    inflation_method: InflationMethod = "divide",
) -> SampleSize:
    """Per-arm size for a two-sided test of p_control vs p_treatment with 1:1 allocation."""
    n = per_arm_uncorrected(p_control, p_treatment, alpha, power)
    if continuity_correction:
        n = fleiss_correction(n, p_control - p_treatment)
    per_arm = _ceil(n)
    inflated = None if dropout is None else inflate_for_dropout(per_arm, dropout, inflation_method)
    return SampleSize(
        p_control=p_control,
        p_treatment=p_treatment,
        alpha=alpha,
        power=power,
        continuity_correction=continuity_correction,
        per_arm_exact=n,
        per_arm=per_arm,
        dropout=dropout,
        inflation_method=inflation_method if dropout is not None else None,
        per_arm_inflated=inflated,
    )


def two_proportions_power(
    p_control: float, p_treatment: float, n_control: int, n_treatment: int, alpha: float = 0.05
) -> float:
    """Approximate power of the two-sided pooled z test (the inverse of the sample-size formula).

    Ignores the negligible chance of rejecting in the wrong direction, as the formula does.
    """
    _check_rates(p_control, p_treatment)
    require_open_unit("alpha", alpha)
    for name, n in (("n_control", n_control), ("n_treatment", n_treatment)):
        if n < 1:
            raise InvalidParameter(name, n, "must be a positive whole number")
    p_bar = (n_control * p_control + n_treatment * p_treatment) / (n_control + n_treatment)
    null_se = math.sqrt(p_bar * (1 - p_bar) * (1 / n_control + 1 / n_treatment))
    alt_se = math.sqrt(
        p_control * (1 - p_control) / n_control + p_treatment * (1 - p_treatment) / n_treatment
    )
    z_alpha = _NORMAL.inv_cdf(1 - alpha / 2)
    return float(_NORMAL.cdf((abs(p_control - p_treatment) - z_alpha * null_se) / alt_se))
