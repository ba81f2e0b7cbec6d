import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy.stats import chi2

from equipoise.stats.analysis_dataset import DatasetError
from equipoise.stats.primary import (
    analyse_primary,
    classify_response,
    cmh_analysis,
    logistic_analysis,
)
from equipoise.stats.proportions import difference_ci

from .conftest import make_dataset, make_subject


@pytest.mark.parametrize(
    "clasi, extra, responder, reason",
    [
        ({"W0": 20, "W16": 10}, {}, True, "responder"),  # exactly 50%
        ({"W0": 20, "W16": 11}, {}, False, "insufficient_fall"),  # 45%
        ({"W0": 0, "W16": 0}, {}, False, "baseline_zero"),
        ({"W0": 20, "W12": 2}, {}, False, "missing_visit"),
        ({"W16": 2}, {}, False, "missing_baseline"),
        ({"W0": 20, "W16": 2}, {"stopped_drug_reason": "lack_of_efficacy"}, False, "stopped_drug"),
        ({"W0": 20, "W16": 2}, {"stopped_drug_reason": "toxicity"}, False, "stopped_drug"),
        ({"W0": 20, "W16": 2}, {"rescue_therapy": True}, False, "rescue_therapy"),
        # stopping for other reasons is not in the protocol's non-responder rule
        ({"W0": 20, "W16": 2}, {"stopped_drug_reason": "pregnancy"}, True, "responder"),
    ],
)
def test_itt_non_responder_rule(clasi, extra, responder, reason):
    c = classify_response(make_subject("X", clasi_a=clasi, **extra))
    assert (c.responder, c.reason) == (responder, reason)


def rows_from_tables(tables):
    """(stratum, treated, responder) rows from 2x2 tables [[t_resp, t_non], [c_resp, c_non]]."""
    rows = []
    for k, t in enumerate(tables):
        for i, treated in enumerate((True, False)):
            for j, responder in enumerate((True, False)):
                rows += [(f"s{k}", treated, responder)] * t[i][j]
    return rows


TABLES = [[[8, 4], [5, 7]], [[10, 3], [6, 6]], [[4, 6], [2, 9]]]


def test_cmh_matches_hand_computation():
    num = den_or = num_or = var = 0.0
    for t in TABLES:
        (a, b), (c, d) = t
        n = a + b + c + d
        num += a - (a + b) * (a + c) / n
        var += (a + b) * (c + d) * (a + c) * (b + d) / (n * n * (n - 1))
        num_or += a * d / n
        den_or += b * c / n
    stat = num**2 / var
    result = cmh_analysis(rows_from_tables(TABLES))
    assert result.statistic == pytest.approx(stat)
    assert result.p_value == pytest.approx(chi2.sf(stat, 1))
    assert result.pooled_odds_ratio == pytest.approx(num_or / den_or)
    assert result.lower < result.pooled_odds_ratio < result.upper
    assert result.strata_dropped == []


def test_cmh_drops_strata_lacking_an_arm_and_says_so():
    rows = rows_from_tables(TABLES) + [("lonely", True, True), ("lonely", True, False)]
    result = cmh_analysis(rows)
    assert result.strata_dropped == ["lonely"]
    assert "lonely" in result.note
    assert result.statistic == pytest.approx(cmh_analysis(rows_from_tables(TABLES)).statistic)


def test_logistic_single_stratum_equals_cross_product_ratio():
    (a, b), (c, d) = TABLES[0]
    result = logistic_analysis(rows_from_tables([TABLES[0]]))
    assert result.odds_ratio == pytest.approx(a * d / (b * c))
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    assert result.lower == pytest.approx(math.exp(math.log(a * d / (b * c)) - 1.959964 * se), rel=1e-5)


def test_logistic_adjusted_matches_statsmodels_formula_glm():
    rows = rows_from_tables(TABLES)
    frame = pd.DataFrame(rows, columns=["stratum", "treated", "responder"]).astype(
        {"treated": float, "responder": float}
    )
    import statsmodels.api as sm

    direct = smf.glm("responder ~ treated + C(stratum)", frame, family=sm.families.Binomial()).fit()
    result = logistic_analysis(rows)
    assert result.odds_ratio == pytest.approx(np.exp(direct.params["treated"]), rel=1e-6)
    lo, hi = np.exp(direct.conf_int().loc["treated"])
    assert (result.lower, result.upper) == pytest.approx((lo, hi), rel=1e-6)
    assert result.p_value == pytest.approx(direct.pvalues["treated"], rel=1e-6)


def test_logistic_separation_is_reported_not_crashed():
    rows = rows_from_tables([[[10, 0], [4, 6]], [[7, 0], [3, 5]]])  # every treated subject responds
    result = logistic_analysis(rows)
    assert result.odds_ratio is None
    assert "separat" in result.note


def test_logistic_drops_uninformative_strata():
    rows = rows_from_tables(TABLES + [[[3, 0], [2, 0]]])  # all responders in s3
    result = logistic_analysis(rows)
    assert result.strata_dropped == ["s3"]
    assert result.odds_ratio == pytest.approx(logistic_analysis(rows_from_tables(TABLES)).odds_ratio, rel=1e-6)


def test_analyse_primary_rates_difference_and_per_protocol(synthetic):
    result = analyse_primary(synthetic, treatment_arm="lenalidomide", control_arm="methotrexate")
    itt = result.itt
    expected = {
        arm: [classify_response(s) for s in synthetic.subjects if s.arm == arm] for arm in synthetic.arms
    }
    assert itt.treatment.n == len(expected["lenalidomide"])
    assert itt.treatment.responders == sum(c.responder for c in expected["lenalidomide"])
    assert itt.control.responders == sum(c.responder for c in expected["methotrexate"])
    ci = difference_ci(itt.treatment.responders, itt.treatment.n, itt.control.responders, itt.control.n)
    assert (itt.risk_difference.lower, itt.risk_difference.upper) == pytest.approx((ci.lower, ci.upper))
    assert itt.risk_difference.difference == pytest.approx(itt.treatment.rate - itt.control.rate)
    pp = result.per_protocol
    assert pp.treatment.n + pp.control.n == sum(s.per_protocol for s in synthetic.subjects)
    assert sum(sum(r.values()) for r in itt.reasons.values()) == len(synthetic.subjects)
    data = result.to_dict()
    assert data["itt"]["treatment"]["arm"] == "lenalidomide"


def test_arm_roles_come_from_the_caller():
    subjects = [make_subject("T1", "lenalidomide", clasi_a={"W0": 20, "W16": 2}),
                make_subject("C1", "methotrexate", clasi_a={"W0": 20, "W16": 19})]
    swapped = analyse_primary(make_dataset(subjects), treatment_arm="methotrexate", control_arm="lenalidomide")
    assert swapped.itt.risk_difference.difference == pytest.approx(-1.0)
    with pytest.raises(DatasetError, match="treatment_arm"):
        analyse_primary(make_dataset(subjects), treatment_arm="placebo", control_arm="lenalidomide")


def test_baseline_zero_is_noted():
    subjects = [make_subject("T1", "lenalidomide", clasi_a={"W0": 0, "W16": 0}),
                make_subject("C1", "methotrexate", clasi_a={"W0": 20, "W16": 19})]
    result = analyse_primary(make_dataset(subjects), treatment_arm="lenalidomide", control_arm="methotrexate")
    assert any("baseline CLASI-A 0" in n for n in result.itt.notes)
