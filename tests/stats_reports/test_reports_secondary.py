import math
import random

import numpy as np
import pytest
from scipy import stats as sps

from equipoise.stats.secondary import (
    change_from_baseline,
    first_response_time,
    mean_by_visit,
    mean_ci,
    mmrm,
    time_to_response,
)

from .conftest import make_dataset, make_subject

ROLES = {"treatment_arm": "lenalidomide", "control_arm": "methotrexate"}


def test_mean_ci_matches_scipy_t_interval():
    values = [3.0, 5.0, 8.0, 13.0, 2.0]
    s = mean_ci(values)
    lo, hi = sps.t.interval(0.95, 4, loc=np.mean(values), scale=sps.sem(values))
    assert (s.lower, s.upper) == pytest.approx((lo, hi))
    assert mean_ci([4.0]).lower is None


def test_mean_by_visit_uses_observed_values_only():
    d = make_dataset([
        make_subject("A", clasi_a={"W0": 20, "W4": 10}),
        make_subject("B", clasi_a={"W0": 30}),
        make_subject("C", "methotrexate", clasi_a={"W0": 12, "W4": 6}),
    ])
    means = {(m.arm, m.visit): m.summary for m in mean_by_visit(d)}
    assert means[("lenalidomide", "W0")].mean == 25
    assert means[("lenalidomide", "W4")].n == 1
    assert means[("methotrexate", "W8")].n == 0


def crafted_survival():
    # lenalidomide: events at days 14, 28, censored 28, event 42, censored 56, event 70
    # (each subject has W0 = 20; an event is a visit at <= 10)
    def subj(i, arm, day, event):
        return make_subject(f"{arm[0]}{i}", arm, clasi_a={"W0": 20, "W4": 5 if event else 15},
                            visit_days={"W0": 0, "W4": day})
    le = [(14, True), (28, True), (28, False), (42, True), (56, False), (70, True)]
    me = [(28, False), (42, True), (56, False), (70, True), (84, False)]
    return make_dataset([subj(i, "lenalidomide", d, e) for i, (d, e) in enumerate(le)]
                        + [subj(i, "methotrexate", d, e) for i, (d, e) in enumerate(me)]), le, me


def test_kaplan_meier_matches_hand_computation():
    d, _, _ = crafted_survival()
    result = time_to_response(d, **ROLES)
    km = result.curves[0]
    # at risk 6 at day 14 -> 5/6; at 28: 5 at risk, 1 event -> 5/6*4/5; at 42: 3 at risk -> *2/3;
    # at 70: 1 at risk -> 0
    expected = [5 / 6, 4 / 6, 4 / 6 * 2 / 3, 0.0]
    assert km.times == [14, 28, 42, 70]
    assert km.survival == pytest.approx(expected)
    assert (km.n, km.events) == (6, 4)


def test_logrank_matches_hand_computation():
    d, le, me = crafted_survival()
    data = [(t, e, 1) for t, e in le] + [(t, e, 0) for t, e in me]
    o_minus_e = var = 0.0
    for time in sorted({t for t, e, _ in data if e}):
        at_risk = [x for x in data if x[0] >= time]
        n, n1 = len(at_risk), sum(g for _, _, g in at_risk)
        deaths = [x for x in at_risk if x[0] == time and x[1]]
        dd, d1 = len(deaths), sum(g for _, _, g in deaths)
        o_minus_e += d1 - dd * n1 / n
        if n > 1:
            var += dd * (n1 / n) * (1 - n1 / n) * (n - dd) / (n - 1)
    result = time_to_response(d, **ROLES)
    assert result.logrank_statistic == pytest.approx(o_minus_e**2 / var)
    assert result.logrank_p_value == pytest.approx(sps.chi2.sf(o_minus_e**2 / var, 1))


