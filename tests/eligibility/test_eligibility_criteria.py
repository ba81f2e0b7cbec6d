"""Every criterion of NCT06965244 at and around its thresholds (trial sheet §3, data dictionary)."""

from __future__ import annotations

import pytest
from eligibility_testing import DROP, criterion, status


def test_base_record_is_eligible(decide):
    result = decide()
    assert result.verdict == "eligible"
    assert result.missing == []
    assert all(r.status == ("met" if r.kind == "inclusion" else "not_met") for r in result.criteria)


def _check(decide, criterion_id, expected, **changes):
    result = decide(**changes)
    assert status(result, criterion_id) == expected
    excluded = expected == ("not_met" if criterion_id.startswith("IN") else "met")
    assert result.verdict == ("not_eligible" if excluded else "eligible")
    return result


@pytest.mark.parametrize("age, expected", [(17, "not_met"), (18, "met"), (19, "met")])
def test_in01_age(decide, age, expected):
    _check(decide, "IN01", expected, age_years=age)


@pytest.mark.parametrize("key", ["social_security_affiliated"])
def test_in02_social_security(decide, key):
    _check(decide, "IN02", "not_met", **{key: False})


def test_in03_consent(decide):
    _check(decide, "IN03", "not_met", consent_signed=False)


@pytest.mark.parametrize("key", ["cle_histology_confirmed", "cle_active"])
def test_in04_histology_and_activity_both_needed(decide, key):
    _check(decide, "IN04", "not_met", **{key: False})


@pytest.mark.parametrize("key", ["clasi_a_screening", "clasi_a_randomization"])
@pytest.mark.parametrize("score, expected", [(7, "not_met"), (8, "met"), (9, "met")])
def test_in05_clasi_a_at_both_times(decide, key, score, expected):
    _check(decide, "IN05", expected, **{key: score})


@pytest.mark.parametrize("months, expected", [(2.9, "not_met"), (3, "met"), (3.0, "met"), (3.1, "met")])
def test_in06_antimalarials_and_pending_flag(decide, months, expected):
    result = _check(decide, "IN06", expected, antimalarial_stable_months=months)
    assert criterion(result, "IN06").pending is True


@pytest.mark.parametrize("weeks, expected", [(3.9, "not_met"), (4, "met"), (4.0, "met")])
def test_in07_contraception_weeks(decide, weeks, expected):
    _check(decide, "IN07", expected, contraception_weeks_before_start=weeks)


def test_in07_refusing_the_monthly_test_fails(decide):
    _check(decide, "IN07", "not_met", accepts_monthly_pregnancy_test=False)


def test_in07_a_man_meets_it_whatever_the_pregnancy_fields(decide):
    result = _check(decide, "IN07", "met", sex="male", childbearing_potential=DROP,
                    accepts_monthly_pregnancy_test=DROP, contraception_weeks_before_start=DROP)
    assert criterion(result, "IN07").inputs == {"sex": "male"}


def test_in07_a_woman_without_potential_meets_it(decide):
    _check(decide, "IN07", "met", childbearing_potential=False,
           accepts_monthly_pregnancy_test=None, contraception_weeks_before_start=None)


def test_in07_a_woman_with_potential_and_missing_answers_is_unknown(decide):
    result = decide(accepts_monthly_pregnancy_test=DROP, contraception_weeks_before_start=None)
    c = criterion(result, "IN07")
    assert c.status == "unknown"
    assert c.missing == ["accepts_monthly_pregnancy_test", "contraception_weeks_before_start"]
    assert c.inputs == {"sex": "female", "childbearing_potential": True}
    assert result.verdict == "incomplete"
    assert result.missing == ["accepts_monthly_pregnancy_test", "contraception_weeks_before_start"]


def test_in07_a_woman_with_potential_unknown_is_unknown(decide):
    result = decide(childbearing_potential=None, accepts_monthly_pregnancy_test=None,
                    contraception_weeks_before_start=None)
    assert status(result, "IN07") == "unknown"
    assert "childbearing_potential" in result.missing


def test_in07_short_contraception_decides_even_if_the_test_answer_is_missing(decide):
    _check(decide, "IN07", "not_met", accepts_monthly_pregnancy_test=None,
           contraception_weeks_before_start=2)


@pytest.mark.parametrize("key, value, expected", [
    ("creatinine_clearance_ml_min", 29.9, "met"), ("creatinine_clearance_ml_min", 30, "not_met"),
    ("creatinine_clearance_ml_min", 30.0, "not_met"),
    ("neutrophils_g_l", 0.99, "met"), ("neutrophils_g_l", 1.0, "not_met"), ("neutrophils_g_l", 1, "not_met"),
    ("platelets_g_l", 49, "met"), ("platelets_g_l", 49.9, "met"), ("platelets_g_l", 50, "not_met"),
    ("alt_x_uln", 3.0, "not_met"), ("alt_x_uln", 3, "not_met"), ("alt_x_uln", 3.01, "met"),
    ("ast_x_uln", 3.0, "not_met"), ("ast_x_uln", 3.01, "met"),
    ("hbv_active", True, "met"), ("hcv_active", True, "met"), ("hiv_positive", True, "met"),
])
def test_ex01_labs_and_serology(decide, key, value, expected):
    _check(decide, "EX01", expected, **{key: value})


