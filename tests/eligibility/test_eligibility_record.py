"""Screening records are checked against the data dictionary; errors name key, value and rule."""

from __future__ import annotations

import datetime as dt

import pytest

from equipoise.eligibility.evaluator import check_eligibility, compiled_criteria
from equipoise.eligibility.record import InputError, validate_record


@pytest.fixture
def fields(protocol):
    return compiled_criteria(protocol).fields


@pytest.mark.parametrize("key, value, rule", [
    ("agee_years", 40, "unknown variable"),
    ("age_years", 17.5, "whole number (int)"),
    ("age_years", 18.0, "whole number (int)"),
    ("age_years", True, "whole number (int)"),
    ("age_years", "18", "whole number (int)"),
    ("age_years", 121, "at most 120"),
    ("platelets_g_l", False, "must be a number"),
    ("platelets_g_l", "150", "must be a number"),
    ("platelets_g_l", -1, "at least 0"),
    ("platelets_g_l", float("nan"), "finite"),
    ("pregnant", 0, "true or false"),
    ("pregnant", "no", "true or false"),
    ("sex", "F", "one of female, male"),
    ("screening_date", "2025-02-30", "not a real calendar date"),
    ("screening_date", "03/11/2025", "YYYY-MM-DD"),
    ("screening_date", "20251103", "YYYY-MM-DD"),
    ("screening_date", 20251103, "YYYY-MM-DD"),
])
def test_bad_values_are_refused_with_key_value_and_rule(fields, key, value, rule):
    with pytest.raises(InputError) as info:
        validate_record({key: value}, fields)
    assert info.value.key == key
    assert info.value.value == value or value != value  # NaN never equals itself
    assert rule in info.value.rule
    assert key in str(info.value)


def test_record_must_be_an_object(fields):
    with pytest.raises(InputError, match="JSON object"):
        validate_record([1, 2], fields)


def test_values_are_typed(fields):
    typed = validate_record({"screening_date": "2024-02-29", "platelets_g_l": 150, "age_years": 30,
                             "pregnant": False, "sex": "male", "neutrophils_g_l": None}, fields)
    assert typed["screening_date"] == dt.date(2024, 2, 29)
    assert typed["platelets_g_l"] == 150.0 and isinstance(typed["platelets_g_l"], float)
    assert typed["age_years"] == 30 and typed["pregnant"] is False and typed["sex"] == "male"
    assert typed["neutrophils_g_l"] is None and typed["clasi_a_screening"] is None


def test_bad_record_is_refused_before_evaluation(protocol, base):
    base["clasi_a_screening"] = 9.5
    with pytest.raises(InputError, match="clasi_a_screening"):
        check_eligibility(protocol, base)
