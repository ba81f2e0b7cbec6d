"""Secondary efficacy analyses: CLASI-A over time, MMRM, time to CLASI-50, DLQI change.

All functions take an `AnalysisDataset` and the arm ids in their roles (treatment, control),
use observed values only (no imputation beyond what each method implies), and return frozen
results with the notes a statistician needs to read them honestly (what was dropped, whether a
model converged, which fallback ran).
"""

from __future__ import annotations

import math
import statistics
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats as sps
from statsmodels.duration.survfunc import SurvfuncRight, survdiff
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from equipoise.stats.analysis_dataset import AnalysisDataset, SubjectRecord, json_ready
from equipoise.stats.figures import figure_bytes, house_style, new_figure, series_colour
from equipoise.stats.primary import CLASI50_FALL, ArmRoles, relative_fall
from equipoise.stats.report_words import say

SCORES: tuple[str, ...] = ("clasi_a", "clasi_d", "dlqi")


@dataclass(frozen=True)
class MeanCI:
    """Mean of observed values with a t-based confidence interval (None when n < 2)."""

    n: int
    mean: float | None
    sd: float | None
    lower: float | None
    upper: float | None


def mean_ci(values: Sequence[float], confidence: float = 0.95) -> MeanCI:
    n = len(values)
    if n == 0:
        return MeanCI(0, None, None, None, None)
    mean = statistics.fmean(values)
    if n == 1:
        return MeanCI(1, mean, None, None, None)
    sd = statistics.stdev(values)
    half = float(sps.t.ppf((1 + confidence) / 2, n - 1)) * sd / math.sqrt(n)
    return MeanCI(n, mean, sd, mean - half, mean + half)


@dataclass(frozen=True)
class VisitMean:
    arm: str
    visit: str
    summary: MeanCI


def _score(subject: SubjectRecord, score: str) -> Mapping[str, int]:
    if score not in SCORES:
        raise ValueError(f"score must be one of {', '.join(SCORES)} (got {score!r})")
    return getattr(subject, score)


