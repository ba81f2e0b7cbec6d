"""Benchmark: vectorized design simulation against a one-trial-at-a-time loop with statsmodels.

Both paths read the very same random draws (drawn up front), so besides the speed ratio this
checks, run by run, that they reach the same CMH and chi-square decisions. Exits 1 if any
decision differs.

    .venv/bin/python benchmarks/simulation.py [--runs 20000] [--loop-runs 300] [--seed 20250501]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from equipoise.stats.simulation import (
    chunk_draws,
    design_from_protocol,
    loop_trial_decisions,
    simulate_design,
    vectorized_decisions,
)

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20000, help="trials for the vectorized rate")
    parser.add_argument("--loop-runs", type=int, default=300, help="trials for the loop baseline")
    parser.add_argument("--seed", type=int, default=20250501)
    parser.add_argument("--p-control", type=float, default=0.50)
    parser.add_argument("--p-treatment", type=float, default=0.75)
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--protocol", default=str(ROOT / "protocols" / "nct06965244"))
    args = parser.parse_args(argv)

    design = design_from_protocol(args.protocol)
    rates = (args.p_control, args.p_treatment, args.alpha)
    print(
        f"design: {design.subjects} patients, arms {design.arms}, ratio {design.ratio}, "
        f"blocks {design.block_sizes}, {len(design.strata)} strata; "
        f"p {args.p_control} vs {args.p_treatment}, alpha {args.alpha}, seed {args.seed}"
    )

    # Same draws for both paths: the first runs of the first chunk that `simulate_design` uses.
    first_chunk = next(chunk_draws(args.seed, design, args.runs))
    subset = first_chunk.subset(slice(0, args.loop_runs))
    fast = vectorized_decisions(subset, design, *rates)
    in_chunk = vectorized_decisions(first_chunk, design, *rates).cmh[: subset.runs]
    if not np.array_equal(in_chunk, fast.cmh):
        print("FAIL: a run's decision depends on the other runs in its chunk", file=sys.stderr)
        return 1

    start = time.perf_counter()
    slow = loop_trial_decisions(subset, design, *rates)
    loop_seconds = time.perf_counter() - start

    start = time.perf_counter()
    result = simulate_design(design, args.p_control, args.p_treatment, args.runs, args.seed, args.alpha)
    vector_seconds = time.perf_counter() - start

    cmh_agree = int((fast.cmh == slow.cmh).sum())
    chi2_agree = int((fast.pearson == slow.pearson).sum())
    loop_rate = subset.runs / loop_seconds
    vector_rate = args.runs / vector_seconds
    n = subset.runs
    print(f"loop (statsmodels StratifiedTable, one trial at a time): {n} trials in {loop_seconds:.3f} s = {loop_rate:,.0f} trials/s")
    print(f"vectorized (numpy, chunks of runs, random draws included): {args.runs} trials in {vector_seconds:.3f} s = {vector_rate:,.0f} trials/s")
    print(f"speed-up: {vector_rate / loop_rate:.1f}x")
    print(f"decisions on the shared {n} trials: CMH {cmh_agree}/{n} agree, chi-square {chi2_agree}/{n} agree")
    print(
        f"rejection rate on the subset: vectorized {fast.cmh.mean():.4f}, loop {slow.cmh.mean():.4f}; "
        f"full run CMH power {result.cmh_rejections / result.runs:.4f}"
    )
    if cmh_agree != n or chi2_agree != n:
        differing = np.flatnonzero((fast.cmh != slow.cmh) | (fast.pearson != slow.pearson))
        print(f"FAIL: decisions differ in runs {differing[:20].tolist()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
