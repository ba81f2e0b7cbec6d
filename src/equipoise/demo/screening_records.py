"""Plausible screening records for demo subjects: eligible ones, and ones failing named criteria."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any


def eligible_record(rng: random.Random, screening_date: dt.date) -> dict[str, Any]:
    female = rng.random() < 0.85  # CLE affects mostly women
    cbp = female and rng.random() < 0.7
    record: dict[str, Any] = {
        "screening_date": screening_date.isoformat(),
        "consent_signed": True,
        "consent_date": screening_date.isoformat(),
        "social_security_affiliated": True,
        "age_years": rng.randint(19, 72),
        "sex": "female" if female else "male",
        "cle_histology_confirmed": True,
        "cle_active": True,
        "sle_associated": rng.random() < 0.4,
        "clasi_a_screening": rng.randint(8, 30),
        "antimalarial_stable_months": round(rng.uniform(3, 60), 1),
        "creatinine_clearance_ml_min": rng.randint(60, 130),
        "neutrophils_g_l": round(rng.uniform(1.5, 6), 1),
        "platelets_g_l": rng.randint(150, 400),
        "alt_x_uln": round(rng.uniform(0.3, 1.2), 1),
        "ast_x_uln": round(rng.uniform(0.3, 1.2), 1),
        "hbv_active": False, "hcv_active": False, "hiv_positive": False,
        "alcohol_drinks_per_week": rng.randint(0, 7),
        "alcohol_max_drinks_per_day": rng.randint(0, 2),
        "alcohol_free_days_per_week": rng.randint(3, 7),
        "active_cancer": False,
        "active_lupus_nephritis": False, "active_neuropsychiatric_sle": False, "active_serositis": False,
        "autoimmune_haemolytic_anaemia": False, "immune_thrombocytopenia": False,
        "needs_intensive_immunosuppression": False,
        "salicylate_hypersensitivity": False, "salicylate_asthma": False, "bleeding_disorder": False,
        "active_gastroduodenal_ulcer": False, "history_digestive_bleeding": False,
        "arterial_thrombosis_history": False, "unprovoked_vte_history": False,
        "pregnant": False, "breastfeeding": False, "planning_pregnancy": False,
        "under_legal_protection": False, "unable_to_comply": False,
    }
    record["alcohol_max_drinks_per_day"] = min(record["alcohol_max_drinks_per_day"], record["alcohol_drinks_per_week"])
    if female:
        record["childbearing_potential"] = cbp
        if cbp:
            record["accepts_monthly_pregnancy_test"] = True
            record["contraception_weeks_before_start"] = rng.randint(4, 52)
    return record


# Ways a demo patient fails screening, each named after the criterion it breaks.
FAILURES: dict[str, dict[str, Any]] = {
    "IN05": {"clasi_a_screening": 5},
    "IN06": {"antimalarial_stable_months": 1.5},
    "EX01": {"neutrophils_g_l": 0.8},
    "EX02": {"alcohol_drinks_per_week": 14, "alcohol_max_drinks_per_day": 4},
    "EX06": {"active_gastroduodenal_ulcer": True},
    "EX07": {"unprovoked_vte_history": True},
    "EX08": {"breastfeeding": True},
}


def failing_record(rng: random.Random, screening_date: dt.date, criteria: list[str]) -> dict[str, Any]:
    record = eligible_record(rng, screening_date)
    for criterion in criteria:
        record.update(FAILURES[criterion])
        if criterion == "EX07":
            record["last_unprovoked_vte_date"] = (screening_date - dt.timedelta(days=400)).isoformat()
    return record
