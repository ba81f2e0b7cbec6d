"""Pain and itch NRS (0-10) and physician global (0-3): validation and returned parts."""

from __future__ import annotations

import pytest

from equipoise.instruments.nrs import score_pain_itch
from equipoise.instruments.physician_global import score_physician_global
from equipoise.instruments.validation import InstrumentInputError


@pytest.mark.parametrize("value", [0, 10])
def test_nrs_bounds_accepted(value):
    score = score_pain_itch({"pain_nrs": value, "itch_nrs": 10 - value})
    assert (score.pain_nrs, score.itch_nrs) == (value, 10 - value)
    assert score.to_dict() == {
        "instrument": "pain_itch_nrs",
        "pain_nrs": value,
        "itch_nrs": 10 - value,
    }


@pytest.mark.parametrize("key", ["pain_nrs", "itch_nrs"])
@pytest.mark.parametrize("bad", [-1, 11, 5.5, False, "3"])
def test_nrs_rejects_off_scale(key, bad):
    data = {"pain_nrs": 3, "itch_nrs": 3, key: bad}
    with pytest.raises(InstrumentInputError) as err:
        score_pain_itch(data)
    assert err.value.key == key
    assert "an integer from 0 to 10" in str(err.value)


def test_nrs_requires_both_and_nothing_else():
    with pytest.raises(InstrumentInputError) as err:
        score_pain_itch({"pain_nrs": 2})
    assert err.value.key == "itch_nrs"
    with pytest.raises(InstrumentInputError) as err:
        score_pain_itch({"pain_nrs": 2, "itch_nrs": 2, "pain": 2})
    assert err.value.key == "pain"


@pytest.mark.parametrize("value,label", [(0, "none"), (1, "mild"), (2, "moderate"), (3, "severe")])
def test_physician_global_scale(value, label):
    score = score_physician_global({"physician_global": value})
    assert (score.value, score.label) == (value, label)


@pytest.mark.parametrize("bad", [-1, 4, 2.0, True])
def test_physician_global_rejects_off_scale(bad):
    with pytest.raises(InstrumentInputError) as err:
        score_physician_global({"physician_global": bad})
    assert err.value.key == "physician_global"
    assert err.value.allowed == (0, 1, 2, 3)
