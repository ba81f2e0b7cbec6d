"""Eligibility through the CEL rule engine versus the same criteria hand-written in Python.

Generates 100,000 seeded random screening records (eligible, not eligible and incomplete ones),
evaluates each through `equipoise.eligibility` (CEL rules compiled once per protocol version)
and through `hand_written` below, checks that both agree on the verdict and on every criterion's
status, and prints both rates and their ratio. Target: the engine within 5x of hand-written code.

Both sides start from already validated, typed records (dates as `datetime.date`), so the figure
is the cost of rule evaluation; record validation is timed separately for reference.

Run: .venv/bin/python benchmarks/eligibility.py [--records N] [--seed S]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from equipoise.eligibility.evaluator import compiled_criteria, evaluate_criteria  # noqa: E402
from equipoise.eligibility.record import validate_record  # noqa: E402
from equipoise.protocol.loader import load_protocol  # noqa: E402

BOOL_FALSE_OK = [
    "hbv_active", "hcv_active", "hiv_positive", "active_cancer", "active_lupus_nephritis",
    "active_neuropsychiatric_sle", "active_serositis", "autoimmune_haemolytic_anaemia",
    "immune_thrombocytopenia", "needs_intensive_immunosuppression", "salicylate_hypersensitivity",
    "salicylate_asthma", "bleeding_disorder", "active_gastroduodenal_ulcer",
    "history_digestive_bleeding", "pregnant", "breastfeeding", "planning_pregnancy",
    "under_legal_protection", "unable_to_comply",
]


# --- random records --------------------------------------------------------------------------


def random_record(rng: random.Random) -> dict[str, Any]:
    """A JSON-like screening record; most fields plausible, some near or past a threshold."""

    def rare(p: float = 0.03) -> bool:
        return rng.random() < p

    screening = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(0, 1200))
    sex = rng.choice(["female", "male"])
    cbp = sex == "female" and rng.random() < 0.7
    rec: dict[str, Any] = {
        "screening_date": screening.isoformat(),
        "consent_signed": not rare(0.01),
        "consent_date": screening.isoformat(),
        "social_security_affiliated": not rare(0.01),
        "age_years": rng.randint(16, 80) if rare(0.1) else rng.randint(18, 80),
        "sex": sex,
        "cle_histology_confirmed": not rare(0.02),
        "cle_active": not rare(0.02),
        "sle_associated": rng.random() < 0.3,
        "clasi_a_screening": rng.randint(5, 40),
        "clasi_a_randomization": rng.randint(6, 40),
        "antimalarial_stable_months": round(rng.uniform(2.5, 60), 1),
        "creatinine_clearance_ml_min": round(rng.uniform(25, 140), 1) if rare(0.1) else round(rng.uniform(30, 140), 1),
        "neutrophils_g_l": round(rng.uniform(0.9, 8), 2) if rare(0.1) else round(rng.uniform(1.0, 8), 2),
        "platelets_g_l": rng.randint(45, 400) if rare(0.1) else rng.randint(50, 400),
        "alt_x_uln": round(rng.uniform(0.2, 3.2), 2) if rare(0.1) else round(rng.uniform(0.2, 3.0), 2),
        "ast_x_uln": round(rng.uniform(0.2, 3.0), 2),
        "alcohol_drinks_per_week": rng.randint(0, 12) if rare(0.2) else rng.randint(0, 10),
        "alcohol_max_drinks_per_day": rng.choice([0, 1, 2, 2.5, 3]) if rare(0.1) else rng.choice([0, 1, 2]),
        "alcohol_free_days_per_week": rng.randint(1, 7) if rare(0.1) else rng.randint(2, 7),
        "arterial_thrombosis_history": rare(0.05),
        "unprovoked_vte_history": rare(0.05),
    }
    for name in BOOL_FALSE_OK:
        rec[name] = rare(0.005)
    if sex == "female":
        rec["childbearing_potential"] = cbp
        if cbp:
            rec["accepts_monthly_pregnancy_test"] = not rare(0.02)
            rec["contraception_weeks_before_start"] = round(rng.uniform(3, 20), 1)
    for history, date_key in (("arterial_thrombosis_history", "last_arterial_thrombosis_date"),
                              ("unprovoked_vte_history", "last_unprovoked_vte_date")):
        if rec[history]:
            rec[date_key] = (screening - dt.timedelta(days=rng.randrange(0, 4000))).isoformat()
    if rng.random() < 0.3:  # some records are not finished yet
        for key in rng.sample(sorted(rec), rng.randint(1, 3)):
            if rng.random() < 0.5:
                rec[key] = None
            else:
                del rec[key]
    return rec


# --- the same criteria, by hand (Kleene three-valued logic: None = unknown) --------------------


def _and(*values: bool | None) -> bool | None:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _or(*values: bool | None) -> bool | None:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def _not(value: bool | None) -> bool | None:
    return None if value is None else not value


def _cmp(a: Any, op: str, b: Any) -> bool | None:
    if a is None or b is None:
        return None
    return {"<": a < b, ">": a > b, ">=": a >= b, "==": a == b}[op]


def _years_before(day: dt.date | None, years: int) -> dt.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def hand_written(r: dict[str, Any]) -> tuple[str, dict[str, str]]:
    g = r.get
    five_years = _years_before(g("screening_date"), 5)
    truth = {
        "IN01": _cmp(g("age_years"), ">=", 18),
        "IN02": g("social_security_affiliated"),
        "IN03": g("consent_signed"),
        "IN04": _and(g("cle_histology_confirmed"), g("cle_active")),
        "IN05": _and(_cmp(g("clasi_a_screening"), ">=", 8), _cmp(g("clasi_a_randomization"), ">=", 8)),
        "IN06": _cmp(g("antimalarial_stable_months"), ">=", 3),
        "IN07": _or(_cmp(g("sex"), "==", "male"), _not(g("childbearing_potential")),
                    _and(g("accepts_monthly_pregnancy_test"),
                         _cmp(g("contraception_weeks_before_start"), ">=", 4))),
        "EX01": _or(_cmp(g("creatinine_clearance_ml_min"), "<", 30.0), _cmp(g("neutrophils_g_l"), "<", 1.0),
                    _cmp(g("platelets_g_l"), "<", 50.0), _cmp(g("alt_x_uln"), ">", 3.0),
                    _cmp(g("ast_x_uln"), ">", 3.0), g("hbv_active"), g("hcv_active"), g("hiv_positive")),
        "EX02": _or(_cmp(g("alcohol_drinks_per_week"), ">", 10.0), _cmp(g("alcohol_max_drinks_per_day"), ">", 2.0),
                    _cmp(g("alcohol_free_days_per_week"), "<", 2)),
        "EX03": g("active_cancer"),
        "EX04": _and(_or(g("active_lupus_nephritis"), g("active_neuropsychiatric_sle"), g("active_serositis"),
                         g("autoimmune_haemolytic_anaemia"), g("immune_thrombocytopenia")),
                     g("needs_intensive_immunosuppression")),
        "EX05": False,
        "EX06": _or(g("salicylate_hypersensitivity"), g("salicylate_asthma"), g("bleeding_disorder"),
                    g("active_gastroduodenal_ulcer"), g("history_digestive_bleeding")),
        "EX07": _or(_and(g("arterial_thrombosis_history"), _cmp(g("last_arterial_thrombosis_date"), ">=", five_years)),
                    _and(g("unprovoked_vte_history"), _cmp(g("last_unprovoked_vte_date"), ">=", five_years))),
        "EX08": _or(g("pregnant"), g("breastfeeding"), g("planning_pregnancy")),
        "EX09": _or(g("under_legal_protection"), g("unable_to_comply")),
    }
    status = {k: "unknown" if v is None else ("met" if v else "not_met") for k, v in truth.items()}
    if any(status[k] == "not_met" for k in status if k.startswith("IN")) or any(
            status[k] == "met" for k in status if k.startswith("EX")):
        return "not_eligible", status
    return ("incomplete" if "unknown" in status.values() else "eligible"), status


# --- the run ---------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20251103)
    args = parser.parse_args()

    loaded = load_protocol(ROOT / "protocols" / "nct06965244")
    compiled = compiled_criteria(loaded)
    rng = random.Random(args.seed)
    raw = [random_record(rng) for _ in range(args.records)]

    start = time.perf_counter()
    records = [validate_record(r, compiled.fields) for r in raw]
    validate_s = time.perf_counter() - start

    start = time.perf_counter()
    engine = [evaluate_criteria(compiled, r) for r in records]
    engine_s = time.perf_counter() - start

    start = time.perf_counter()
    by_hand = [hand_written(r) for r in records]
    hand_s = time.perf_counter() - start

    disagreements = 0
    for i, (ours, (verdict, statuses)) in enumerate(zip(engine, by_hand, strict=True)):
        if ours.verdict != verdict or {c.id: c.status for c in ours.criteria} != statuses:
            disagreements += 1
            if disagreements <= 3:
                print(f"record {i} disagrees: engine {ours.verdict} "
                      f"{ {c.id: c.status for c in ours.criteria} } vs hand {verdict} {statuses}")
    verdicts = Counter(r.verdict for r in engine)
    n = args.records
    print(f"records: {n} (seed {args.seed}); verdicts: "
          + ", ".join(f"{k} {verdicts[k]}" for k in ("eligible", "not_eligible", "incomplete")))
    print(f"agreement: {n - disagreements}/{n} records identical (verdict and every criterion status)")
    print(f"record validation:      {n / validate_s:12,.0f} records/s")
    print(f"CEL rule engine:        {n / engine_s:12,.0f} records/s")
    print(f"hand-written Python:    {n / hand_s:12,.0f} records/s")
    print(f"ratio (engine time / hand-written time): {engine_s / hand_s:.2f}x (target <= 5x)")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
