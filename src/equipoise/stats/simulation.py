"""Monte Carlo simulation of a two-arm trial design: randomization, binary outcome, analysis.

Each simulated trial enrols `subjects` patients who fall into strata with equal probability,
are allocated by stratified permuted blocks (block sizes drawn at random from the protocol's
list, arms in the protocol's ratio), respond with their arm's probability, and are analysed by
the Cochran-Mantel-Haenszel test stratified by the same strata (two-sided, no continuity
correction, reject when p < alpha). The unstratified Pearson chi-square (no continuity
correction) is reported beside it because it costs almost nothing.

All randomness for a batch of runs is drawn up front into a `TrialDraws` (one generator per
fixed-size chunk, spawned from the seed), and the vectorized code only transforms those arrays.
`loop_trial_decisions` replays the very same draws one trial at a time with plain Python and
statsmodels; the tests and `benchmarks/simulation.py` use it to check the fast path decision by
decision.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.stats import chi2 as chi2_dist

from equipoise.stats import InvalidParameter, require_open_unit
from equipoise.stats.sample_size import two_proportions_power

# Runs per chunk. Fixed, because each chunk gets its own spawned generator: changing it would
# change which random numbers each run sees, and so the results for a given seed.
CHUNK_RUNS = 1000

# Blocks are drawn from a table of all their arrangements; 16 keeps that table small (12,870).
MAX_BLOCK_SIZE = 16

EQUAL_STRATA_ASSUMPTION = (
    "Each patient falls into each stratum with equal probability (the real split of sites and "
    "associated SLE is unknown)."
)


@dataclass(frozen=True)
class TrialDesign:
    """What the simulation needs to know about a two-arm, stratified permuted-block design.

    Index 0 is the control arm and index 1 the treatment arm throughout.
    """

    arms: tuple[str, str]
    ratio: tuple[int, int]
    block_sizes: tuple[int, ...]
    strata: tuple[str, ...]
    subjects: int

    def __post_init__(self) -> None:
        if self.subjects < 2:
            raise InvalidParameter("subjects", self.subjects, "must be at least 2")
        if len(self.arms) != 2 or len(self.ratio) != 2 or min(self.ratio) < 1:
            raise InvalidParameter("arms", self.arms, "the simulation handles two arms with positive ratios")
        if not self.block_sizes:
            raise InvalidParameter("block_sizes", self.block_sizes, "must list at least one block size")
        for size in self.block_sizes:
            if size > MAX_BLOCK_SIZE:
                raise InvalidParameter("block_sizes", size, f"must be at most {MAX_BLOCK_SIZE}")
            if size < 1 or size % sum(self.ratio):
                raise InvalidParameter(
                    "block_sizes", size, f"each block size must be a positive multiple of {sum(self.ratio)}"
                )
        if not self.strata:
            raise InvalidParameter("strata", self.strata, "must name at least one stratum")

    @property
    def sequence_length(self) -> int:
        """Allocation slots kept per stratum: a stratum never holds more than `subjects` patients."""
        return self.subjects

    @property
    def max_blocks(self) -> int:
        return math.ceil(self.sequence_length / min(self.block_sizes))

    def as_dict(self) -> dict[str, object]:
        return {
            "arms": {"control": self.arms[0], "treatment": self.arms[1]},
            "ratio": {self.arms[0]: self.ratio[0], self.arms[1]: self.ratio[1]},
            "block_sizes": list(self.block_sizes),
            "strata": list(self.strata),
            "subjects": self.subjects,
        }


def design_from_protocol(protocol_dir: Path | str, subjects: int | None = None) -> TrialDesign:
    """Read arms, ratio, block sizes and strata from a protocol directory.

    The control arm is the one typed as a comparator. Strata are the cross product of the
    factors: a `site` factor has one level per registry site, a variable factor its listed levels.
    """
    from equipoise.protocol.loader import load_protocol

    protocol = load_protocol(protocol_dir).protocol
    randomization = protocol.randomization
    if randomization.method != "permuted_blocks":
        raise InvalidParameter(
            "randomization.method", randomization.method, "the simulation handles permuted_blocks only"
        )
    if len(protocol.arms) != 2:
        raise InvalidParameter("arms", [a.id for a in protocol.arms], "the simulation handles two arms")
    comparator = [a for a in protocol.arms if a.type.endswith("_COMPARATOR") or a.type == "NO_INTERVENTION"]
    control = comparator[0] if len(comparator) == 1 else protocol.arms[0]
    treatment = next(a for a in protocol.arms if a.id != control.id)

    levels: list[list[str]] = []
    for factor in randomization.factors:
        if factor.source == "site":
            levels.append([f"{factor.id}={site.code}" for site in protocol.registry.sites])
        else:
            levels.append([f"{factor.id}={level}" for level in factor.levels or []])
    strata = [""]
    for factor_levels in levels:
        strata = [f"{s},{lv}" if s else lv for s in strata for lv in factor_levels]

    return TrialDesign(
        arms=(control.id, treatment.id),
        ratio=(randomization.ratio[control.id], randomization.ratio[treatment.id]),
        block_sizes=tuple(randomization.block_sizes),
        strata=tuple(strata) if strata != [""] else ("all",),
        subjects=subjects if subjects is not None else protocol.registry.enrollment,
    )


@dataclass(frozen=True)
class TrialDraws:
    """Every random number a batch of simulated trials uses, indexed by run first.

    stratum      (runs, subjects)       stratum of each patient in enrolment order
    block_choice (runs, strata, blocks) index into `block_sizes` for each successive block
    block_u      (runs, strata, blocks) uniform; picks which balanced arrangement the block gets
    outcome_u    (runs, subjects)       uniform; a patient responds when below their arm's rate
    """

    stratum: np.ndarray
    block_choice: np.ndarray
    block_u: np.ndarray
    outcome_u: np.ndarray

    @property
    def runs(self) -> int:
        return self.stratum.shape[0]

    def subset(self, runs: slice | np.ndarray) -> TrialDraws:
        return TrialDraws(
            self.stratum[runs], self.block_choice[runs], self.block_u[runs], self.outcome_u[runs]
        )


def draw_trials(rng: np.random.Generator, design: TrialDesign, runs: int) -> TrialDraws:
    strata = len(design.strata)
    blocks = (runs, strata, design.max_blocks)
    return TrialDraws(
        stratum=rng.integers(0, strata, size=(runs, design.subjects), dtype=np.int64),
        block_choice=rng.integers(0, len(design.block_sizes), size=blocks),
        block_u=rng.random(blocks),
        outcome_u=rng.random((runs, design.subjects)),
    )


def block_arrangements(size: int, ratio: tuple[int, int]) -> list[tuple[int, ...]]:
    """Every distinct order of one block (0 control, 1 treatment), in a fixed order.

    Drawing one of them uniformly is the same as randomly permuting the block. Sizes stay small
    (a protocol's blocks rarely exceed 8), so listing them is cheap: 20 orders for a block of 6.
    """
    control = size * ratio[0] // sum(ratio)
    return [
        tuple(1 if i in treated else 0 for i in range(size))
        for treated in itertools.combinations(range(size), size - control)
    ]


def arrangement_index(u: np.ndarray | float, count: np.ndarray | int) -> np.ndarray | int:
    """Map a uniform draw to one of `count` arrangements; shared by the fast and the loop path."""
    return np.floor(np.asarray(u) * count).astype(np.int64)


def allocation_sequences(draws: TrialDraws, design: TrialDesign) -> np.ndarray:
    """Per run and stratum, the first `subjects` slots of the permuted-block list (0/1 arms).

    Each block's arrangement is looked up in a table of all balanced arrangements, the blocks
    are laid end to end, and the first `subjects` slots of each list are kept.
    """
    sizes_list = design.block_sizes
    max_size = max(sizes_list)
    tables = [block_arrangements(size, design.ratio) for size in sizes_list]
    counts = np.array([len(t) for t in tables])
    table = np.zeros((len(sizes_list), counts.max(), max_size), dtype=np.int8)
    for k, arrangements in enumerate(tables):
        table[k, : len(arrangements), : sizes_list[k]] = arrangements

    choice = draws.block_choice
    sizes = np.asarray(sizes_list)[choice]  # (R, S, B)
    row = choice * counts.max() + arrangement_index(draws.block_u, counts[choice])
    patterns = table.reshape(-1, max_size)[row]  # (R, S, B, max)
    valid = np.arange(max_size) < sizes[..., None]
    rows = choice.shape[0] * choice.shape[1]
    laid_out = patterns.reshape(rows, -1)[valid.reshape(rows, -1)]
    ends = np.cumsum(sizes.reshape(rows, -1).sum(-1))
    first = np.concatenate(([0], ends[:-1]))
    slots = first[:, None] + np.arange(design.sequence_length)
    return laid_out[slots].reshape(choice.shape[0], choice.shape[1], design.sequence_length)


def allocate(draws: TrialDraws, design: TrialDesign) -> np.ndarray:
    """Arm of each patient (runs, subjects): the next unused slot of their stratum's list."""
    strata = len(design.strata)
    in_stratum = draws.stratum[:, None, :] == np.arange(strata)[:, None]  # (R, S, n)
    seen = np.cumsum(in_stratum, axis=2, dtype=np.int32)
    slot = np.take_along_axis(seen, draws.stratum[:, None, :], axis=1)[:, 0, :] - 1
    sequences = allocation_sequences(draws, design)
    return sequences[np.arange(draws.runs)[:, None], draws.stratum, slot]


def stratified_tables(
    draws: TrialDraws, design: TrialDesign, p_control: float, p_treatment: float
) -> np.ndarray:
    """Counts (runs, strata, arm, response) with arm 0 control and response 1 = responder."""
    arm = allocate(draws, design)
    rate = np.where(arm == 1, p_treatment, p_control)
    response = (draws.outcome_u < rate).astype(np.int64)
    strata = len(design.strata)
    cell = ((np.arange(draws.runs)[:, None] * strata + draws.stratum) * 2 + arm) * 2 + response
    counts = np.bincount(cell.ravel(), minlength=draws.runs * strata * 4)
    return counts.reshape(draws.runs, strata, 2, 2)


def cmh_pvalues(tables: np.ndarray) -> np.ndarray:
    """Two-sided CMH p-values (no continuity correction) for tables shaped (..., strata, 2, 2).

    Strata with fewer than two patients carry no information and are skipped (statsmodels would
    return NaN for them). When no stratum has variance (e.g. everyone responded) the p-value is 1.
    """
    t = tables.astype(np.float64)
    a = t[..., 1, 1]
    row_treat = t[..., 1, :].sum(-1)
    row_ctrl = t[..., 0, :].sum(-1)
    col_resp = t[..., :, 1].sum(-1)
    col_non = t[..., :, 0].sum(-1)
    n = row_treat + row_ctrl
    usable = n > 1
    safe_n = np.where(usable, n, 2.0)
    expected = np.where(usable, row_treat * col_resp / safe_n, a)
    variance = np.where(usable, row_treat * row_ctrl * col_resp * col_non / (safe_n**2 * (safe_n - 1)), 0.0)
    deviation = (a - expected).sum(-1)
    total_var = variance.sum(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = np.where(total_var > 0, deviation**2 / np.where(total_var > 0, total_var, 1.0), 0.0)
    return np.where(total_var > 0, chi2_dist.sf(statistic, 1), 1.0)


def pearson_pvalues(tables: np.ndarray) -> np.ndarray:
    """Two-sided Pearson chi-square p-values (no continuity correction) for (..., 2, 2) tables.

    A table with an empty row or column has no test; its p-value is 1.
    """
    t = tables.astype(np.float64)
    rows = t.sum(-1)
    cols = t.sum(-2)
    n = rows.sum(-1)
    denom = rows[..., 0] * rows[..., 1] * cols[..., 0] * cols[..., 1]
    cross = t[..., 0, 0] * t[..., 1, 1] - t[..., 0, 1] * t[..., 1, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = np.where(denom > 0, n * cross**2 / np.where(denom > 0, denom, 1.0), 0.0)
    return np.where(denom > 0, chi2_dist.sf(statistic, 1), 1.0)


@dataclass(frozen=True)
class Decisions:
    """Per-run rejections of the null hypothesis, stratified and unstratified."""

    cmh: np.ndarray
    pearson: np.ndarray


def vectorized_decisions(
    draws: TrialDraws, design: TrialDesign, p_control: float, p_treatment: float, alpha: float
) -> Decisions:
    tables = stratified_tables(draws, design, p_control, p_treatment)
    return Decisions(
        cmh=cmh_pvalues(tables) < alpha,
        pearson=pearson_pvalues(tables.sum(axis=1)) < alpha,
    )


def loop_trial_decisions(
    draws: TrialDraws, design: TrialDesign, p_control: float, p_treatment: float, alpha: float
) -> Decisions:
    """The same trials, one at a time, in plain Python with statsmodels and SciPy doing the tests.

    Deliberately written without the array tricks of the fast path: build each stratum's list
    block by block, hand each patient the next slot, count, and call the library tests.
    """
    from scipy.stats import chi2_contingency
    from statsmodels.stats.contingency_tables import StratifiedTable

    arrangements_by_size = {size: block_arrangements(size, design.ratio) for size in design.block_sizes}
    cmh: list[bool] = []
    pearson: list[bool] = []
    for run in range(draws.runs):
        lists: list[list[int]] = []
        for s in range(len(design.strata)):
            sequence: list[int] = []
            for choice, u in zip(draws.block_choice[run, s], draws.block_u[run, s], strict=True):
                arrangements = arrangements_by_size[design.block_sizes[int(choice)]]
                sequence.extend(arrangements[int(arrangement_index(u, len(arrangements)))])
            lists.append(sequence)

        used = [0] * len(design.strata)
        tables = np.zeros((len(design.strata), 2, 2), dtype=np.int64)
        for i in range(design.subjects):
            s = int(draws.stratum[run, i])
            arm = lists[s][used[s]]
            used[s] += 1
            rate = p_treatment if arm == 1 else p_control
            tables[s, arm, int(draws.outcome_u[run, i] < rate)] += 1

        informative = [tables[s] for s in range(len(tables)) if tables[s].sum() > 1]
        with np.errstate(invalid="ignore", divide="ignore"):  # no information: NaN, not rejected
            pvalue = StratifiedTable(informative).test_null_odds().pvalue if informative else np.nan
        cmh.append(bool(pvalue < alpha))

        pooled = tables.sum(axis=0)
        if (pooled.sum(axis=0) > 0).all() and (pooled.sum(axis=1) > 0).all():
            pearson.append(bool(chi2_contingency(pooled, correction=False).pvalue < alpha))
        else:
            pearson.append(False)
    return Decisions(cmh=np.array(cmh, dtype=bool), pearson=np.array(pearson, dtype=bool))


@dataclass(frozen=True)
class SimulationResult:
    design: TrialDesign
    p_control: float
    p_treatment: float
    alpha: float
    runs: int
    seed: int
    cmh_rejections: int
    pearson_rejections: int

    @staticmethod
    def _rate(rejections: int, runs: int) -> dict[str, float]:
        rate = rejections / runs
        return {"rejection_rate": rate, "mc_se": math.sqrt(rate * (1 - rate) / runs)}

    @property
    def null_is_true(self) -> bool:
        return self.p_control == self.p_treatment

    def as_dict(self) -> dict[str, object]:
        cmh = self._rate(self.cmh_rejections, self.runs)
        out: dict[str, object] = {
            "p_control": self.p_control,
            "p_treatment": self.p_treatment,
            "alpha": self.alpha,
            "runs": self.runs,
            "seed": self.seed,
            "design": self.design.as_dict(),
            "randomization": "stratified permuted blocks, block size drawn uniformly from the list",
            "primary_analysis": "Cochran-Mantel-Haenszel test by stratum, two-sided, no continuity correction, reject when p < alpha",
            "cmh": cmh,
            "unstratified_chi2": {
                "test": "Pearson chi-square, no continuity correction",
                **self._rate(self.pearson_rejections, self.runs),
            },
            "assumptions": [EQUAL_STRATA_ASSUMPTION],
        }
        key = "type_i_error" if self.null_is_true else "power"
        out[key] = cmh["rejection_rate"]
        out[f"{key}_mc_se"] = cmh["mc_se"]
        if not self.null_is_true:
            half = self.design.subjects / 2
            out["analytic_power"] = two_proportions_power(
                self.p_control, self.p_treatment, math.floor(half), math.ceil(half), self.alpha
            )
            out["analytic_power_note"] = "unstratified pooled z test with equal arms, normal approximation"
        return out


def chunk_sizes(runs: int) -> list[int]:
    return [min(CHUNK_RUNS, runs - start) for start in range(0, runs, CHUNK_RUNS)]


def chunk_draws(seed: int, design: TrialDesign, runs: int):
    """Yield the draws chunk by chunk; chunk k always comes from the k-th spawned generator."""
    sizes = chunk_sizes(runs)
    for child, size in zip(np.random.SeedSequence(seed).spawn(len(sizes)), sizes, strict=True):
        yield draw_trials(np.random.default_rng(child), design, size)


def simulate_design(
    design: TrialDesign,
    p_control: float,
    p_treatment: float,
    runs: int,
    seed: int,
    alpha: float = 0.05,
    progress: Callable[[int], None] | None = None,
) -> SimulationResult:
    """Simulate `runs` trials; `progress` is told how many runs each finished chunk held."""
    require_open_unit("p_control", p_control)
    require_open_unit("p_treatment", p_treatment)
    require_open_unit("alpha", alpha)
    if runs < 1:
        raise InvalidParameter("runs", runs, "must be at least 1")
    if seed < 0:
        raise InvalidParameter("seed", seed, "must be a non-negative whole number")
    cmh = pearson = 0
    for draws in chunk_draws(seed, design, runs):
        decisions = vectorized_decisions(draws, design, p_control, p_treatment, alpha)
        cmh += int(decisions.cmh.sum())
        pearson += int(decisions.pearson.sum())
        if progress is not None:
            progress(draws.runs)
    return SimulationResult(design, p_control, p_treatment, alpha, runs, seed, cmh, pearson)