def mean_by_visit(
    dataset: AnalysisDataset,
    *,
    arms: Sequence[str] | None = None,
    score: str = "clasi_a",
    visits: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> list[VisitMean]:
    """Observed mean score per arm and visit with a t confidence interval."""
    out = []
    groups = dataset.by_arm()
    for arm in arms or dataset.arms:
        for visit in visits or dataset.visits:
            values = [_score(s, score)[visit] for s in groups[arm] if visit in _score(s, score)]
            out.append(VisitMean(arm, visit, mean_ci(values, confidence)))
    return out


def mean_by_visit_figure(
    means: Sequence[VisitMean],
    arm_labels: Mapping[str, str],
    *,
    ylabel: str = "CLASI-A (mean, 95% CI)",
    fmt: str = "svg",
    lang: str = "en",
) -> bytes:
    """Line plot of arm means over visits with CI error bars; arms labelled via `arm_labels`."""
    visits = list(dict.fromkeys(m.visit for m in means))
    with house_style():
        fig = new_figure(7.0, 3.8)
        ax = fig.subplots()
        for i, arm in enumerate(dict.fromkeys(m.arm for m in means)):
            rows = [(m, m.summary.mean) for m in means if m.arm == arm and m.summary.mean is not None]
            x = np.array([visits.index(m.visit) for m, _ in rows], dtype=float) + (i - 0.5) * 0.08
            y = [mean for _, mean in rows]
            err = [
                [mean - (m.summary.lower if m.summary.lower is not None else mean) for m, mean in rows],
                [(m.summary.upper if m.summary.upper is not None else mean) - mean for m, mean in rows],
            ]
            ax.errorbar(x, y, yerr=err, marker="o", capsize=3, color=series_colour(i), label=arm_labels.get(arm, arm))
        ax.set_xticks(range(len(visits)), visits)
        ax.set_xlabel(say("Visit", lang))
        ax.set_ylabel(say(ylabel, lang))
        ax.legend(frameon=False)
        return figure_bytes(fig, fmt)


@dataclass(frozen=True)
class ArmEffect:
    visit: str
    estimate: float
    lower: float
    upper: float
    p_value: float


@dataclass(frozen=True)
class MMRMResult:
    score: str
    method: str
    converged: bool
    n_subjects: int
    n_observations: int
    effects: list[ArmEffect]
    notes: list[str] = field(default_factory=list)


def _change_frame(
    dataset: AnalysisDataset, treatment_arm: str, control_arm: str, score: str, baseline_visit: str
) -> pd.DataFrame:
    rows = []
    post = [v for v in dataset.visits if v != baseline_visit]
    for s in dataset.subjects:
        if s.arm not in (treatment_arm, control_arm):
            continue
        values = _score(s, score)
        base = values.get(baseline_visit)
        if base is None:
            continue
        for visit in post:
            if visit in values:
                rows.append(
                    {
                        "subject": s.subject_id,
                        "treat": 1.0 if s.arm == treatment_arm else 0.0,
                        "visit": visit,
                        "baseline": float(base),
                        "change": float(values[visit] - base),
                    }
                )
    return pd.DataFrame(rows, columns=["subject", "treat", "visit", "baseline", "change"])


def _ancova_fallback(frame: pd.DataFrame, visits: Sequence[str], confidence: float) -> list[ArmEffect]:
    effects = []
    for visit in visits:
        sub = frame[frame.visit == visit]
        if sub.treat.nunique() < 2 or len(sub) < 4:
            continue
        fit = smf.ols("change ~ treat + baseline", data=sub).fit()
        lo, hi = fit.conf_int(alpha=1 - confidence).loc["treat"]
        effects.append(ArmEffect(visit, float(fit.params["treat"]), float(lo), float(hi), float(fit.pvalues["treat"])))
    return effects


def mmrm(
    dataset: AnalysisDataset,
    *,
    treatment_arm: str,
    control_arm: str,
    score: str = "clasi_a",
    baseline_visit: str = "W0",
    report_visits: Sequence[str] = ("W16", "W24"),
    confidence: float = 0.95,
) -> MMRMResult:
    """Mixed model for repeated measures of change from baseline.

    change ~ treat * visit + baseline, random intercept per subject (statsmodels MixedLM, REML).
    The arm effect at visit v is treat + treat:visit[v] (the reference visit is the first
    post-baseline visit), estimated with its Wald interval from the fixed-effect covariance.
    If the model fails or does not converge, a per-visit ANCOVA (OLS, change ~ treat + baseline)
    is reported instead and the notes say so.
    """
    frame = _change_frame(dataset, treatment_arm, control_arm, score, baseline_visit)
    n_subj, n_obs = int(frame.subject.nunique()), len(frame)
    visits_present = [v for v in dataset.visits if v in set(frame.visit)]
    wanted = [v for v in report_visits if v in visits_present]
    notes = [f"Arm effect = {treatment_arm} minus {control_arm} in mean change from {baseline_visit}."]
    missing = [v for v in report_visits if v not in visits_present]
    if missing:
        notes.append(f"no observations at {', '.join(missing)}")
    if n_subj < 4 or frame.treat.nunique() < 2 or not wanted:
        notes.append("too few data for a mixed model; nothing estimated")
        return MMRMResult(score, "none", False, n_subj, n_obs, [], notes)
    ref = visits_present[0]
    formula = f"change ~ treat * C(visit, Treatment(reference='{ref}')) + baseline"
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit = smf.mixedlm(formula, frame, groups=frame["subject"]).fit(reml=True)
        converged = bool(fit.converged) and not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    except (np.linalg.LinAlgError, ValueError) as exc:
        fit, converged = None, False
        notes.append(f"mixed model failed ({type(exc).__name__}: {exc})")
    if fit is None or not converged:
        notes.append("mixed model did not converge; per-visit ANCOVA (change ~ treat + baseline) reported instead")
        return MMRMResult(
            score, "ancova_per_visit", False, n_subj, n_obs, _ancova_fallback(frame, wanted, confidence), notes
        )
    names = list(fit.fe_params.index)
    cov = fit.cov_params().loc[names, names].to_numpy()
    beta = fit.fe_params.to_numpy()
    z = float(sps.norm.ppf((1 + confidence) / 2))
    effects = []
    for visit in wanted:
        L = np.zeros(len(names))
        L[names.index("treat")] = 1.0
        if visit != ref:
            L[names.index(f"treat:C(visit, Treatment(reference='{ref}'))[T.{visit}]")] = 1.0
        est = float(L @ beta)
        se = math.sqrt(float(L @ cov @ L))
        p = float(2 * sps.norm.sf(abs(est / se))) if se > 0 else float("nan")
        effects.append(ArmEffect(visit, est, est - z * se, est + z * se, p))
    notes.append("MixedLM, REML, random intercept per subject; Wald intervals.")
    return MMRMResult(score, "mixedlm_random_intercept", True, n_subj, n_obs, effects, notes)


@dataclass(frozen=True)
class KaplanMeier:
    arm: str
    n: int
    events: int
    times: list[float]
    survival: list[float]


@dataclass(frozen=True)
class TimeToResponse:
    threshold_fall: float
    curves: list[KaplanMeier]
    logrank_statistic: float | None
    logrank_p_value: float | None
    excluded: dict[str, int]
    notes: list[str]


def first_response_time(
    subject: SubjectRecord, *, baseline_visit: str = "W0", fall: float = CLASI50_FALL
) -> tuple[float, bool] | None:
    """(study day, event) for the first visit with a fall >= `fall`, else censored at the last
    CLASI visit; None when the subject cannot contribute (no baseline, baseline 0, no later
    CLASI with a study day)."""
    base = subject.clasi_a.get(baseline_visit)
    if base is None or base == 0:
        return None
    post = sorted(
        (subject.visit_days[v], v) for v in subject.clasi_a if v != baseline_visit and v in subject.visit_days
    )
    post = [(d, v) for d, v in post if d > 0]
    if not post:
        return None
    for day, visit in post:
        change = relative_fall(base, subject.clasi_a[visit])
        if change is not None and change >= fall:
            return float(day), True
    return float(post[-1][0]), False


def time_to_response(
    dataset: AnalysisDataset,
    *,
    treatment_arm: str,
    control_arm: str,
    fall: float = CLASI50_FALL,
    baseline_visit: str = "W0",
) -> TimeToResponse:
    """Kaplan-Meier time to first CLASI-50 by arm, and the log-rank test between arms."""
    curves, times, status, group = [], [], [], []
    excluded: dict[str, int] = {}
    for arm in (treatment_arm, control_arm):
        arm_t, arm_e = [], []
        for s in dataset.by_arm()[arm]:
            te = first_response_time(s, baseline_visit=baseline_visit, fall=fall)
            if te is None:
                excluded[arm] = excluded.get(arm, 0) + 1
                continue
            arm_t.append(te[0])
            arm_e.append(1 if te[1] else 0)
        if arm_t:
            sf = SurvfuncRight(np.array(arm_t), np.array(arm_e))
            curves.append(
                KaplanMeier(arm, len(arm_t), sum(arm_e), [float(t) for t in sf.surv_times],
                            [float(p) for p in sf.surv_prob])
            )
        else:
            curves.append(KaplanMeier(arm, 0, 0, [], []))
        times += arm_t
        status += arm_e
        group += [arm] * len(arm_t)
    notes = [
        f"Event: first visit with CLASI-A at least {fall:.0%} below {baseline_visit}, at its study day; "
        "otherwise censored at the last CLASI visit. Observed data, no non-responder imputation."
    ]
    if excluded:
        notes.append(
            "not analysable (no baseline, baseline 0, or no later CLASI with a study day): "
            + ", ".join(f"{arm} {k}" for arm, k in excluded.items())
        )
    stat = p = None
    if len(set(group)) == 2 and sum(status) > 0:
        try:
            chisq, pvalue = survdiff(np.array(times), np.array(status), np.array(group))
            stat, p = float(chisq), float(pvalue)
        except np.linalg.LinAlgError:
            # Zero variance: every event happens where only one arm is still at risk (small early data).
            notes.append("log-rank test not computable (no variance: the arms are never at risk together "
                         "when events occur)")
    else:
        notes.append("log-rank test not computable (an arm is empty or no events)")
    return TimeToResponse(fall, curves, stat, p, excluded, notes)


def km_figure(result: TimeToResponse, arm_labels: Mapping[str, str], *, fmt: str = "svg", lang: str = "en") -> bytes:
    """Cumulative proportion reaching the response (1 - KM survival) by arm, in weeks."""
    with house_style():
        fig = new_figure(7.0, 3.8)
        ax = fig.subplots()
        for i, curve in enumerate(result.curves):
            if not curve.n:
                continue
            x = [0.0] + [t / 7 for t in curve.times]
            y = [0.0] + [1 - s for s in curve.survival]
            ax.step(x, y, where="post", color=series_colour(i),
                    label=say("{arm} (n={n}, events={events})", lang, arm=arm_labels.get(curve.arm, curve.arm),
                              n=curve.n, events=curve.events))
        ax.set_ylim(0, 1)
        ax.set_xlabel(say("Weeks since randomization", lang))
        ax.set_ylabel(say("Proportion with CLASI-{fall}", lang, fall=round(result.threshold_fall * 100)))
        ax.legend(frameon=False, loc="lower right")
        return figure_bytes(fig, fmt)


@dataclass(frozen=True)
class ChangeByArm:
    visit: str
    treatment: MeanCI
    control: MeanCI
    difference: float | None
    lower: float | None
    upper: float | None
    method: str = "Welch two-sample t interval"


def change_from_baseline(
    dataset: AnalysisDataset,
    *,
    treatment_arm: str,
    control_arm: str,
    score: str = "dlqi",
    visits: Sequence[str] = ("W16", "W24"),
    baseline_visit: str = "W0",
    confidence: float = 0.95,
) -> list[ChangeByArm]:
    """Change from baseline per arm (observed pairs), and the treatment - control difference."""
    groups = dataset.by_arm()
    out = []
    for visit in visits:
        changes = {}
        for arm in (treatment_arm, control_arm):
            changes[arm] = [
                float(_score(s, score)[visit] - _score(s, score)[baseline_visit])
                for s in groups[arm]
                if visit in _score(s, score) and baseline_visit in _score(s, score)
            ]
        t, c = changes[treatment_arm], changes[control_arm]
        diff = lo = hi = None
        if len(t) >= 2 and len(c) >= 2:
            res = sps.ttest_ind(t, c, equal_var=False)
            ci = res.confidence_interval(confidence)
            diff, lo, hi = statistics.fmean(t) - statistics.fmean(c), float(ci.low), float(ci.high)
        out.append(ChangeByArm(visit, mean_ci(t, confidence), mean_ci(c, confidence), diff, lo, hi))
    return out


@dataclass(frozen=True)
class SecondaryResult:
    treatment_arm: str
    control_arm: str
    clasi_a_means: list[VisitMean]
    clasi_a_mmrm: MMRMResult
    time_to_clasi50: TimeToResponse
    dlqi_change: list[ChangeByArm]

    def to_dict(self) -> dict[str, Any]:
        return json_ready(asdict(self))


def analyse_secondary(dataset: AnalysisDataset, *, treatment_arm: str, control_arm: str) -> SecondaryResult:
    """The secondary efficacy set used by the statistician's report and the DSMB closed part."""
    roles = ArmRoles(treatment_arm=treatment_arm, control_arm=control_arm)
    return SecondaryResult(
        treatment_arm,
        control_arm,
        mean_by_visit(dataset, arms=[treatment_arm, control_arm], score="clasi_a"),
        mmrm(dataset, **roles),
        time_to_response(dataset, **roles),
        change_from_baseline(dataset, **roles, score="dlqi"),
    )
