"""Primary analysis: CLASI-50 response at week 16, intention to treat.

Definition (trial sheet section 5, protocol `endpoints.yaml` clasi50_w16 and its
`non_responder_rule`): a responder's CLASI-A at W16 has fallen by at least 50% from W0. A subject
counts as a non-responder when the W16 CLASI is missing, when the study drug was stopped for lack
of efficacy or toxicity, or when rescue systemic therapy was given. A baseline CLASI-A of 0 leaves
the percentage fall undefined: such a subject is a non-responder and the result says so.

Interim and final. At an interim cut-off (DSMB and interim reports) a subject whose visit window
has not closed by the cut-off, and whose outcome nothing has decided yet (no CLASI at the visit, no
rescue therapy, no stop for lack of efficacy or toxicity, not withdrawn or lost to follow-up), is
"not yet evaluable": left out of that analysis and counted apart, never a non-responder. The final
analysis (`final=True`) applies the non-responder rule as written to everyone randomized.

Analyses: response rate per arm; risk difference (treatment - control) with Newcombe's hybrid
score interval; Cochran-Mantel-Haenszel test and pooled odds ratio over the randomization strata;
logistic regression adjusted for the strata; the same on the per-protocol set as sensitivity.
Which arm is treatment and which is control is always passed in, never inferred.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, TypedDict

import numpy as np
import statsmodels.api as sm
from scipy.stats import norm
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.tools.sm_exceptions import (
    ConvergenceWarning,
    PerfectSeparationError,
    PerfectSeparationWarning,
)

from equipoise.stats.analysis_dataset import (
    AnalysisDataset,
    DatasetError,
    SubjectRecord,
    json_ready,
)
from equipoise.stats.proportions import difference_ci

CLASI50_FALL = 0.5
NON_RESPONDER_STOP_REASONS: tuple[str, ...] = ("lack_of_efficacy", "toxicity")

REASONS: dict[str, str] = {
    "responder": "CLASI-A fell by at least the threshold",
    "insufficient_fall": "CLASI-A fell by less than the threshold",
    "baseline_zero": "baseline CLASI-A is 0, so a percentage fall is undefined (non-responder)",
    "missing_baseline": "no baseline CLASI-A (non-responder)",
    "missing_visit": "no CLASI at the assessment visit (non-responder)",
    "stopped_drug": "stopped study drug for lack of efficacy or toxicity (non-responder)",
    "rescue_therapy": "received rescue systemic therapy (non-responder)",
}


@dataclass(frozen=True)
class Classification:
    subject_id: str
    arm: str
    responder: bool
    reason: str


def relative_fall(baseline: int, value: int) -> float | None:
    """Fraction by which a score fell from baseline; None when baseline is 0 (undefined)."""
    if baseline == 0:
        return None
    return (baseline - value) / baseline


def classify_response(
    subject: SubjectRecord,
    *,
    visit: str = "W16",
    baseline_visit: str = "W0",
    fall: float = CLASI50_FALL,
    stop_reasons: Sequence[str] = NON_RESPONDER_STOP_REASONS,
) -> Classification:
    """Apply the response definition and the ITT non-responder rule to one subject.

    The rule's events (stopping for lack of efficacy/toxicity, rescue therapy) override a
    measured CLASI: a subject who needed rescue therapy is not credited with the response it bought.
    """
    def result(responder: bool, reason: str) -> Classification:
        return Classification(subject.subject_id, subject.arm, responder, reason)

    if subject.rescue_therapy:
        return result(False, "rescue_therapy")
    if subject.stopped_drug_reason in stop_reasons:
        return result(False, "stopped_drug")
    base = subject.clasi_a.get(baseline_visit)
    if base is None:
        return result(False, "missing_baseline")
    if base == 0:
        return result(False, "baseline_zero")
    value = subject.clasi_a.get(visit)
    if value is None:
        return result(False, "missing_visit")
    change = relative_fall(base, value)
    if change is not None and change >= fall:
        return result(True, "responder")
    return result(False, "insufficient_fall")


def window_open(subject: SubjectRecord, visit: str, cutoff: dt.date, window_closes: Mapping[str, int]) -> bool:
    """Whether the subject's `visit` may still be done after the cut-off (its window's last day
    falls on or after the cut-off). False when the dataset does not know the visit's window."""
    close = window_closes.get(visit)
    return close is not None and subject.randomized_on + dt.timedelta(days=close) >= cutoff


