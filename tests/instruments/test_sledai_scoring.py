"""SLEDAI-2K: 24 weighted descriptors, total 0-105, assumed activity bands."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from equipoise.instruments.sledai import (
    ASSUMED_ACTIVITY_BANDS,
    TOTAL_MAX,
    WEIGHTS,
    score_sledai,
    sledai_band,
)
from equipoise.instruments.validation import InstrumentInputError

FORM = Path(__file__).parents[2] / "protocols" / "nct06965244" / "forms" / "sledai.yaml"


def none_present() -> dict[str, bool]:
    return dict.fromkeys(WEIGHTS, False)


def test_keys_match_the_form_in_order():
    form = yaml.safe_load(FORM.read_text())
    names = [f["name"] for s in form["sections"] for f in s["fields"]]
    assert list(WEIGHTS) == names


def test_weights_match_the_labels_on_the_form():
    form = yaml.safe_load(FORM.read_text())
    for field in (f for s in form["sections"] for f in s["fields"]):
        assert f"({WEIGHTS[field['name']]})" in field["label"]["en"]


def test_there_are_24_descriptors_weighing_105_in_all():
    assert len(WEIGHTS) == 24
    assert TOTAL_MAX == 105
    assert sorted(WEIGHTS.values()).count(8) == 8
    assert sorted(WEIGHTS.values()).count(4) == 6
    assert sorted(WEIGHTS.values()).count(2) == 7
    assert sorted(WEIGHTS.values()).count(1) == 3


def test_none_and_all_present():
    assert score_sledai(none_present()).total == 0
    everything = score_sledai(dict.fromkeys(WEIGHTS, True))
    assert (everything.total, everything.band) == (105, "very_high")


@pytest.mark.parametrize("key", list(WEIGHTS))
def test_each_descriptor_adds_its_weight(key):
    score = score_sledai({**none_present(), key: True})
    assert score.total == WEIGHTS[key]
    assert score.present == (key,)


def test_mixed_record():
    data = {**none_present(), "sledai_arthritis": True, "sledai_rash": True, "sledai_fever": True}
    score = score_sledai(data)
    assert score.total == 4 + 2 + 1
    assert score.to_dict()["present"] == {
        "sledai_arthritis": 4,
        "sledai_rash": 2,
        "sledai_fever": 1,
    }
    assert score.to_dict()["band_is_assumption"] is True


@pytest.mark.parametrize(
    "total,band",
    [(0, "none"), (1, "mild"), (5, "mild"), (6, "moderate"), (10, "moderate"), (11, "high"),
     (19, "high"), (20, "very_high"), (105, "very_high")],
)  # fmt: skip
def test_assumed_band_edges(total, band):
    assert sledai_band(total) == band


def test_assumed_bands_cover_the_whole_scale_without_gaps():
    covered = [t for low, high, _ in ASSUMED_ACTIVITY_BANDS for t in range(low, high + 1)]
    assert covered == list(range(0, TOTAL_MAX + 1))


@pytest.mark.parametrize("bad", [1, 0, "true", None])
def test_descriptors_take_booleans_only(bad):
    with pytest.raises(InstrumentInputError) as err:
        score_sledai({**none_present(), "sledai_seizure": bad})
    assert err.value.key == "sledai_seizure"
    assert "true or false" in str(err.value)


def test_missing_and_stray_descriptors_are_errors():
    data = none_present()
    del data["sledai_leukopenia"]
    with pytest.raises(InstrumentInputError) as err:
        score_sledai(data)
    assert err.value.key == "sledai_leukopenia"
    with pytest.raises(InstrumentInputError) as err:
        score_sledai({**none_present(), "sledai_nephritis": True})
    assert err.value.key == "sledai_nephritis"
