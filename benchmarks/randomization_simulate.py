"""How fast the vectorized randomization simulation is, against a plain-Python baseline.

Baseline: the pure `minimize` function run subject by subject, trial by trial (what a simple
loop over the allocator would do). Measured: `minimization_arms`, the numpy version the
`simulate` command uses, on the same arrivals and draws (their arms are checked equal). Then
the full `equipoise randomization simulate` workload (122 subjects x 10000 runs, all four
methods) is timed once.

Run: .venv/bin/python benchmarks/randomization_simulate.py
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from equipoise.protocol.loader import load_protocol
from equipoise.randomization.minimization import PriorAllocation, minimize
from equipoise.randomization.simulation import design_from_protocol, minimization_arms, simulate
from equipoise.randomization.strata import stratification_from_protocol

ROOT = Path(__file__).resolve().parents[1]
RUNS, SUBJECTS = 200, 122


class Draws:
    def __init__(self, values):
        self.values = iter(values)

    def random(self) -> float:
        return next(self.values)


def main() -> None:
    protocol = load_protocol(ROOT / "protocols" / "nct06965244").protocol
    design = design_from_protocol(protocol, stratification_from_protocol(protocol))
    n_levels = [len(levels) for _, levels in design.factors]
    factor_ids = [f for f, _ in design.factors]
    ratio = dict(zip(design.arms, design.ratio, strict=True))
    rng = np.random.default_rng(0)
    levels = np.stack([rng.integers(0, m, size=(RUNS, SUBJECTS)) for m in n_levels], axis=2)
    u_group, u_pick = rng.random((RUNS, SUBJECTS)), rng.random((RUNS, SUBJECTS))
    p = design.probability_best

    start = time.perf_counter()
    baseline = np.zeros((RUNS, SUBJECTS), dtype=np.int64)
    for r in range(RUNS):
        history: list[PriorAllocation] = []
        for t in range(SUBJECTS):
            subject = {f: design.factors[i][1][levels[r, t, i]] for i, f in enumerate(factor_ids)}
            draws = Draws([float(u_group[r, t]), float(u_pick[r, t])])
            arm = minimize(history, subject, factor_ids, ratio, p, draws, design.measure).arm
            history.append(PriorAllocation(subject, arm))
            baseline[r, t] = design.arms.index(arm)
    pure = time.perf_counter() - start

    start = time.perf_counter()
    fast = minimization_arms(levels, n_levels, design.weights, p, design.measure, u_group, u_pick)
    vectorized = time.perf_counter() - start
    assert (fast == baseline).all(), "vectorized and pure minimization disagree"

    print(f"minimization, {RUNS} runs x {SUBJECTS} subjects:")
    print(f"  baseline pure-Python loop   {pure:8.3f} s")
    print(f"  vectorized (numpy)          {vectorized:8.3f} s")
    print(f"  speed-up                    {pure / vectorized:8.1f}x")

    start = time.perf_counter()
    simulate(design, SUBJECTS, 10000, "benchmark")
    full = time.perf_counter() - start
    print(f"full simulate, 10000 runs x {SUBJECTS} subjects, 4 methods: {full:.2f} s")
    print(f"  baseline loop would need about {pure / RUNS * 10000:.0f} s for minimization alone "
          f"(ratio {pure / RUNS * 10000 / full:.0f}x)")


if __name__ == "__main__":
    main()
