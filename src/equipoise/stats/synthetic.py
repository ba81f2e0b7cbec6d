"""A seeded synthetic analysis dataset for tests, demos and report previews.

The numbers are invented but shaped like the trial: CLASI-A at baseline between 8 (the IN05
floor) and about 40, visits every four weeks to W24 with jittered study days, a latent CLASI-50
response drawn with the arm's probability, some missing visits, early stops, rescue therapy,
loss to follow-up, adverse events, and a screening log with failures by criterion. The same
seed always gives the same dataset, so tests can rely on it.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from equipoise.eligibility.verdict import Verdict
from equipoise.stats.analysis_dataset import (
    AdverseEvent,
    AnalysisDataset,
    Baseline,
    ScreeningEntry,
    SubjectRecord,
)

VISITS: tuple[str, ...] = ("W0", "W4", "W8", "W12", "W16", "W20", "W24")
CRITERIA: tuple[str, ...] = ("IN04", "IN05", "IN06", "EX01", "EX02", "EX04", "EX07", "EX08")
AE_TERMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Nausea", ()),
    ("Fatigue", ()),
    ("Headache", ()),
    ("Raised ALT", ("liver_toxicity",)),
    ("Neutropenia", ("neutropenia",)),
    ("Thrombocytopenia", ("thrombocytopenia",)),
    ("Deep vein thrombosis", ("thrombosis",)),
    ("Peripheral sensory neuropathy", ("peripheral_neuropathy",)),
    ("Pneumonia", ("serious_infection",)),
    ("Rash", ()),
)


def _permuted_block_arms(rng: random.Random, arms: tuple[str, str], count: int) -> list[str]:
    out: list[str] = []
    while len(out) < count:
        size = rng.choice((2, 4, 6))
        block = [arms[0]] * (size // 2) + [arms[1]] * (size // 2)
        rng.shuffle(block)
        out.extend(block)
    return out[:count]


def synthetic_dataset(
    n: int,
    seed: int,
    p_control: float,
    p_treatment: float,
    *,
    treatment_arm: str = "lenalidomide",
    control_arm: str = "methotrexate",
    sites: tuple[str, ...] = ("PAR-TENON", "PAR-SLS", "LYON", "LILLE"),
    start: date = date(2025, 10, 1),
    days_between_randomizations: float = 6.5,
    screen_failure_fraction: float = 0.25,
) -> AnalysisDataset:
    """Build `n` randomized subjects (plus screen failures) with latent CLASI-50 rates p_*.

    Arms are allocated 1:1 in permuted blocks within each stratum (site x SLE), like the trial.
    """
    if n < 2:
        raise ValueError(f"n must be at least 2 (got {n!r})")
    for name, p in (("p_control", p_control), ("p_treatment", p_treatment)):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{name} must be between 0 and 1 (got {p!r})")
    rng = random.Random(seed)
    arms = (treatment_arm, control_arm)
    queues: dict[str, list[str]] = {}
    subjects: list[SubjectRecord] = []
    screening: list[ScreeningEntry] = []
    day = 0.0
    number = 0
    while len(subjects) < n:
        number += 1
        day += rng.expovariate(1.0 / days_between_randomizations)
        site = rng.choice(sites)
        subject_id = f"S{number:04d}"
        if rng.random() < screen_failure_fraction:
            roll = rng.random()
            if roll < 0.7:
                failed = tuple(sorted(rng.sample(CRITERIA, 1 if rng.random() < 0.8 else 2)))
                screening.append(ScreeningEntry(subject_id, site, Verdict.NOT_ELIGIBLE, failed))
            elif roll < 0.85:
                screening.append(ScreeningEntry(subject_id, site, Verdict.INCOMPLETE))
            else:
                screening.append(ScreeningEntry(subject_id, site, Verdict.ELIGIBLE, note="declined randomization"))
            continue
        screening.append(ScreeningEntry(subject_id, site, Verdict.ELIGIBLE))
        sle = rng.random() < 0.35
        stratum = f"{site}|sle={'yes' if sle else 'no'}"
        queue = queues.setdefault(stratum, [])
        if not queue:
            queue.extend(_permuted_block_arms(rng, arms, 6))
        arm = queue.pop(0)
        p = p_treatment if arm == treatment_arm else p_control
        subjects.append(_subject(rng, subject_id, site, stratum, arm, sle, p, start + timedelta(days=int(day))))
    return AnalysisDataset(
        trial_id="NCT06965244",
        data_cutoff=start + timedelta(days=int(day) + 200),
        arms=arms,
        visits=VISITS,
        subjects=tuple(subjects),
        screening=tuple(screening),
    )


def _subject(
    rng: random.Random, subject_id: str, site: str, stratum: str, arm: str, sle: bool, p: float, on: date
) -> SubjectRecord:
    baseline_a = rng.randint(8, 40)
    responder = rng.random() < p
    # Final relative fall: responders land between 50% and 100%, others between -20% and 45%.
    final_fall = rng.uniform(0.55, 1.0) if responder else rng.uniform(-0.2, 0.45)
    onset_week = rng.choice((4, 8, 12)) if responder else 99
    clasi_a: dict[str, int] = {}
    clasi_d: dict[str, int] = {}
    visit_days: dict[str, int] = {}
    baseline_d = rng.randint(0, 20)
    stop_reason = None
    stop_week = 99
    roll = rng.random()
    if roll < 0.06:
        stop_reason = "lack_of_efficacy"
    elif roll < 0.10:
        stop_reason = "toxicity"
    elif roll < 0.13:
        stop_reason = rng.choice(("adverse_event", "withdrew_consent", "other"))
    if stop_reason:
        stop_week = rng.choice((4, 8, 12, 16, 20))
    lost = rng.random() < 0.04
    lost_week = rng.choice((8, 12, 16, 20)) if lost else 99
    for visit in VISITS:
        week = int(visit[1:])
        if week > lost_week or (stop_reason == "withdrew_consent" and week > stop_week):
            break
        if week and rng.random() < 0.04:
            continue  # a missed visit
        if week == 0:
            score = baseline_a
        else:
            progress = 1.0 if week >= onset_week + 4 else (0.6 if week >= onset_week else min(week / 20, 0.45))
            fall = final_fall * progress if responder else final_fall * min(week / 16, 1.0)
            score = max(0, round(baseline_a * (1 - fall) + rng.gauss(0, 0.8)))
            if responder and week >= onset_week + 4:
                score = min(score, baseline_a // 2)
            elif not responder:
                score = max(score, baseline_a // 2 + 1)
        clasi_a[visit] = score
        clasi_d[visit] = max(0, baseline_d + rng.randint(-1, 1))
        visit_days[visit] = 0 if week == 0 else week * 7 + rng.randint(-5, 5)
    dlqi: dict[str, int] = {}
    dlqi_base = rng.randint(4, 25)
    for visit in ("W0", "W16", "W24"):
        if visit in clasi_a:
            shift = 0 if visit == "W0" else (rng.randint(-12, -3) if responder else rng.randint(-5, 3))
            dlqi[visit] = min(30, max(0, dlqi_base + shift))
    events = []
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
        term, special = rng.choice(AE_TERMS)
        grade = rng.choices((1, 2, 3, 4, 5), weights=(50, 30, 14, 5, 1))[0]
        events.append(AdverseEvent(term, grade, serious=grade >= 3 and rng.random() < 0.6, special_interest=special))
    rescue = rng.random() < 0.05
    discontinued = lost or stop_reason == "withdrew_consent"
    return SubjectRecord(
        subject_id=subject_id,
        site=site,
        stratum=stratum,
        arm=arm,
        randomized_on=on,
        baseline=Baseline(
            age_years=rng.randint(19, 78),
            sex="female" if rng.random() < 0.8 else "male",
            sle_associated=sle,
            clasi_a=baseline_a,
            clasi_d=baseline_d,
            dlqi_total=dlqi.get("W0"),
            prednisone_mg_day=rng.choice((0.0, 0.0, 5.0, 7.5, 10.0)),
            antimalarial_stable_months=round(rng.uniform(3, 60), 1),
        ),
        clasi_a=clasi_a,
        clasi_d=clasi_d,
        visit_days=visit_days,
        dlqi=dlqi,
        received_allocated=rng.random() > 0.02,
        stopped_drug_reason=stop_reason,
        rescue_therapy=rescue,
        lost_to_follow_up=lost,
        discontinued=discontinued,
        discontinued_reason=("lost to follow-up" if lost else "withdrew consent") if discontinued else None,
        per_protocol=not (rescue or lost or stop_reason in ("withdrew_consent", "other")) and rng.random() > 0.05,
        adverse_events=tuple(events),
    )