def test_first_response_time_rules():
    s = make_subject("A", clasi_a={"W0": 20, "W4": 12, "W8": 10, "W12": 4},
                     visit_days={"W0": 0, "W4": 30, "W8": 55, "W12": 85})
    assert first_response_time(s) == (55.0, True)  # first visit at >= 50%, at its study day
    s = make_subject("B", clasi_a={"W0": 20, "W4": 12, "W8": 15}, visit_days={"W0": 0, "W4": 30, "W8": 58})
    assert first_response_time(s) == (58.0, False)  # censored at last CLASI visit
    assert first_response_time(make_subject("C", clasi_a={"W0": 0, "W4": 0})) is None
    assert first_response_time(make_subject("D", clasi_a={"W0": 20})) is None


def test_change_from_baseline_welch_difference():
    rng = random.Random(5)
    subjects = []
    for i in range(12):
        arm = "lenalidomide" if i % 2 else "methotrexate"
        base = rng.randint(5, 25)
        subjects.append(make_subject(f"S{i}", arm, dlqi={"W0": base, "W16": max(0, base - rng.randint(0, 10))}))
    d = make_dataset(subjects)
    [w16, w24] = change_from_baseline(d, **ROLES)
    t = [s.dlqi["W16"] - s.dlqi["W0"] for s in subjects if s.arm == "lenalidomide"]
    c = [s.dlqi["W16"] - s.dlqi["W0"] for s in subjects if s.arm == "methotrexate"]
    vt, vc = np.var(t, ddof=1) / len(t), np.var(c, ddof=1) / len(c)
    df = (vt + vc) ** 2 / (vt**2 / (len(t) - 1) + vc**2 / (len(c) - 1))
    half = sps.t.ppf(0.975, df) * math.sqrt(vt + vc)
    diff = np.mean(t) - np.mean(c)
    assert w16.difference == pytest.approx(diff)
    assert (w16.lower, w16.upper) == pytest.approx((diff - half, diff + half))
    assert w16.treatment.sd == pytest.approx(np.std(t, ddof=1))
    assert w24.treatment.n == 0 and w24.difference is None


def test_mmrm_recovers_a_known_arm_effect():
    rng = np.random.default_rng(11)
    subjects = []
    for i in range(80):
        arm = "lenalidomide" if i % 2 else "methotrexate"
        base = int(rng.integers(10, 30))
        u = rng.normal(0, 2)
        scores = {"W0": base}
        for v, w in (("W4", 4), ("W8", 8), ("W12", 12), ("W16", 16), ("W20", 20), ("W24", 24)):
            effect = -6.0 * (w / 24) if arm == "lenalidomide" else 0.0
            scores[v] = int(round(base - 0.15 * w + effect + u + rng.normal(0, 1.5)))
        subjects.append(make_subject(f"S{i}", arm, clasi_a=scores))
    result = mmrm(make_dataset(subjects), **ROLES)
    assert result.method == "mixedlm_random_intercept" and result.converged
    effects = {e.visit: e for e in result.effects}
    assert effects["W24"].lower < -6.0 < effects["W24"].upper
    assert effects["W16"].lower < -4.0 < effects["W16"].upper
    assert effects["W24"].p_value < 0.001


def test_mmrm_with_too_little_data_says_so():
    d = make_dataset([make_subject("A"), make_subject("B", "methotrexate")])
    result = mmrm(d, **ROLES)
    assert result.effects == [] and any("too few" in n for n in result.notes)


def test_log_rank_with_no_shared_risk_set_is_reported_not_raised():
    """Early data: the only event happens after the other arm's last visit, so the log-rank variance is 0."""
    responder = make_subject("A1", "lenalidomide", clasi_a={"W0": 20, "W8": 6}, visit_days={"W0": 0, "W8": 56})
    censored = make_subject("B1", "methotrexate", clasi_a={"W0": 20, "W4": 19}, visit_days={"W0": 0, "W4": 28})
    result = time_to_response(make_dataset([responder, censored]), **ROLES)
    assert result.logrank_statistic is None and result.logrank_p_value is None
    assert any("no variance" in note for note in result.notes)
