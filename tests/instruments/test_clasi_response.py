"""CLASI response derivations from baseline and current CLASI-A."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from equipoise.instruments.responses import clasi_response
from equipoise.instruments.validation import InstrumentInputError


def test_halving_is_clasi50_not_clasi70():
    r = clasi_response(20, 10)
    assert (r.change, r.percent_change) == (-10, -50.0)
    assert (r.clasi50, r.clasi70, r.complete_response) == (True, False, False)
    assert (r.improved_4_points, r.improved_20_percent, r.minimal_important_improvement) == (
        True,
        True,
        True,
    )


@pytest.mark.parametrize(
    "baseline,current,clasi50",
    [(10, 5, True), (10, 6, False), (9, 4, True), (9, 5, False), (2, 1, True), (1, 1, False)],
)
def test_exact_50_percent_edge(baseline, current, clasi50):
    assert clasi_response(baseline, current).clasi50 is clasi50


@pytest.mark.parametrize(
    "baseline,current,clasi70",
    # 70% of 10 is 7; of 30 is 21; of 70 is 49 — floats like 0.7 * 30 would be 20.999...
    [
        (10, 3, True),
        (10, 4, False),
        (30, 9, True),
        (30, 10, False),
        (70, 21, True),
        (70, 22, False),
    ],
)
def test_exact_70_percent_edge(baseline, current, clasi70):
    assert clasi_response(baseline, current).clasi70 is clasi70


@pytest.mark.parametrize(
    "baseline,current,points,percent",
    [
        (8, 4, True, True),  # fall 4 = 50%
        (8, 5, False, True),  # fall 3 = 37.5%
        (40, 36, True, False),  # fall 4 = 10%
        (40, 37, False, False),
        (20, 16, True, True),  # fall 4 = exactly 20%
        (25, 20, True, True),  # fall 5 = exactly 20%
        (25, 21, True, False),  # fall 4 = 16%
        (15, 12, False, True),  # fall 3 = exactly 20%
        (15, 13, False, False),
    ],
)
def test_minimal_important_improvement_edges(baseline, current, points, percent):
    r = clasi_response(baseline, current)
    assert r.improved_4_points is points
    assert r.improved_20_percent is percent
    assert r.minimal_important_improvement is (points or percent)


def test_worsening_gives_positive_change_and_no_response():
    r = clasi_response(10, 15)
    assert (r.change, r.percent_change) == (5, 50.0)
    assert not any([r.clasi50, r.clasi70, r.improved_4_points, r.improved_20_percent])
    assert r.minimal_important_improvement is False


def test_no_change():
    r = clasi_response(12, 12)
    assert (r.change, r.percent_change, r.clasi50) == (0, 0.0, False)


def test_complete_response_is_current_zero():
    r = clasi_response(8, 0)
    assert (r.complete_response, r.clasi50, r.clasi70, r.percent_change) == (
        True,
        True,
        True,
        -100.0,
    )


def test_baseline_zero_leaves_percentages_undefined():
    r = clasi_response(0, 0)
    assert r.percent_change is None
    assert (r.clasi50, r.clasi70, r.improved_20_percent) == (None, None, None)
    assert r.improved_4_points is False
    assert r.minimal_important_improvement is None
    assert r.complete_response is True
    assert clasi_response(0, 5).change == 5
    assert clasi_response(0, 5).complete_response is False


def test_to_dict_has_the_contract_keys():
    d = clasi_response(0, 3).to_dict()
    assert {
        "change", "percent_change", "clasi50", "clasi70", "improved_4_points",
        "improved_20_percent", "complete_response",
    } <= set(d)  # fmt: skip
    assert d["percent_change"] is None and d["clasi50"] is None


@pytest.mark.parametrize("field", ["baseline", "current"])
@pytest.mark.parametrize("bad", [-1, 71, 10.0, True, "10", None])
def test_both_values_must_be_ints_0_to_70(field, bad):
    kwargs = {"baseline": 10, "current": 10, field: bad}
    with pytest.raises(InstrumentInputError) as err:
        clasi_response(**kwargs)
    assert err.value.key == field
    assert "an integer from 0 to 70" in str(err.value)


@given(st.integers(1, 70), st.integers(0, 70))
def test_flags_agree_with_exact_fractions(baseline, current):
    r = clasi_response(baseline, current)
    fall = baseline - current
    assert r.clasi50 is (fall * 100 >= 50 * baseline)
    assert r.clasi70 is (fall * 100 >= 70 * baseline)
    assert r.improved_20_percent is (fall * 100 >= 20 * baseline)
    assert r.improved_4_points is (fall >= 4)
    if r.clasi70:
        assert r.clasi50
    if r.complete_response:
        assert r.clasi70