def not_yet_evaluable(
    subject: SubjectRecord, *, visit: str, cutoff: dt.date, window_closes: Mapping[str, int],
    stop_reasons: Sequence[str] = NON_RESPONDER_STOP_REASONS,
) -> bool:
    """At an interim cut-off: the window is still open and nothing has decided the outcome yet."""
    if not window_open(subject, visit, cutoff, window_closes):
        return False
    decided = (subject.rescue_therapy or subject.stopped_drug_reason in stop_reasons or subject.discontinued
               or subject.lost_to_follow_up or visit in subject.clasi_a)
    return not decided


@dataclass(frozen=True)
class ArmRate:
    arm: str
    n: int
    responders: int
    rate: float | None


@dataclass(frozen=True)
class RiskDifference:
    difference: float
    lower: float
    upper: float
    confidence: float
    method: str = "Newcombe hybrid score interval"


@dataclass(frozen=True)
class CMHResult:
    strata_used: list[str]
    strata_dropped: list[str]
    statistic: float | None
    p_value: float | None
    pooled_odds_ratio: float | None
    lower: float | None
    upper: float | None
    continuity_correction: bool
    note: str | None = None


@dataclass(frozen=True)
class LogisticResult:
    odds_ratio: float | None
    lower: float | None
    upper: float | None
    p_value: float | None
    n_used: int
    strata_in_model: list[str]
    strata_dropped: list[str]
    note: str | None = None


@dataclass(frozen=True)
class BinaryAnalysis:
    """One population's analysis of a binary response (ITT or per protocol)."""

    population: str
    treatment: ArmRate
    control: ArmRate
    risk_difference: RiskDifference | None
    cmh: CMHResult
    logistic: LogisticResult
    reasons: dict[str, dict[str, int]]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PrimaryResult:
    endpoint: str
    visit: str
    threshold_fall: float
    treatment_arm: str
    control_arm: str
    itt: BinaryAnalysis
    per_protocol: BinaryAnalysis
    notes: list[str]
    final: bool = True
    not_yet_evaluable: dict[str, int] = field(default_factory=dict)
    """Per arm, subjects left out of this interim analysis because their window is still open."""

    def to_dict(self) -> dict[str, Any]:
        return json_ready(asdict(self))


def _arm_rate(arm: str, cls: list[Classification]) -> ArmRate:
    n = len(cls)
    x = sum(c.responder for c in cls)
    return ArmRate(arm, n, x, x / n if n else None)


def cmh_analysis(
    rows: Sequence[tuple[str, bool, bool]], *, correction: bool = False, confidence: float = 0.95
) -> CMHResult:
    """CMH over (stratum, is_treatment, responder) rows.

    Each stratum gives a 2x2 table, rows treatment/control, columns responder/non-responder. A
    stratum lacking either arm carries no comparison and is dropped (listed in the result).
    """
    tables: dict[str, np.ndarray] = {}
    for stratum, treated, responder in rows:
        t = tables.setdefault(stratum, np.zeros((2, 2)))
        t[0 if treated else 1, 0 if responder else 1] += 1
    used = sorted(s for s, t in tables.items() if t[0].sum() > 0 and t[1].sum() > 0)
    dropped = sorted(s for s in tables if s not in used)
    note_parts = []
    if dropped:
        note_parts.append(f"{len(dropped)} stratum/strata without both arms dropped: {', '.join(dropped)}")
    informative = [s for s in used if 0 < tables[s][:, 0].sum() < tables[s].sum()]
    if not informative:
        note_parts.append("no stratum has both arms and both outcomes; CMH not computable")
        return CMHResult(used, dropped, None, None, None, None, None, correction, "; ".join(note_parts))
    st = StratifiedTable([tables[s] for s in used])
    test = st.test_null_odds(correction=correction)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        odds = float(st.oddsratio_pooled)
        lo, hi = st.oddsratio_pooled_confint(alpha=1 - confidence)
    return CMHResult(
        used, dropped, float(test.statistic), float(test.pvalue), odds, float(lo), float(hi), correction,
        "; ".join(note_parts) or None,
    )


