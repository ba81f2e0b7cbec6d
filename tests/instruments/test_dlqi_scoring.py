"""DLQI: ten items 0-3, total 0-30, bands and minimal important change."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from equipoise.instruments.dlqi import (
    ITEMS,
    MINIMAL_IMPORTANT_CHANGE,
    dlqi_band,
    dlqi_change,
    score_dlqi,
)
from equipoise.instruments.validation import InstrumentInputError


def answers(*values: int) -> dict[str, int]:
    return {f"dlqi_q{i}": v for i, v in enumerate(values, start=1)}


FORM = Path(__file__).parents[2] / "protocols" / "nct06965244" / "forms" / "dlqi.yaml"


def test_item_keys_and_codes_match_the_form():
    form = yaml.safe_load(FORM.read_text())
    fields = [f for s in form["sections"] for f in s["fields"]]
    assert ITEMS == tuple(f["name"] for f in fields)
    assert all([c["code"] for c in f["choices"]] == [0, 1, 2, 3] for f in fields)


def test_all_zero_and_all_three():
    assert score_dlqi(answers(*[0] * 10)).total == 0
    top = score_dlqi(answers(*[3] * 10))
    assert (top.total, top.band) == (30, "extremely_large")


def test_total_is_the_sum_of_items():
    score = score_dlqi(answers(1, 2, 3, 0, 1, 2, 3, 0, 1, 2))
    assert score.total == 15
    assert score.band == "very_large"
    assert score.to_dict()["items"]["dlqi_q3"] == 3


@pytest.mark.parametrize("item", ITEMS)
def test_each_item_bounds(item):
    base = answers(*[0] * 10)
    for value in (0, 1, 2, 3):
        assert score_dlqi({**base, item: value}).total == value
    for bad in (-1, 4, 1.0, True, "2", None):
        with pytest.raises(InstrumentInputError) as err:
            score_dlqi({**base, item: bad})
        assert err.value.key == item
        assert err.value.allowed == (0, 1, 2, 3)


@pytest.mark.parametrize(
    "total,band",
    [
        (0, "none"), (1, "none"), (2, "small"), (5, "small"), (6, "moderate"), (10, "moderate"),
        (11, "very_large"), (20, "very_large"), (21, "extremely_large"), (30, "extremely_large"),
    ],
)  # fmt: skip
def test_band_edges(total, band):
    assert dlqi_band(total) == band


def test_missing_item_is_an_error_not_a_zero():
    data = answers(*[1] * 10)
    del data["dlqi_q7"]
    with pytest.raises(InstrumentInputError) as err:
        score_dlqi(data)
    assert err.value.key == "dlqi_q7"
    assert "missing" in str(err.value)


def test_stray_key_is_an_error():
    with pytest.raises(InstrumentInputError) as err:
        score_dlqi({**answers(*[0] * 10), "dlqi_q11": 0})
    assert err.value.key == "dlqi_q11"


@pytest.mark.parametrize(
    "baseline,current,improved,worsened",
    [(10, 6, True, False), (10, 7, False, False), (6, 10, False, True), (6, 9, False, False)],
)
def test_minimal_important_change_is_4(baseline, current, improved, worsened):
    assert MINIMAL_IMPORTANT_CHANGE == 4
    change = dlqi_change(baseline, current)
    assert change.change == current - baseline
    assert change.minimal_important_improvement is improved
    assert change.minimal_important_worsening is worsened


def test_change_validates_totals():
    with pytest.raises(InstrumentInputError) as err:
        dlqi_change(31, 0)
    assert err.value.key == "baseline"
