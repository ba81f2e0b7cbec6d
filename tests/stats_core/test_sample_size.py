"""Sample size for two proportions, checked against statsmodels and the trial sheet."""

from __future__ import annotations

import math

import pytest
from statsmodels.stats.proportion import (
    power_proportions_2indep,
    samplesize_proportions_2indep_onetail,
)

from equipoise.stats import InvalidParameter
from equipoise.stats.sample_size import (
    fleiss_correction,
    inflate_for_dropout,
    per_arm_uncorrected,
    two_proportions_power,
    two_proportions_sample_size,
)


def test_trial_sheet_design_gives_58_per_arm_and_116_in_all():
    result = two_proportions_sample_size(0.50, 0.75, alpha=0.05, power=0.80)
    assert result.per_arm == 58
    assert result.total == 116
    assert 57 < result.per_arm_exact < 58


def test_dropout_divide_gives_62_per_arm_where_the_sheet_multiplied_to_61():
    divide = two_proportions_sample_size(0.50, 0.75, dropout=0.05)
    assert (divide.per_arm_inflated, divide.total_inflated) == (62, 124)
    assert divide.as_dict()["inflation_method"].startswith("per_arm / (1 - dropout)")
    # The sheet's 122 is 116 * 1.05 = 121.8: the multiply convention reproduces it exactly.
    multiply = two_proportions_sample_size(0.50, 0.75, dropout=0.05, inflation_method="multiply")
    assert (multiply.per_arm_inflated, multiply.total_inflated) == (61, 122)


@pytest.mark.parametrize(
    ("p_control", "p_treatment", "alpha", "power"),
    [
        (0.50, 0.75, 0.05, 0.80),
        (0.75, 0.50, 0.05, 0.80),
        (0.10, 0.20, 0.05, 0.90),
        (0.30, 0.45, 0.01, 0.80),
        (0.60, 0.62, 0.05, 0.80),
        (0.02, 0.10, 0.10, 0.95),
    ],
)
def test_uncorrected_n_matches_statsmodels(p_control, p_treatment, alpha, power):
    ours = per_arm_uncorrected(p_control, p_treatment, alpha, power)
    theirs = samplesize_proportions_2indep_onetail(
        p_treatment - p_control, p_control, power, ratio=1, alpha=alpha, alternative="two-sided"
    )
    assert ours == pytest.approx(theirs, rel=1e-6)


@pytest.mark.parametrize(("n1", "n2"), [(58, 58), (61, 61), (40, 80), (200, 190)])
def test_power_matches_statsmodels(n1, n2):
    ours = two_proportions_power(0.5, 0.75, n1, n2, alpha=0.05)
    theirs = power_proportions_2indep(0.25, 0.5, n2, ratio=n1 / n2, alpha=0.05).power
    # statsmodels adds the (here negligible) chance of rejecting in the wrong direction.
    assert ours == pytest.approx(theirs, abs=1e-5)


def test_power_at_the_exact_n_is_the_requested_power():
    n = per_arm_uncorrected(0.5, 0.75, 0.05, 0.8)
    assert two_proportions_power(0.5, 0.75, n, n) == pytest.approx(0.8, abs=1e-6)


@pytest.mark.parametrize(("n", "delta"), [(57.67, 0.25), (10.0, 0.5), (500.0, 0.05), (3.2, 0.9)])
def test_fleiss_correction_solves_the_continuity_corrected_equation(n, delta):
    # Fleiss's m is the root of  m * (|d| - 1/m)^2 = n * d^2, i.e. the uncorrected formula with
    # the difference shrunk by the continuity correction 1/m (= (1/m + 1/m) / 2).
    m = fleiss_correction(n, delta)
    assert m * (delta - 1 / m) ** 2 == pytest.approx(n * delta**2, rel=1e-12)
    assert m > n


def test_continuity_correction_on_the_trial_design():
    result = two_proportions_sample_size(0.50, 0.75, continuity_correction=True, dropout=0.05)
    uncorrected = per_arm_uncorrected(0.5, 0.75, 0.05, 0.8)
    assert result.per_arm_exact == pytest.approx(fleiss_correction(uncorrected, 0.25))
    assert result.per_arm == math.ceil(result.per_arm_exact) == 66
    assert result.per_arm_inflated == math.ceil(66 / 0.95)
    assert result.as_dict()["continuity_correction"] == "fleiss"


def test_whole_number_inflation_is_not_pushed_up_by_float_noise():
    assert 21 / (1 - 0.3) > 30  # 30.000000000000004 in binary floating point
    assert inflate_for_dropout(21, 0.3) == 30
    assert inflate_for_dropout(58, 0.0) == 58


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"p_control": 0.0}, "p_control"),
        ({"p_control": 1.2}, "p_control"),
        ({"p_treatment": 1.0}, "p_treatment"),
        ({"p_treatment": 0.5}, "p_treatment"),
        ({"alpha": 0.0}, "alpha"),
        ({"power": 1.0}, "power"),
        ({"dropout": 1.0}, "dropout"),
        ({"dropout": -0.1}, "dropout"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, name):
    args = {"p_control": 0.5, "p_treatment": 0.75, "alpha": 0.05, "power": 0.8} | kwargs
    dropout = args.pop("dropout", None)
    with pytest.raises(InvalidParameter) as err:
        two_proportions_sample_size(**args, dropout=dropout)
    assert err.value.name == name
