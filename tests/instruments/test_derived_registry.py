"""The registry behind form YAML `derived:` entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from clasi_fill import scored_everywhere
from equipoise.instruments.derived import (
    DERIVED_FUNCTIONS,
    UnknownDerivedFunction,
    derive,
    is_known,
)
from equipoise.instruments.sledai import WEIGHTS
from equipoise.instruments.validation import InstrumentInputError
from equipoise.protocol.loader import load_protocol

PROTOCOL = Path(__file__).parents[2] / "protocols" / "nct06965244"

CLASI_RECORD = {
    "regions": {"face": {"erythema": 2, "scale": 1, "dyspigmentation": 1, "scarring": 1}},
    "recent_hair_loss": 1,
    "scarring_alopecia": 3,
    "dyspigmentation_12_months_or_more": True,
}


def test_clasi_functions_read_the_record_field():
    data = {"clasi_record": scored_everywhere(CLASI_RECORD)}
    assert derive("clasi.activity", data) == 4
    assert derive("clasi.damage", data) == 2 + 1 + 3


def test_a_form_never_scores_an_empty_or_unassessed_area():
    """The dictionary's "left out scores 0" is the scoring command's rule; a form's total needs
    every area scored (zeros included) and every once-per-patient item."""
    assert derive("clasi.activity", {"clasi_record": CLASI_RECORD}) is None
    assert derive("clasi.damage", {"clasi_record": CLASI_RECORD}) is None
    skipped = scored_everywhere({**CLASI_RECORD, "not_assessed": ["feet"]})
    assert "feet" not in skipped["regions"]
    assert derive("clasi.activity", {"clasi_record": skipped}) is None


def test_dlqi_and_sledai_totals():
    assert derive("dlqi.total", {f"dlqi_q{n}": 2 for n in range(1, 11)}) == 20
    sledai = {**dict.fromkeys(WEIGHTS, False), "sledai_seizure": True, "sledai_pyuria": True}
    assert derive("sledai.total", sledai) == 12


def test_unknown_function_is_named_with_the_known_ones():
    with pytest.raises(UnknownDerivedFunction) as err:
        derive("clasi.total", {})
    assert err.value.name == "clasi.total"
    assert "clasi.activity" in str(err.value) and "sledai.total" in str(err.value)
    assert not is_known("clasi.total")


def test_missing_clasi_record_names_the_field():
    with pytest.raises(InstrumentInputError) as err:
        derive("clasi.activity", {})
    assert err.value.key == "clasi_record"


def test_invalid_data_raises_the_instrument_error():
    with pytest.raises(InstrumentInputError) as err:
        derive("clasi.damage", {"clasi_record": {"scarring_alopecia": 2}})
    assert err.value.key == "scarring_alopecia"


def test_every_function_named_by_the_protocol_forms_is_registered():
    forms = load_protocol(PROTOCOL).protocol.forms
    named = {d.function for form in forms for d in form.derived}
    assert named == {"clasi.activity", "clasi.damage", "dlqi.total", "sledai.total"}
    assert named <= set(DERIVED_FUNCTIONS)
