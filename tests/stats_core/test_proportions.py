"""Intervals for one proportion and a difference, against statsmodels and Newcombe (1998)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from equipoise.stats import InvalidParameter
from equipoise.stats.proportions import difference_ci, wilson_interval

# Newcombe RG, Stat Med 1998;17:873-890, Table II, method 10 (hybrid score, no correction):
# (x1, n1, x2, n2) -> published 95% limits, 4 decimals.
NEWCOMBE_1998_METHOD_10 = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("counts", "published"), NEWCOMBE_1998_METHOD_10)
def test_newcombe_published_examples(counts, published):
    ci = difference_ci(*counts)
    assert (round(ci.lower, 4), round(ci.upper, 4)) == published


def test_trial_style_example_difference_is_point_two():
    ci = difference_ci(56, 70, 48, 80)
    assert ci.difference == pytest.approx(0.2)
    assert ci.method == "newcombe" and ci.confidence == 0.95


counts = st.integers(min_value=1, max_value=150).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)


@settings(max_examples=150, deadline=None)
@given(a=counts, b=counts, confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_newcombe_and_wald_match_statsmodels(a, b, confidence):
    (x1, n1), (x2, n2) = a, b
    for ours, theirs in (("newcombe", "newcomb"), ("wald", "wald")):
        ci = difference_ci(x1, n1, x2, n2, confidence, ours)
        low, high = confint_proportions_2indep(
            x1, n1, x2, n2, method=theirs, compare="diff", alpha=1 - confidence
        )
        assert (ci.lower, ci.upper) == pytest.approx((low, high), abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(a=counts, confidence=st.sampled_from([0.9, 0.95, 0.99]))
def test_wilson_matches_statsmodels(a, confidence):
    x, n = a
    interval = wilson_interval(x, n, confidence)
    low, high = proportion_confint(x, n, alpha=1 - confidence, method="wilson")
    assert (interval.lower, interval.upper) == pytest.approx((low, high), abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(a=counts, b=counts)
def test_newcombe_stays_in_range_and_contains_the_estimate(a, b):
    ci = difference_ci(*a, *b)
    assert -1.0 <= ci.lower <= ci.difference <= ci.upper <= 1.0
    assert ci.upper > ci.lower  # never collapses to a point, even at 0/n and n/n


def test_zero_and_full_counts():
    both_zero = difference_ci(0, 12, 0, 15)
    assert both_zero.difference == 0.0 and both_zero.lower < 0 < both_zero.upper
    full_vs_zero = difference_ci(12, 12, 0, 15)
    assert full_vs_zero.upper == 1.0 and 0 < full_vs_zero.lower < 1
    zero_vs_full = difference_ci(0, 12, 15, 15)
    assert zero_vs_full.lower == -1.0
    # Wald degenerates there, which is why it is not the default.
    wald = difference_ci(0, 12, 0, 15, method="wald")
    assert wald.lower == wald.upper == 0.0


def test_wider_confidence_gives_a_wider_interval():
    narrow = difference_ci(56, 70, 48, 80, confidence=0.90)
    wide = difference_ci(56, 70, 48, 80, confidence=0.99)
    assert wide.lower < narrow.lower and wide.upper > narrow.upper


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((71, 70, 48, 80), "x1"),
        ((-1, 70, 48, 80), "x1"),
        ((5, 0, 48, 80), "n1"),
        ((5, 70, 81, 80), "x2"),
        ((5, 70, 8, 0), "n2"),
    ],
)
def test_bad_counts_name_the_field(args, name):
    with pytest.raises(InvalidParameter) as err:
        difference_ci(*args)
    assert err.value.name == name


def test_bad_confidence_and_method_are_rejected():
    with pytest.raises(InvalidParameter) as err:
        difference_ci(5, 10, 5, 10, confidence=1.0)
    assert err.value.name == "confidence"
    with pytest.raises(InvalidParameter) as err:
        difference_ci(5, 10, 5, 10, method="exact")  # type: ignore[arg-type]
    assert err.value.name == "method"
