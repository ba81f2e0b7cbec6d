"""Confidence intervals for a single proportion and for a difference of two proportions.

The default for a difference is Newcombe's hybrid score interval (method 10 of Newcombe 1998),
built from the two Wilson score intervals. Unlike the Wald interval it stays inside [-1, 1],
does not collapse to a point at 0/n or n/n, and keeps close to its nominal coverage with the
small arms of an academic trial. Wald is offered for comparison with older reports.
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

DiffMethod = Literal["newcombe", "wald"]
DIFF_METHODS: tuple[str, ...] = ("newcombe", "wald")

METHOD_NAMES: dict[str, str] = {
    "newcombe": "Newcombe hybrid score (method 10, from Wilson score intervals)",
    "wald": "Wald (unpooled normal approximation)",
}


@dataclass(frozen=True)
class Interval:
    estimate: float
    lower: float
    upper: float


@dataclass(frozen=True)
class DifferenceCI:
    """p1 - p2 with its interval, the inputs and how it was computed."""

    x1: int
    n1: int
    x2: int
    n2: int
    confidence: float
    method: DiffMethod
    difference: float
    lower: float
    upper: float

    def as_dict(self) -> dict[str, object]:
        return {
            "x1": self.x1,
            "n1": self.n1,
            "x2": self.x2,
            "n2": self.n2,
            "p1": self.x1 / self.n1,
            "p2": self.x2 / self.n2,
            "difference": self.difference,
            "lower": self.lower,
            "upper": self.upper,
            "confidence": self.confidence,
            "method": self.method,
            "method_name": METHOD_NAMES[self.method],
        }


def _check_count(x_name: str, x: int, n_name: str, n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InvalidParameter(n_name, n, "must be a whole number of at least 1")
    if isinstance(x, bool) or not isinstance(x, int) or not 0 <= x <= n:
        raise InvalidParameter(x_name, x, f"must be a whole number from 0 to {n_name} ({n})")


def _z(confidence: float) -> float:
    require_open_unit("confidence", confidence)
    return float(_NORMAL.inv_cdf(1 - (1 - confidence) / 2))


def wilson_interval(x: int, n: int, confidence: float = 0.95) -> Interval:
    """Wilson score interval for x/n (no continuity correction).

    At x = 0 the lower bound is exactly 0 and at x = n the upper bound is exactly 1; they are
    set so rather than left to rounding, because Newcombe's interval subtracts them from p.
    """
    _check_count("x", x, "n", n)
    z = _z(confidence)
    p = x / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    lower = 0.0 if x == 0 else centre - half
    upper = 1.0 if x == n else centre + half
    return Interval(p, lower, upper)


def difference_ci(
    x1: int,
    n1: int,
    x2: int,
    n2: int,
    confidence: float = 0.95,
    method: DiffMethod = "newcombe",
) -> DifferenceCI:
    """Interval for p1 - p2 where p1 = x1/n1 and p2 = x2/n2 (independent samples)."""
    _check_count("x1", x1, "n1", n1)
    _check_count("x2", x2, "n2", n2)
    z = _z(confidence)
    p1, p2 = x1 / n1, x2 / n2
    d = p1 - p2
    if method == "newcombe":
        a = wilson_interval(x1, n1, confidence)
        b = wilson_interval(x2, n2, confidence)
        lower = d - math.sqrt((p1 - a.lower) ** 2 + (b.upper - p2) ** 2)
        upper = d + math.sqrt((a.upper - p1) ** 2 + (p2 - b.lower) ** 2)
    elif method == "wald":
        se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
        lower, upper = d - z * se, d + z * se
    else:
        raise InvalidParameter("method", method, f"must be one of {', '.join(DIFF_METHODS)}")
    return DifferenceCI(x1, n1, x2, n2, confidence, method, d, lower, upper)