@pytest.mark.parametrize("changes, expected", [
    ({"alcohol_drinks_per_week": 10}, "not_met"),
    ({"alcohol_drinks_per_week": 10.5}, "met"),
    ({"alcohol_drinks_per_week": 11}, "met"),
    ({"alcohol_max_drinks_per_day": 2}, "not_met"),
    ({"alcohol_max_drinks_per_day": 3}, "met"),
    ({"alcohol_free_days_per_week": 2}, "not_met"),
    ({"alcohol_free_days_per_week": 1}, "met"),
])
def test_ex02_french_low_risk_alcohol_limits(decide, changes, expected):
    _check(decide, "EX02", expected, **changes)


def test_ex03_ongoing_cancer(decide):
    _check(decide, "EX03", "met", active_cancer=True)


@pytest.mark.parametrize("feature", [
    "active_lupus_nephritis", "active_neuropsychiatric_sle", "active_serositis",
    "autoimmune_haemolytic_anaemia", "immune_thrombocytopenia",
])
def test_ex04_severe_sle_needing_intensive_treatment(decide, feature):
    _check(decide, "EX04", "met", **{feature: True, "needs_intensive_immunosuppression": True})
    _check(decide, "EX04", "not_met", **{feature: True, "needs_intensive_immunosuppression": False})


def test_ex04_intensive_treatment_alone_does_not_exclude(decide):
    _check(decide, "EX04", "not_met", needs_intensive_immunosuppression=True)


def test_ex05_is_pending_and_excludes_nobody(decide):
    result = _check(decide, "EX05", "not_met")
    assert criterion(result, "EX05").pending is True
    assert [r.id for r in result.criteria if r.pending] == ["IN06", "EX05"]


@pytest.mark.parametrize("key", [
    "salicylate_hypersensitivity", "salicylate_asthma", "bleeding_disorder",
    "active_gastroduodenal_ulcer", "history_digestive_bleeding",
])
def test_ex06_aspirin_contraindications(decide, key):
    _check(decide, "EX06", "met", **{key: True})


# Base screening date is 2025-11-03, so the 5-year window starts on 2020-11-03.
@pytest.mark.parametrize("history, date_key", [
    ("arterial_thrombosis_history", "last_arterial_thrombosis_date"),
    ("unprovoked_vte_history", "last_unprovoked_vte_date"),
])
@pytest.mark.parametrize("event, expected", [
    ("2020-11-03", "met"),       # exactly 5 years before screening
    ("2020-11-02", "not_met"),   # the day before
    ("2025-10-01", "met"),
    ("2010-01-01", "not_met"),   # event-free for more than 5 years (e.g. APS on a VKA)
])
def test_ex07_five_year_window_from_the_screening_date(decide, history, date_key, event, expected):
    _check(decide, "EX07", expected, **{history: True, date_key: event})


@pytest.mark.parametrize("event, expected", [("2019-02-28", "met"), ("2019-02-27", "not_met")])
def test_ex07_window_from_a_leap_day(decide, event, expected):
    _check(decide, "EX07", expected, screening_date="2024-02-29",
           unprovoked_vte_history=True, last_unprovoked_vte_date=event)


def test_ex07_antiphospholipid_antibodies_alone_do_not_exclude(decide):
    result = _check(decide, "EX07", "not_met", arterial_thrombosis_history=False,
                    last_arterial_thrombosis_date=None, unprovoked_vte_history=False,
                    last_unprovoked_vte_date=None)
    assert criterion(result, "EX07").missing == []


def test_ex07_history_without_its_date_is_unknown_and_asks_only_for_that_date(decide):
    result = decide(unprovoked_vte_history=True, last_unprovoked_vte_date=None,
                    arterial_thrombosis_history=False, last_arterial_thrombosis_date=DROP)
    assert status(result, "EX07") == "unknown"
    assert result.verdict == "incomplete"
    assert result.missing == ["last_unprovoked_vte_date"]


def test_ex07_the_window_moves_with_the_screening_date(decide):
    changes = {"unprovoked_vte_history": True, "last_unprovoked_vte_date": "2020-11-03"}
    assert status(decide(**changes), "EX07") == "met"
    assert status(decide(screening_date="2025-11-04", **changes), "EX07") == "not_met"


@pytest.mark.parametrize("key", ["pregnant", "breastfeeding", "planning_pregnancy"])
def test_ex08_pregnancy(decide, key):
    _check(decide, "EX08", "met", **{key: True})


@pytest.mark.parametrize("key", ["under_legal_protection", "unable_to_comply"])
def test_ex09_legal_protection_or_compliance(decide, key):
    _check(decide, "EX09", "met", **{key: True})
