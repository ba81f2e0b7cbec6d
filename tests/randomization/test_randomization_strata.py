"""Strata built from the protocol: labels, levels of a subject, and errors that name the input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from equipoise.randomization.strata import (
    StratificationError,
    parse_stratum_label,
    stratification_from_protocol,
    stratum_label,
)


def test_protocol_strata_are_site_by_sle(stratification):
    assert stratification.factor_ids() == ("site", "sle")
    assert stratification.strata() == [
        "site=SLS|sle=false",
        "site=SLS|sle=true",
        "site=TNN|sle=false",
        "site=TNN|sle=true",
    ]


def test_configured_sites_replace_the_registry_sites(loaded):
    strat = stratification_from_protocol(loaded.protocol, ["TNN", "SLS", "PSL"])
    assert len(strat.strata()) == 6
    assert "site=PSL|sle=true" in strat.strata()


def test_subject_levels_turn_booleans_into_protocol_levels(stratification):
    levels = stratification.subject_levels("TNN", {"sle_associated": True, "age_years": 40})
    assert levels == {"site": "TNN", "sle": "true"}
    assert stratification.label(levels) == "site=TNN|sle=true"


def test_missing_variable_is_named(stratification):
    with pytest.raises(StratificationError, match="variables.sle_associated"):
        stratification.subject_levels("TNN", {})


def test_unknown_site_names_factor_value_and_allowed_levels(stratification):
    with pytest.raises(StratificationError, match=r"levels\.site: 'XYZ' is not one of .*'TNN'"):
        stratification.label({"site": "XYZ", "sle": "true"})


def test_duplicate_configured_site_is_rejected(loaded):
    with pytest.raises(StratificationError, match="more than once"):
        stratification_from_protocol(loaded.protocol, ["TNN", "TNN"])


def test_separator_in_a_level_is_rejected(loaded):
    with pytest.raises(StratificationError, match="neither '\\|' nor '='"):
        stratification_from_protocol(loaded.protocol, ["TNN", "A|B"])


def test_no_factors_means_one_stratum_all():
    assert stratum_label({}) == "all"
    assert parse_stratum_label("all") == {}


ident = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
level = st.text(st.characters(blacklist_characters="|=", blacklist_categories=("Cs",)), min_size=1, max_size=8)


@given(st.dictionaries(ident, level, min_size=1, max_size=4))
def test_labels_parse_back_to_the_same_levels_in_order(levels):
    assert list(parse_stratum_label(stratum_label(levels)).items()) == list(levels.items())


@pytest.mark.parametrize("bad", ["site", "site=", "=TNN", "site=TNN|site=SLS", "site=A=B"])
def test_malformed_labels_are_rejected(bad):
    with pytest.raises(StratificationError, match="stratum"):
        parse_stratum_label(bad)
