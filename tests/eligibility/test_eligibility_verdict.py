"""Verdict logic: unknown vs decided, missing lists, evidence and reasons."""

from __future__ import annotations

import pytest
from eligibility_testing import DROP, criterion, status

from equipoise.eligibility.evaluator import compiled_criteria
from equipoise.eligibility.reasons import explain
from equipoise.eligibility.report import as_json


@pytest.mark.parametrize("absent", [DROP, None])
def test_missing_key_and_null_both_mean_not_known(decide, absent):
    result = decide(clasi_a_randomization=absent)
    c = criterion(result, "IN05")
    assert c.status == "unknown"
    assert c.inputs == {"clasi_a_screening": 14}
    assert c.missing == ["clasi_a_randomization"]
    assert result.verdict == "incomplete"
    assert result.missing == ["clasi_a_randomization"]


def test_a_failing_criterion_beats_unknowns(decide):
    result = decide(clasi_a_randomization=None, platelets_g_l=None, age_years=17)
    assert status(result, "IN05") == "unknown"
    assert status(result, "EX01") == "unknown"
    assert result.verdict == "not_eligible"
    assert result.missing == []


def test_a_met_exclusion_beats_unknowns(decide):
    result = decide(age_years=None, pregnant=True)
    assert status(result, "IN01") == "unknown"
    assert result.verdict == "not_eligible"


def test_missing_is_sorted_and_limited_to_what_decides(decide):
    result = decide(neutrophils_g_l=None, age_years=DROP, clasi_a_randomization=None,
                    consent_date=None, sle_associated=None)
    assert result.verdict == "incomplete"
    # consent_date and sle_associated decide no criterion, so they are not asked for.
    assert result.missing == ["age_years", "clasi_a_randomization", "neutrophils_g_l"]


def test_absent_value_that_another_input_outweighs_is_not_missing(decide):
    # A failing lab already excludes under EX01, so the other missing labs do not matter there.
    result = decide(platelets_g_l=20, neutrophils_g_l=None, alt_x_uln=None)
    c = criterion(result, "EX01")
    assert c.status == "met" and c.missing == []
    assert "neutrophils_g_l" not in c.inputs


def test_empty_record_is_incomplete_and_lists_what_is_needed(protocol):
    from equipoise.eligibility.evaluator import check_eligibility

    result = check_eligibility(protocol, {})
    assert result.verdict == "incomplete"
    assert result.missing == sorted(result.missing)
    assert "age_years" in result.missing and "screening_date" in result.missing
    assert "consent_date" not in result.missing
    assert status(result, "EX05") == "not_met"


def test_inputs_hold_only_the_declared_present_values(decide):
    result = decide()
    assert criterion(result, "EX02").inputs == {
        "alcohol_drinks_per_week": 3.0, "alcohol_max_drinks_per_day": 1.0, "alcohol_free_days_per_week": 5,
    }


def test_protocol_version_names_the_protocol_and_its_hash(decide, protocol):
    assert decide().protocol_version == f"nct06965244@{protocol.sha256[:12]}"


def test_rules_are_compiled_once_per_protocol_version(protocol):
    assert compiled_criteria(protocol) is compiled_criteria(protocol)


def test_reasons_in_both_languages_state_the_values(decide, protocol):
    fields = compiled_criteria(protocol).fields
    in01 = explain(criterion(decide(age_years=17), "IN01"), fields)
    assert in01["en"] == "Not met: Aged 18 or over. Values: Age = 17."
    assert in01["fr"] == "Non rempli : Âge de 18 ans ou plus. Valeurs : Âge = 17."
    in05 = explain(criterion(decide(clasi_a_screening=6), "IN05"), fields)
    assert "CLASI-A at screening = 6" in in05["en"]
    ex01 = explain(criterion(decide(neutrophils_g_l=0.5), "EX01"), fields)
    assert ex01["en"].startswith("Excluded:")
    assert "Neutrophils = 0.5 ×10⁹/L" in ex01["en"]
    assert "Polynucléaires neutrophiles = 0,5 ×10⁹/L" in ex01["fr"]


def test_reason_for_unknown_names_what_is_missing_and_pending(decide, protocol):
    fields = compiled_criteria(protocol).fields
    in06 = explain(criterion(decide(antimalarial_stable_months=None), "IN06"), fields)
    assert in06["en"].startswith("Not decided yet:")
    assert "Missing: Months on antimalarials at a stable dose." in in06["en"]
    assert "pending from the sponsor" in in06["en"]
    assert "Manquant : Mois d'antipaludéens à dose stable." in in06["fr"]


def test_json_shape(decide, protocol):
    body = as_json(decide(last_unprovoked_vte_date="2019-05-20"), compiled_criteria(protocol).fields)
    assert list(body) == ["protocol_version", "verdict", "criteria", "missing"]
    ex07 = next(c for c in body["criteria"] if c["id"] == "EX07")
    assert ex07["inputs"]["last_unprovoked_vte_date"] == "2019-05-20"
    assert set(ex07) >= {"id", "kind", "status", "pending", "inputs", "reason"}
    assert [c["id"] for c in body["criteria"]][:2] == ["IN01", "IN02"]
