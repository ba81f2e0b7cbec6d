"""Lab alerts at their exact edges, per arm, and what a blinded assessor may see."""

from __future__ import annotations

import pytest

from equipoise.safety.errors import InvalidInput
from equipoise.safety.lab_alerts import LabAction, LabValues, blinded_view, lab_alerts
from equipoise.safety.parameters import LabLimits

DRUGS = ("lenalidomide", "methotrexate")


def codes(labs: LabValues, drug: str, limits: LabLimits) -> dict[str, LabAction]:
    return {a.code: a.action for a in lab_alerts(labs, drug, limits)}


@pytest.mark.parametrize("drug", DRUGS)
@pytest.mark.parametrize(("labs", "code"), [
    (LabValues(neutrophils_g_l=0.99), "neutrophils_low"),
    (LabValues(platelets_g_l=49), "platelets_low"),
    (LabValues(alt_x_uln=3.01), "alt_high"),
    (LabValues(ast_x_uln=3.5), "ast_high"),
])
def test_shared_limits_hold_in_both_arms_and_do_not_reveal_the_arm(
        lab_limits: LabLimits, drug: str, labs: LabValues, code: str) -> None:
    (alert,) = lab_alerts(labs, drug, lab_limits)
    assert (alert.code, alert.action, alert.arm_revealing) == (code, LabAction.HOLD, False)
    assert alert.drug == drug


@pytest.mark.parametrize("drug", DRUGS)
def test_values_on_the_limit_raise_nothing(lab_limits: LabLimits, drug: str) -> None:
    labs = LabValues(neutrophils_g_l=1.0, platelets_g_l=50, alt_x_uln=3.0, ast_x_uln=3.0,
                     creatinine_clearance_ml_min=60)
    assert lab_alerts(labs, drug, lab_limits) == ()


@pytest.mark.parametrize(("clearance", "methotrexate", "lenalidomide"), [
    (29.9, {"creatinine_clearance_below_min": LabAction.STOP},
     {"creatinine_clearance_below_min": LabAction.HOLD}),
    (30, {"creatinine_clearance_halve_methotrexate": LabAction.HALVE_DOSE}, {}),
    (59.9, {"creatinine_clearance_halve_methotrexate": LabAction.HALVE_DOSE}, {}),
    (60, {}, {}),
])
def test_creatinine_clearance_edges(lab_limits: LabLimits, clearance: float,
                                    methotrexate: dict[str, LabAction],
                                    lenalidomide: dict[str, LabAction]) -> None:
    labs = LabValues(creatinine_clearance_ml_min=clearance)
    assert codes(labs, "methotrexate", lab_limits) == methotrexate
    assert codes(labs, "lenalidomide", lab_limits) == lenalidomide


@pytest.mark.parametrize("drug", DRUGS)
@pytest.mark.parametrize("clearance", [20, 45])
def test_clearance_alerts_reveal_the_arm(lab_limits: LabLimits, drug: str,
                                         clearance: float) -> None:
    alerts = lab_alerts(LabValues(creatinine_clearance_ml_min=clearance), drug, lab_limits)
    assert all(a.arm_revealing for a in alerts)
    assert blinded_view(alerts) == ()


def test_alert_names_the_label_and_the_action_in_both_languages(lab_limits: LabLimits) -> None:
    (stop,) = lab_alerts(LabValues(creatinine_clearance_ml_min=25), "methotrexate", lab_limits)
    assert stop.instruction.en == ("Methotrexate label: contraindicated below 30 mL/min: "
                                   "stop methotrexate.")
    assert "RCP du méthotrexate" in stop.instruction.fr and "arrêter" in stop.instruction.fr
    assert stop.assumption is None
    (halve,) = lab_alerts(LabValues(creatinine_clearance_ml_min=45), "methotrexate", lab_limits)
    assert "halve the methotrexate dose" in halve.instruction.en
    assert "moitié" in halve.instruction.fr
    (neutro,) = lab_alerts(LabValues(neutrophils_g_l=0.5), "lenalidomide", lab_limits)
    assert neutro.instruction.en.startswith("Lenalidomide label")
    assert "lénalidomide" in neutro.instruction.fr


def test_finding_is_arm_neutral_with_french_decimal_comma(lab_limits: LabLimits) -> None:
    (alert,) = lab_alerts(LabValues(neutrophils_g_l=0.8), "methotrexate", lab_limits)
    assert alert.finding.en == "Neutrophils 0.8 ×10⁹/L, below 1"
    assert alert.finding.fr == "Neutrophiles 0,8 ×10⁹/L, sous 1"
    for text in (alert.finding.en, alert.finding.fr):
        assert "méthotrexate" not in text.lower() and "methotrexate" not in text.lower()


def test_blinded_view_keeps_neutral_findings_and_drops_the_rest(lab_limits: LabLimits) -> None:
    labs = LabValues(platelets_g_l=30, alt_x_uln=4, creatinine_clearance_ml_min=40)
    alerts = lab_alerts(labs, "methotrexate", lab_limits)
    assert {a.code for a in alerts} == {"platelets_low", "alt_high",
                                        "creatinine_clearance_halve_methotrexate"}
    view = blinded_view(alerts)
    assert {v.code for v in view} == {"platelets_low", "alt_high"}
    assert not any(hasattr(v, "drug") or hasattr(v, "instruction") for v in view)


def test_missing_values_raise_no_alert(lab_limits: LabLimits) -> None:
    assert lab_alerts(LabValues(), "lenalidomide", lab_limits) == ()


@pytest.mark.parametrize(("labs", "field"), [
    (LabValues(platelets_g_l=-1), "platelets_g_l"),
    (LabValues(alt_x_uln=True), "alt_x_uln"),
    (LabValues(neutrophils_g_l="0.5"), "neutrophils_g_l"),
    (LabValues(creatinine_clearance_ml_min=float("nan")), "creatinine_clearance_ml_min"),
])
def test_bad_values_are_refused_by_name(lab_limits: LabLimits, labs: LabValues,
                                        field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        lab_alerts(labs, "lenalidomide", lab_limits)
    assert caught.value.field == field


def test_unknown_drug_is_refused(lab_limits: LabLimits) -> None:
    with pytest.raises(InvalidInput) as caught:
        lab_alerts(LabValues(), "placebo", lab_limits)
    assert caught.value.field == "drug"