def logistic_analysis(
    rows: Sequence[tuple[str, bool, bool]], *, confidence: float = 0.95
) -> LogisticResult:
    """Logistic regression of response on arm, adjusted for strata (stratum indicators).

    Strata without both arms, and strata where every subject has the same outcome, only push
    their own indicator to infinity and tell nothing about the arm effect: they are dropped
    beforehand (listed) so the fit is stable. If the arm itself separates the outcome (e.g. every
    treated subject responds), the odds ratio is infinite and reported as None with a note.
    """
    by: dict[str, list[tuple[bool, bool]]] = {}
    for stratum, treated, responder in rows:
        by.setdefault(stratum, []).append((treated, responder))
    keep: list[str] = []
    dropped: list[str] = []
    for s in sorted(by):
        arms = {t for t, _ in by[s]}
        outcomes = {r for _, r in by[s]}
        (keep if len(arms) == 2 and len(outcomes) == 2 else dropped).append(s)
    used_rows = [(s, t, r) for s in keep for t, r in by[s]]
    note_dropped = (
        f"{len(dropped)} stratum/strata without both arms or with a single outcome dropped "
        f"(no information on the arm effect): {', '.join(dropped)}" if dropped else None
    )

    def empty(note: str) -> LogisticResult:
        full = "; ".join(n for n in (note_dropped, note) if n)
        return LogisticResult(None, None, None, None, len(used_rows), keep, dropped, full)

    if not used_rows:
        return empty("no usable stratum; logistic regression not fitted")
    y = np.array([1.0 if r else 0.0 for _, _, r in used_rows])
    treat = np.array([1.0 if t else 0.0 for _, t, _ in used_rows])
    columns = [np.ones(len(used_rows)), treat]
    for s in keep[1:]:
        columns.append(np.array([1.0 if st == s else 0.0 for st, _, _ in used_rows]))
    X = np.column_stack(columns)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = sm.GLM(y, X, family=sm.families.Binomial()).fit()
        except (PerfectSeparationError, np.linalg.LinAlgError, ValueError) as exc:
            return empty(f"logistic regression failed ({type(exc).__name__}): separation or collinearity")
    bad = [w for w in caught if issubclass(w.category, PerfectSeparationWarning | ConvergenceWarning)]
    beta, se = float(fit.params[1]), float(fit.bse[1])
    if bad or not math.isfinite(se) or abs(beta) > 15 or se > 100:
        return empty(
            "the arm separates the outcome (or the fit did not converge): the adjusted odds ratio "
            "is not estimable; rely on the risk difference and the CMH test"
        )
    z = float(norm.ppf((1 + confidence) / 2))
    return LogisticResult(
        math.exp(beta), math.exp(beta - z * se), math.exp(beta + z * se), float(fit.pvalues[1]),
        len(used_rows), keep, dropped, note_dropped,
    )


def binary_analysis(
    population: str,
    classifications: Sequence[Classification],
    strata: dict[str, str],
    treatment_arm: str,
    control_arm: str,
    confidence: float = 0.95,
) -> BinaryAnalysis:
    """All primary statistics for one population of classified subjects."""
    treated = [c for c in classifications if c.arm == treatment_arm]
    control = [c for c in classifications if c.arm == control_arm]
    t_rate, c_rate = _arm_rate(treatment_arm, treated), _arm_rate(control_arm, control)
    notes: list[str] = []
    rd = None
    if t_rate.n and c_rate.n:
        ci = difference_ci(
            t_rate.responders, t_rate.n, c_rate.responders, c_rate.n, confidence=confidence, method="newcombe"
        )
        rd = RiskDifference(float(ci.difference), float(ci.lower), float(ci.upper), confidence)
    else:
        notes.append("an arm has no subjects; the risk difference is not computable")
    rows = [(strata[c.subject_id], c.arm == treatment_arm, c.responder) for c in (*treated, *control)]
    reasons: dict[str, dict[str, int]] = {
        arm: dict(Counter(c.reason for c in group)) for arm, group in ((treatment_arm, treated), (control_arm, control))
    }
    zero = sum(1 for c in (*treated, *control) if c.reason == "baseline_zero")
    if zero:
        notes.append(f"{zero} subject(s) with baseline CLASI-A 0 counted as non-responders (percentage fall undefined)")
    return BinaryAnalysis(
        population, t_rate, c_rate, rd, cmh_analysis(rows, confidence=confidence),
        logistic_analysis(rows, confidence=confidence), reasons, notes,
    )


