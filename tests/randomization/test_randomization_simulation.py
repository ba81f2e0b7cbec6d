"""The balance and predictability simulation gives the figures theory says it should."""

from __future__ import annotations

import numpy as np
import pytest

from equipoise.randomization.simulation import block_sequences, design_from_protocol, simulate


@pytest.fixture(scope="module")
def report(loaded, stratification):
    design = design_from_protocol(loaded.protocol, stratification)
    return simulate(design, subjects=122, runs=2000, seed="tests")


def test_methods_compared_with_the_configured_one_first(report):
    assert list(report["methods"]) == ["permuted_blocks_2_4_6", "simple", "fixed_blocks_4", "minimization"]
    assert report["methods"]["permuted_blocks_2_4_6"]["configured"]
    assert not report["methods"]["simple"]["configured"]


def test_simple_randomization_is_unpredictable_and_blocks_are_not(report):
    m = report["methods"]
    simple = m["simple"]["correct_guess_rate"]
    varied = m["permuted_blocks_2_4_6"]["correct_guess_rate"]
    fixed = m["fixed_blocks_4"]["correct_guess_rate"]
    assert abs(simple - 0.5) < 0.01
    # a full block of 4 lets the guesser score 2 + 8/6 - 1/2 of 4 (0.708); a stratum's last,
    # unfinished block scores less, so the trial-wide rate sits a little below
    assert 0.68 < fixed < 0.7083 + 0.005
    assert simple < varied < fixed


def test_blocks_bound_imbalance_within_strata_and_simple_does_not(report):
    m = report["methods"]
    # a stratum following blocks of at most 6 (1:1) is never more than 3 apart; blocks of 4: 2
    assert max(s["max"] for s in m["permuted_blocks_2_4_6"]["stratum_imbalance"].values()) <= 3
    assert max(s["max"] for s in m["fixed_blocks_4"]["stratum_imbalance"].values()) <= 2
    assert m["simple"]["overall_imbalance"]["mean"] > 4 * m["permuted_blocks_2_4_6"]["overall_imbalance"]["mean"]
    # minimization balances margins, not the joint strata
    mini = m["minimization"]
    worst_margin = max(v["mean"] for v in mini["margin_imbalance"].values())
    worst_stratum = max(v["mean"] for v in mini["stratum_imbalance"].values())
    assert worst_margin < worst_stratum


def test_distributions_are_shares_of_runs_over_even_values(report):
    for method in report["methods"].values():
        dist = method["overall_imbalance"]["distribution"]
        assert abs(sum(dist.values()) - 1) < 0.001
        assert all(int(v) % 2 == 0 for v in dist)  # 122 subjects split 1:1 differ by an even number
        assert method["overall_imbalance"]["max"] == max(int(v) for v in dist)


def test_same_seed_same_figures_and_another_seed_other_figures(loaded, stratification):
    design = design_from_protocol(loaded.protocol, stratification)
    a = simulate(design, 40, 300, "x")
    assert simulate(design, 40, 300, "x") == a
    assert simulate(design, 40, 300, "y")["methods"] != a["methods"]


def test_vectorized_block_sequences_are_balanced_in_every_block():
    rng = np.random.default_rng(1)
    seqs = block_sequences(rng, rows=300, n=40, ratio=[1, 1], sizes=[4])
    blocks = seqs.reshape(300, 10, 4).sum(axis=2)
    assert (blocks == 2).all()
    varied = block_sequences(rng, rows=300, n=60, ratio=[1, 1], sizes=[2, 4, 6])
    drift = np.cumsum(np.where(varied == 0, 1, -1), axis=1)
    assert np.abs(drift).max() <= 3
    assert (np.abs(drift) == 3).any()  # blocks of 6 are drawn


def test_unequal_ratio_blocks_hold_arms_in_proportion():
    seqs = block_sequences(np.random.default_rng(2), rows=100, n=30, ratio=[2, 1], sizes=[3])
    assert (seqs.reshape(100, 10, 3).sum(axis=2) == 1).all()  # one arm-1 slot per block of 3


def test_bad_sizes_are_named(loaded, stratification):
    design = design_from_protocol(loaded.protocol, stratification)
    with pytest.raises(ValueError, match="runs: 0"):
        simulate(design, 10, 0, "s")
