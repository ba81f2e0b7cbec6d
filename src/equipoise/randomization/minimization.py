"""Pocock-Simon minimization with a random element, as a pure function.

For a new subject, for each candidate arm `a`, imagine the subject allocated to `a`; for every
stratification factor take the counts per arm among earlier subjects who share the new
subject's level of that factor (the factor's *margin*), plus the new subject on `a`, and
measure their imbalance; the arm's score is the sum over factors (all factors weigh the same).

Counts are compared in proportion to the ratio: with ratio weights r, each count n_arm is
scaled to n_arm * (L / r_arm), L the least common multiple of the weights, so that 2:1 is
"balanced" at 2:1 and every comparison is exact integer arithmetic.

- `range` imbalance: max - min of the scaled counts.
- `variance` imbalance: K * sum(x^2) - (sum x)^2 over the K scaled counts, which is K^2 times
  the population variance: the same order, in integers.

Choice, with `p = probability_best`: if every arm scores the same, any arm, uniformly;
otherwise with probability p one of the lowest-scoring arms, else one of the others, uniformly
within the chosen group. The rng is consumed identically on every call - exactly two
`rng.random()` draws, `u_group` then `u_pick` - and an arm is taken as
`candidates[floor(u_pick * len(candidates))]` from candidates sorted by arm id. This makes the
decision reproducible from the recorded draws, and lets the vectorized simulation reuse the
same rule.

What this guarantees (and what it does not): with one factor and p = 1 every margin's
imbalance stays within 1 for 1:1 - the subject always goes to the lagging arm of its only
margin. With several factors no per-margin bound holds, even at p = 1: when one margin leans
to arm A and another to arm B, the scores tie and the tie is broken at random. The protocol's
`margin_bound` is therefore a monitoring threshold, checked by simulation, not an invariant.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

IMBALANCE_MEASURES = ("range", "variance")


class UniformSource(Protocol):
    """Anything with `random() -> float` in [0, 1): `random.Random`, or recorded draws."""

    def random(self) -> float: ...


class PriorAllocation(NamedTuple):
    """An earlier subject: its factor levels and the arm it received."""

    levels: Mapping[str, str]
    arm: str


@dataclass(frozen=True)
class MinimizationDecision:
    """The arm chosen and why: the score of each arm and which arms scored lowest."""

    arm: str
    scores: dict[str, int]
    best: tuple[str, ...]
    followed_best: bool  # False when the random element sent the subject to a worse arm
    draws: tuple[float, float]


def scale_weights(ratio: Mapping[str, int]) -> dict[str, int]:
    """Multipliers that put counts on a common scale: L / r_arm, L = lcm of the weights."""
    common = math.lcm(*ratio.values())
    return {arm: common // weight for arm, weight in ratio.items()}


def imbalance(scaled: Sequence[int], measure: str) -> int:
    """The imbalance of scaled per-arm counts (see module docstring)."""
    if measure == "range":
        return max(scaled) - min(scaled)
    if measure == "variance":
        return len(scaled) * sum(x * x for x in scaled) - sum(scaled) ** 2
    raise ValueError(f"imbalance: {measure!r} is not one of {list(IMBALANCE_MEASURES)}")


def margin_counts(
    history: Sequence[PriorAllocation], factor: str, level: str, arms: Sequence[str]
) -> dict[str, int]:
    """Counts per arm among earlier subjects with `level` of `factor`."""
    counts = dict.fromkeys(arms, 0)
    for prior in history:
        if prior.levels.get(factor) == level:
            if prior.arm not in counts:
                raise ValueError(f"history: arm {prior.arm!r} is not one of {list(arms)}")
            counts[prior.arm] += 1
    return counts


def arm_scores(
    history: Sequence[PriorAllocation],
    levels: Mapping[str, str],
    factors: Sequence[str],
    ratio: Mapping[str, int],
    measure: str = "range",
) -> dict[str, int]:
    """Score of each candidate arm: summed imbalance over the new subject's margins."""
    arms = sorted(ratio)
    weights = scale_weights(ratio)
    for factor in factors:
        if factor not in levels:
            raise ValueError(f"levels: factor {factor!r} is missing")
    margins = [margin_counts(history, f, levels[f], arms) for f in factors]
    scores: dict[str, int] = {}
    for candidate in arms:
        total = 0
        for counts in margins:
            scaled = [(counts[a] + (a == candidate)) * weights[a] for a in arms]
            total += imbalance(scaled, measure)
        scores[candidate] = total
    return scores


def choose(
    scores: Mapping[str, int], probability_best: float, u_group: float, u_pick: float
) -> tuple[str, tuple[str, ...], bool]:
    """Apply the random element to the scores with two uniform draws in [0, 1)."""
    if not 0.0 <= u_group < 1.0 or not 0.0 <= u_pick < 1.0:
        raise ValueError(f"draws: {u_group!r}, {u_pick!r} must lie in [0, 1)")
    arms = sorted(scores)
    low = min(scores.values())
    best = tuple(a for a in arms if scores[a] == low)
    if len(best) == len(arms):
        candidates, followed = best, True
    elif u_group < probability_best:
        candidates, followed = best, True
    else:
        candidates, followed = tuple(a for a in arms if a not in best), False
    return candidates[int(u_pick * len(candidates))], best, followed


def minimize(
    history: Sequence[PriorAllocation],
    levels: Mapping[str, str],
    factors: Sequence[str],
    ratio: Mapping[str, int],
    probability_best: float,
    rng: UniformSource,
    measure: str = "range",
) -> MinimizationDecision:
    """Choose the arm for a subject with `levels`, given every earlier allocation."""
    if len(ratio) < 2:
        raise ValueError(f"ratio: {dict(ratio)} needs at least two arms")
    if not 0.0 < probability_best <= 1.0:
        raise ValueError(f"probability_best: {probability_best!r} must lie in (0, 1]")
    scores = arm_scores(history, levels, factors, ratio, measure)
    u_group, u_pick = rng.random(), rng.random()
    arm, best, followed = choose(scores, probability_best, u_group, u_pick)
    return MinimizationDecision(arm, scores, best, followed, (u_group, u_pick))