class ArmRoles(TypedDict):
    """Which arm is compared with which, as the analyses take them (`**roles`)."""

    treatment_arm: str
    control_arm: str


def analyse_primary(
    dataset: AnalysisDataset,
    *,
    treatment_arm: str,
    control_arm: str,
    visit: str = "W16",
    baseline_visit: str = "W0",
    fall: float = CLASI50_FALL,
    stop_reasons: Sequence[str] = NON_RESPONDER_STOP_REASONS,
    confidence: float = 0.95,
    endpoint: str = "clasi50_w16",
    final: bool = False,
) -> PrimaryResult:
    """CLASI-50 at `visit`: ITT with the non-responder rule, and per protocol as sensitivity.

    Also serves secondary binary endpoints by changing `visit` (W24) or `fall` (0.7 for CLASI-70).
    Unless `final`, subjects not yet evaluable at the cut-off are left out and counted per arm.
    """
    for name, arm in (("treatment_arm", treatment_arm), ("control_arm", control_arm)):
        if arm not in dataset.arms:
            raise DatasetError(name, arm, f"must be one of the dataset arms {', '.join(dataset.arms)}")
    if treatment_arm == control_arm:
        raise DatasetError("control_arm", control_arm, "must differ from treatment_arm")
    subjects = [s for s in dataset.subjects if s.arm in (treatment_arm, control_arm)]
    waiting = [] if final else [
        s for s in subjects if not_yet_evaluable(s, visit=visit, cutoff=dataset.data_cutoff,
                                                 window_closes=dataset.window_closes, stop_reasons=stop_reasons)]
    waiting_ids = {s.subject_id for s in waiting}
    subjects = [s for s in subjects if s.subject_id not in waiting_ids]
    cls = [
        classify_response(s, visit=visit, baseline_visit=baseline_visit, fall=fall, stop_reasons=stop_reasons)
        for s in subjects
    ]
    strata = {s.subject_id: s.stratum for s in subjects}
    pp_ids = {s.subject_id for s in subjects if s.per_protocol}
    itt = binary_analysis("intention_to_treat", cls, strata, treatment_arm, control_arm, confidence)
    pp = binary_analysis(
        "per_protocol", [c for c in cls if c.subject_id in pp_ids], strata, treatment_arm, control_arm, confidence
    )
    notes = [
        f"Responder: CLASI-A at {visit} fell by at least {fall:.0%} from {baseline_visit}.",
        "Non-responders (ITT): no CLASI at the visit, study drug stopped for "
        + " or ".join(r.replace("_", " ") for r in stop_reasons)
        + ", or rescue systemic therapy.",
        f"Risk difference is {treatment_arm} minus {control_arm}; odds ratios are {treatment_arm} vs {control_arm}.",
        "CMH test without continuity correction over the randomization strata.",
    ]
    by_arm = {arm: sum(1 for s in waiting if s.arm == arm) for arm in (treatment_arm, control_arm)}
    if final:
        notes.append("Final analysis: the non-responder rule applies to everyone randomized.")
    else:
        notes.append(
            f"Interim analysis at the cut-off {dataset.data_cutoff.isoformat()}: {len(waiting)} subject(s) not yet "
            f"evaluable ({visit} window still open, outcome not yet decided) are left out, not counted as "
            f"non-responders ({treatment_arm} {by_arm[treatment_arm]}, {control_arm} {by_arm[control_arm]}).")
    return PrimaryResult(endpoint, visit, fall, treatment_arm, control_arm, itt, pp, notes, final, by_arm)
