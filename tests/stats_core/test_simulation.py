"""Design simulation: randomization properties, the analysis, and the vectorized/loop agreement."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import chi2_contingency
from statsmodels.stats.contingency_tables import StratifiedTable

from equipoise.stats import InvalidParameter
from equipoise.stats.sample_size import two_proportions_power
from equipoise.stats.simulation import (
    TrialDesign,
    allocate,
    allocation_sequences,
    block_arrangements,
    cmh_pvalues,
    design_from_protocol,
    draw_trials,
    loop_trial_decisions,
    pearson_pvalues,
    simulate_design,
    vectorized_decisions,
)

PROTOCOL = Path(__file__).resolve().parents[2] / "protocols" / "nct06965244"


@pytest.fixture(scope="module")
def design() -> TrialDesign:
    return design_from_protocol(PROTOCOL)


def test_design_is_read_from_the_protocol(design):
    assert design.arms == ("methotrexate", "lenalidomide")  # comparator is the control
    assert design.ratio == (1, 1)
    assert design.block_sizes == (2, 4, 6)
    assert len(design.strata) == 4  # 2 demo sites x SLE yes/no
    assert design.subjects == 122
    assert design_from_protocol(PROTOCOL, subjects=40).subjects == 40


def test_block_arrangements_are_all_balanced_orders():
    orders = block_arrangements(6, (1, 1))
    assert len(orders) == math.comb(6, 3) == len(set(orders))
    assert all(sum(order) == 3 for order in orders)
    assert block_arrangements(6, (1, 2)) and all(sum(o) == 4 for o in block_arrangements(6, (1, 2)))


def test_every_stratum_list_is_balanced_at_each_block_end(design):
    draws = draw_trials(np.random.default_rng(11), design, 200)
    sequences = allocation_sequences(draws, design).astype(int)
    sizes = np.asarray(design.block_sizes)[draws.block_choice]
    imbalance = np.cumsum(2 * sequences - 1, axis=-1)
    assert np.abs(imbalance).max() <= max(design.block_sizes) // 2
    for run in range(0, 200, 17):
        for s in range(len(design.strata)):
            ends = np.cumsum(sizes[run, s])
            ends = ends[ends <= design.sequence_length]
            assert (imbalance[run, s, ends - 1] == 0).all()


def test_block_orders_are_drawn_uniformly(design):
    draws = draw_trials(np.random.default_rng(5), design, 400)
    sequences = allocation_sequences(draws, design)
    first_block = draws.block_choice[..., 0] == design.block_sizes.index(4)
    seen = Counter(map(tuple, sequences[first_block][:, :4].tolist()))
    assert set(seen) == set(block_arrangements(4, (1, 1)))
    expected = first_block.sum() / 6
    assert max(abs(count - expected) for count in seen.values()) < 5 * math.sqrt(expected)


def test_patients_take_their_stratum_slots_in_order(design):
    draws = draw_trials(np.random.default_rng(3), design, 20)
    arms = allocate(draws, design)
    sequences = allocation_sequences(draws, design)
    for run in range(20):
        for s in range(len(design.strata)):
            mine = arms[run, draws.stratum[run] == s]
            assert (mine == sequences[run, s, : len(mine)]).all()
    # Overall imbalance is bounded by half a largest block per stratum.
    assert np.abs(2 * arms.sum(axis=1) - design.subjects).max() <= 4 * 3


def test_cmh_pvalues_match_statsmodels():
    rng = np.random.default_rng(8)
    tables = rng.integers(0, 15, size=(50, 4, 2, 2))
    tables[0, 1] = 0  # an empty stratum is skipped, as an absent table would be
    ours = cmh_pvalues(tables)
    for k in range(50):
        informative = [t for t in tables[k] if t.sum() > 1]
        theirs = StratifiedTable(informative).test_null_odds().pvalue
        assert ours[k] == pytest.approx(theirs, rel=1e-9, abs=1e-12)


def test_cmh_without_information_is_not_significant():
    everyone_responds = np.zeros((1, 4, 2, 2), dtype=int)
    everyone_responds[..., 1] = 10
    assert cmh_pvalues(everyone_responds)[0] == 1.0


def test_pearson_pvalues_match_scipy():
    rng = np.random.default_rng(9)
    tables = rng.integers(1, 40, size=(40, 2, 2))
    ours = pearson_pvalues(tables)
    for k in range(40):
        assert ours[k] == pytest.approx(chi2_contingency(tables[k], correction=False).pvalue, rel=1e-9)
    assert pearson_pvalues(np.array([[0, 0], [3, 4]]))[()] == 1.0


@pytest.mark.parametrize(
    ("p_control", "p_treatment", "subjects", "seed"),
    [(0.5, 0.75, 122, 1), (0.5, 0.5, 122, 2), (0.05, 0.95, 30, 3), (0.9, 0.97, 7, 4)],
)
def test_vectorized_and_loop_decisions_agree(p_control, p_treatment, subjects, seed):
    design = design_from_protocol(PROTOCOL, subjects=subjects)
    draws = draw_trials(np.random.default_rng(seed), design, 60)
    fast = vectorized_decisions(draws, design, p_control, p_treatment, 0.05)
    slow = loop_trial_decisions(draws, design, p_control, p_treatment, 0.05)
    assert np.array_equal(fast.cmh, slow.cmh)
    assert np.array_equal(fast.pearson, slow.pearson)


def test_a_runs_decision_does_not_depend_on_its_batch(design):
    draws = draw_trials(np.random.default_rng(21), design, 120)
    whole = vectorized_decisions(draws, design, 0.5, 0.75, 0.05).cmh
    part = vectorized_decisions(draws.subset(slice(30, 45)), design, 0.5, 0.75, 0.05).cmh
    assert np.array_equal(whole[30:45], part)


def test_type_one_error_is_near_alpha(design):
    runs = 6000
    result = simulate_design(design, 0.5, 0.5, runs=runs, seed=2024)
    se = math.sqrt(0.05 * 0.95 / runs)
    data = result.as_dict()
    assert abs(data["type_i_error"] - 0.05) < 4 * se
    assert "power" not in data and "analytic_power" not in data


def test_power_is_near_the_analytic_value(design):
    runs = 6000
    result = simulate_design(design, 0.5, 0.75, runs=runs, seed=2025)
    data = result.as_dict()
    analytic = two_proportions_power(0.5, 0.75, 61, 61)
    assert data["analytic_power"] == pytest.approx(analytic)
    # 4 Monte Carlo SEs, plus 0.02 for the normal approximation and stratification.
    assert abs(data["power"] - analytic) < 4 * data["power_mc_se"] + 0.02


def test_same_seed_same_result_and_chunks_are_reproducible(design):
    first = simulate_design(design, 0.5, 0.7, runs=1500, seed=99)
    again = simulate_design(design, 0.5, 0.7, runs=1500, seed=99)
    assert first == again
    other = simulate_design(design, 0.5, 0.7, runs=1500, seed=100)
    assert other.as_dict()["seed"] == 100


def test_progress_is_reported_per_chunk(design):
    seen: list[int] = []
    simulate_design(design, 0.5, 0.7, runs=2500, seed=1, progress=seen.append)
    assert seen == [1000, 1000, 500]


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"runs": 0}, "runs"), ({"seed": -1}, "seed"), ({"alpha": 1.0}, "alpha"), ({"p_control": 0.0}, "p_control")],
)
def test_bad_simulation_input_names_the_parameter(design, kwargs, name):
    args = {"p_control": 0.5, "p_treatment": 0.7, "runs": 10, "seed": 1} | kwargs
    with pytest.raises(InvalidParameter) as err:
        simulate_design(design, **args)
    assert err.value.name == name


def test_design_rejects_blocks_that_cannot_hold_the_ratio():
    with pytest.raises(InvalidParameter) as err:
        TrialDesign(("a", "b"), (1, 1), (2, 3), ("all",), 20)
    assert err.value.name == "block_sizes"
    with pytest.raises(InvalidParameter) as err:
        TrialDesign(("a", "b"), (1, 1), (2,), ("all",), 1)
    assert err.value.name == "subjects"
