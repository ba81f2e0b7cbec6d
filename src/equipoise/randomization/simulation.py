"""Balance and predictability of randomization methods, simulated over many trials at once.

Every run enrolls `subjects` subjects one by one; each subject's level of each factor is drawn
independently and uniformly (an assumption, stated in the report: real sites recruit unevenly).
All methods see the same arrivals in a run (common random numbers), so their differences are
differences of method, not of luck.

Methods:
- the protocol's configured method (permuted blocks of its sizes, or minimization);
- `simple`: each subject drawn independently in the ratio;
- `fixed_blocks_4`: stratified permuted blocks all of size 4 (or the smallest multiple of the
  ratio total when 4 is not one);
- `minimization` with the protocol's parameters when it has them and is not already configured.

Measures, at the end of each run, of the imbalance of counts scaled as in `minimization`
(`|n_A - n_B|` for 1:1): overall, within each stratum, within each factor margin. Predictability:
the Blackwell-Hodges convergence guesser, who knows each subject's stratum and every earlier arm
in it, guesses the arm with the fewest (scaled) allocations in that stratum so far, ties at
random; the report gives the share of correct guesses (0.5 is no better than chance for 1:1).

Vectorized over runs with numpy, in chunks of `CHUNK` runs; each chunk has its own generator
derived from the seed and the chunk number, so figures are reproducible for the same seed,
parameters and numpy version.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from equipoise.protocol.schema import Protocol
from equipoise.randomization.minimization import scale_weights
from equipoise.randomization.strata import Stratification, stratum_label

CHUNK = 500
ALGORITHM = "equipoise-simulate-v1"


@dataclass(frozen=True)
class Design:
    """Everything the simulation needs from a protocol, as plain values."""

    arms: tuple[str, ...]  # sorted by id
    ratio: tuple[int, ...]  # weight of each arm, same order
    factors: tuple[tuple[str, tuple[str, ...]], ...]  # (factor id, levels) in protocol order
    configured: str  # "permuted_blocks" or "minimization"
    block_sizes: tuple[int, ...] = ()
    probability_best: float | None = None
    measure: str = "range"
    margin_bound: int | None = None
    weights: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:
        w = scale_weights(dict(zip(self.arms, self.ratio, strict=True)))
        object.__setattr__(self, "weights", tuple(w[a] for a in self.arms))

    @property
    def n_strata(self) -> int:
        return math.prod(len(levels) for _, levels in self.factors)

    def strata_labels(self) -> list[str]:
        """Labels in the internal (mixed-radix, first factor most significant) order."""
        labels = [{}]  # type: list[dict[str, str]]
        for factor, levels in self.factors:
            labels = [{**d, factor: level} for d in labels for level in levels]
        return [stratum_label(d) for d in labels]


def design_from_protocol(protocol: Protocol, stratification: Stratification) -> Design:
    r = protocol.randomization
    arms = tuple(sorted(r.ratio))
    m = r.minimization
    return Design(
        arms=arms,
        ratio=tuple(r.ratio[a] for a in arms),
        factors=tuple((f.id, f.levels) for f in stratification.factors),
        configured=r.method,
        block_sizes=tuple(sorted(set(r.block_sizes))),
        probability_best=m.probability_best if m else None,
        measure=m.imbalance if m else "range",
        margin_bound=m.margin_bound if m else None,
    )


# --- allocation methods, vectorized over runs -------------------------------------------------


def simple_arms(rng: np.random.Generator, runs: int, n: int, ratio: Sequence[int]) -> np.ndarray:
    p = np.asarray(ratio, dtype=float) / sum(ratio)
    return rng.choice(len(ratio), size=(runs, n), p=p)


def block_sequences(
    rng: np.random.Generator, rows: int, n: int, ratio: Sequence[int], sizes: Sequence[int]
) -> np.ndarray:
    """`rows` independent permuted-block sequences of at least n slots (first n returned).

    Blocks are laid out over n + max(size) slots, so every block that reaches into the first n
    slots is complete before it is shuffled; shuffling sorts slots by block number plus a
    uniform in [0, 1), which permutes within blocks and never across them.
    """
    sizes_arr = np.asarray(sorted(set(sizes)))
    width = n + int(sizes_arr.max())
    n_blocks = -(-width // int(sizes_arr.min()))
    block_size = sizes_arr[rng.integers(0, len(sizes_arr), size=(rows, n_blocks))]
    starts = np.cumsum(block_size, axis=1) - block_size
    mark = np.zeros((rows, width + 1), dtype=np.int32)
    np.put_along_axis(mark, np.minimum(starts, width), 1, axis=1)
    block = np.cumsum(mark[:, :width], axis=1) - 1
    slot = np.arange(width)[None, :] - np.take_along_axis(starts, block, axis=1)
    size = np.take_along_axis(block_size, block, axis=1)
    unit = sum(ratio)
    share = slot // (size // unit)  # 0 .. unit-1: which unit of the ratio this slot falls in
    arm = np.searchsorted(np.cumsum(ratio), share, side="right")
    order = np.argsort(block + rng.random((rows, width)), axis=1, kind="stable")
    return np.take_along_axis(arm, order, axis=1)[:, :n]


def stratified_block_arms(
    rng: np.random.Generator,
    strata: np.ndarray,
    n_strata: int,
    ratio: Sequence[int],
    sizes: Sequence[int],
) -> np.ndarray:
    """Arms when each stratum follows its own permuted-block list (strata: runs x subjects)."""
    runs, n = strata.shape
    seqs = block_sequences(rng, runs * n_strata, n, ratio, sizes).reshape(runs, n_strata, n)
    onehot = np.zeros((runs, n, n_strata), dtype=np.int32)
    np.put_along_axis(onehot, strata[:, :, None], 1, axis=2)
    rank = np.take_along_axis(np.cumsum(onehot, axis=1) - onehot, strata[:, :, None], axis=2)[..., 0]
    return seqs[np.arange(runs)[:, None], strata, rank]


def minimization_arms(
    levels: np.ndarray,
    n_levels: Sequence[int],
    weights: Sequence[int],
    probability_best: float,
    measure: str,
    u_group: np.ndarray,
    u_pick: np.ndarray,
) -> np.ndarray:
    """Pocock-Simon over runs at once, with the same rule and draws as `minimization.minimize`.

    levels: runs x subjects x factors (level indexes); u_group, u_pick: runs x subjects.
    """
    runs, n, n_factors = levels.shape
    k = len(weights)
    w = np.asarray(weights, dtype=np.int64)
    counts = np.zeros((runs, n_factors, max(n_levels), k), dtype=np.int64)
    arms = np.zeros((runs, n), dtype=np.int64)
    run_idx = np.arange(runs)[:, None]
    factor_idx = np.arange(n_factors)[None, :]
    eye = np.eye(k, dtype=np.int64)
    for t in range(n):
        lv = levels[:, t, :]
        scaled = counts[run_idx, factor_idx, lv] * w  # runs x factors x arms
        trial = scaled[:, None, :, :] + (eye * w)[None, :, None, :]  # runs x cand x factors x arms
        if measure == "range":
            per_factor = trial.max(axis=3) - trial.min(axis=3)
        else:
            per_factor = k * (trial**2).sum(axis=3) - trial.sum(axis=3) ** 2
        score = per_factor.sum(axis=2)  # runs x candidates
        best = score == score.min(axis=1, keepdims=True)
        all_tie = best.all(axis=1, keepdims=True)
        take_best = all_tie | (u_group[:, t, None] < probability_best)
        candidates = np.where(take_best, best, ~best)
        pick = np.floor(u_pick[:, t] * candidates.sum(axis=1)).astype(np.int64)
        chosen = np.argmax(np.cumsum(candidates, axis=1) > pick[:, None], axis=1)
        arms[:, t] = chosen
        counts[run_idx, factor_idx, lv, chosen[:, None]] += 1
    return arms


# --- measures ---------------------------------------------------------------------------------


def group_imbalance(
    groups: np.ndarray, n_groups: int, arms: np.ndarray, weights: Sequence[int]
) -> np.ndarray:
    """Final scaled-count range per run and group (runs x n_groups)."""
    runs = arms.shape[0]
    k = len(weights)
    flat = (np.arange(runs)[:, None] * n_groups + groups) * k + arms
    counts = np.bincount(flat.ravel(), minlength=runs * n_groups * k).reshape(runs, n_groups, k)
    scaled = counts * np.asarray(weights)
    return scaled.max(axis=2) - scaled.min(axis=2)


def convergence_guesses(
    rng: np.random.Generator, strata: np.ndarray, n_strata: int, arms: np.ndarray, weights: Sequence[int]
) -> np.ndarray:
    """Correct (1) or wrong (0) guess per subject by the convergence strategy within strata."""
    runs, n = strata.shape
    k = len(weights)
    onehot = np.zeros((runs, n, n_strata * k), dtype=np.int32)
    np.put_along_axis(onehot, (strata * k + arms)[:, :, None], 1, axis=2)
    before = (np.cumsum(onehot, axis=1) - onehot).reshape(runs, n, n_strata, k)
    mine = np.take_along_axis(before, strata[:, :, None, None], axis=2)[:, :, 0, :]
    key = mine * np.asarray(weights) + rng.random((runs, n, k)) * 0.5
    return (key.argmin(axis=2) == arms).astype(np.int64)


# --- the run ----------------------------------------------------------------------------------


@dataclass
class _Tally:
    overall: list[np.ndarray] = field(default_factory=list)
    strata: list[np.ndarray] = field(default_factory=list)
    margins: list[np.ndarray] = field(default_factory=list)
    correct: int = 0
    guesses: int = 0


def _seed_int(seed: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{ALGORITHM}\x00{seed}".encode()).digest()[:16], "big")


def methods_of(design: Design) -> dict[str, str]:
    """Method key -> description, configured method first."""
    unit = sum(design.ratio)
    fixed = 4 if 4 % unit == 0 else 2 * unit
    methods: dict[str, str] = {}
    blocks_key = "permuted_blocks_" + "_".join(map(str, design.block_sizes))
    if design.configured == "permuted_blocks":
        methods[blocks_key] = f"stratified permuted blocks of {list(design.block_sizes)} (configured)"
    else:
        methods["minimization"] = "Pocock-Simon minimization (configured)"
    methods["simple"] = "simple randomization"
    methods[f"fixed_blocks_{fixed}"] = f"stratified permuted blocks all of size {fixed}"
    if design.configured != "minimization" and design.probability_best is not None:
        methods["minimization"] = "Pocock-Simon minimization with the protocol's parameters"
    return methods


def _allocate(
    key: str, design: Design, rng: np.random.Generator, strata: np.ndarray, levels: np.ndarray
) -> np.ndarray:
    runs, n = strata.shape
    if key == "simple":
        return simple_arms(rng, runs, n, design.ratio)
    if key == "minimization":
        assert design.probability_best is not None
        return minimization_arms(
            levels,
            [len(lv) for _, lv in design.factors],
            design.weights,
            design.probability_best,
            design.measure,
            rng.random((runs, n)),
            rng.random((runs, n)),
        )
    sizes = [int(s) for s in key.rsplit("blocks_", 1)[1].split("_")]
    return stratified_block_arms(rng, strata, design.n_strata, design.ratio, sizes)


def _summary(values: np.ndarray) -> dict[str, float | int]:
    return {"mean": round(float(values.mean()), 4), "max": int(values.max())}


def simulate(
    design: Design,
    subjects: int,
    runs: int,
    seed: str,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Simulate `runs` trials of `subjects` each under every method; return the report."""
    if subjects < 1:
        raise ValueError(f"subjects: {subjects} must be at least 1")
    if runs < 1:
        raise ValueError(f"runs: {runs} must be at least 1")
    methods = methods_of(design)
    tallies = {key: _Tally() for key in methods}
    n_levels = [len(lv) for _, lv in design.factors]
    radix = np.array([math.prod(n_levels[i + 1 :]) for i in range(len(n_levels))], dtype=np.int64)
    offsets = np.cumsum([0, *n_levels[:-1]])
    base = _seed_int(seed)
    for chunk, start in enumerate(range(0, runs, CHUNK)):
        size = min(CHUNK, runs - start)
        rng = np.random.default_rng([base, chunk])
        levels = np.stack([rng.integers(0, m, size=(size, subjects)) for m in n_levels], axis=2)
        strata = (levels * radix).sum(axis=2)
        margins = levels + offsets  # each factor level gets its own margin index
        for key in methods:
            arms = _allocate(key, design, rng, strata, levels)
            tally = tallies[key]
            tally.overall.append(group_imbalance(np.zeros_like(strata), 1, arms, design.weights)[:, 0])
            tally.strata.append(group_imbalance(strata, design.n_strata, arms, design.weights))
            margin_counts = [
                group_imbalance(margins[:, :, f], sum(n_levels), arms, design.weights)[
                    :, offsets[f] : offsets[f] + n_levels[f]
                ]
                for f in range(len(n_levels))
            ]
            tally.margins.append(np.concatenate(margin_counts, axis=1))
            hits = convergence_guesses(rng, strata, design.n_strata, arms, design.weights)
            tally.correct += int(hits.sum())
            tally.guesses += hits.size
        if on_progress:
            on_progress(size)

    strata_labels = design.strata_labels()
    margin_labels = [stratum_label({f: level}) for f, levels in design.factors for level in levels]
    out: dict[str, Any] = {}
    for key, description in methods.items():
        tally = tallies[key]
        overall = np.concatenate(tally.overall)
        per_stratum = np.concatenate(tally.strata)
        per_margin = np.concatenate(tally.margins)
        values, counts = np.unique(overall, return_counts=True)
        result: dict[str, Any] = {
            "description": description,
            "configured": description.endswith("(configured)"),
            "overall_imbalance": {
                **_summary(overall),
                "distribution": {str(int(v)): round(c / runs, 4) for v, c in zip(values, counts, strict=True)},
            },
            "stratum_imbalance": {
                label: _summary(per_stratum[:, i])
                for i, label in sorted(enumerate(strata_labels), key=lambda p: p[1])
            },
            "margin_imbalance": {label: _summary(per_margin[:, i]) for i, label in enumerate(margin_labels)},
            "correct_guess_rate": round(tally.correct / tally.guesses, 4),
        }
        if design.margin_bound is not None:
            result["runs_with_margin_over_bound"] = round(
                float((per_margin.max(axis=1) > design.margin_bound).mean()), 4
            )
        out[key] = result
    return {
        "algorithm": ALGORITHM,
        "configured_method": design.configured,
        "subjects": subjects,
        "runs": runs,
        "seed": seed,
        "arms": dict(zip(design.arms, design.ratio, strict=True)),
        "factors": {f: list(levels) for f, levels in design.factors},
        "margin_bound": design.margin_bound,
        "assumptions": [
            "each subject's level of every factor is drawn independently and uniformly",
            "the guesser knows each subject's stratum and all earlier arms in it, and guesses "
            "the arm with the fewest allocations there so far (ties at random); against "
            "minimization a guesser who recomputes its scores would do better, so that figure "
            "is a lower bound",
            "imbalance is the range of per-arm counts scaled to the ratio (|n_A - n_B| for 1:1)",
        ],
        "methods": out,
    }
