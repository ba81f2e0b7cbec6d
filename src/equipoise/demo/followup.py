"""Demo follow-up of a randomized subject: the scheduled forms of every visit already due.

The course of CLASI-A is drawn from the demo's own assumed response rates (75% lenalidomide, 50%
methotrexate, as in the sample-size assumptions), so that reports show non-trivial numbers.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from equipoise.demo.clasi_records import clasi_form
from equipoise.records.actions.forms import complete_form, save_form
from equipoise.records.actor import Actor
from equipoise.records.models import Subject, Visit

PARIS = ZoneInfo("Europe/Paris")
RESPONSE_RATE = {"lenalidomide": 0.75, "methotrexate": 0.50}


def clasi_course(rng: random.Random, baseline: int, responder: bool) -> dict[str, int]:
    """CLASI-A by visit: responders fall below half of baseline by W16, others fall little."""
    floor = rng.uniform(0.05, 0.4) if responder else rng.uniform(0.6, 1.05)
    course = {"W0": baseline}
    for week, visit in ((4, "W4"), (8, "W8"), (12, "W12"), (16, "W16"), (20, "W20"), (24, "W24")):
        share = 1 - (1 - floor) * min(1.0, week / 16)
        course[visit] = max(0, round(baseline * share + rng.uniform(-1.5, 1.5)))
    return course


def fill_visit(visit: Visit, subject: Subject, course: dict[str, int], rng: random.Random,
               investigator: Actor, assessor: Actor, forms: list[str], childbearing: bool) -> None:
    """Save the visit's scheduled forms through the write path."""
    activity = course.get(visit.visit_id)
    for form_id in forms:
        if form_id == "pregnancy_test" and childbearing and visit.target_date is not None:
            taken = dt.datetime.combine(visit.target_date, dt.time(8, 30), tzinfo=PARIS) - dt.timedelta(days=1)
            record = save_form(investigator, subject, visit, "pregnancy_test", {
                "pregnancy_test_datetime": taken.isoformat(), "pregnancy_test_result": "negative",
                "pregnancy_test_threshold_miu_ml": 25, "pregnancy_test_supervised": True})
            complete_form(investigator, record)  # only a finished test counts at dispensing
        if form_id == "clasi" and activity is not None:
            save_form(assessor, subject, visit, "clasi",
                      clasi_form(rng, activity, subject.pk, visit.target_date, assessor.user.get_username()))
        elif form_id == "physician_global" and activity is not None:
            save_form(assessor, subject, visit, "physician_global", {"physician_global": min(3, activity // 8)})
        elif form_id == "pain_itch_nrs" and activity is not None:
            save_form(investigator, subject, visit, "pain_itch_nrs",
                      {"pain_nrs": min(10, activity // 4), "itch_nrs": min(10, activity // 5)})
        elif form_id == "dlqi" and activity is not None:
            items = {f"dlqi_q{i}": min(3, max(0, round(activity / 10 + rng.uniform(-1, 1)))) for i in range(1, 11)}
            save_form(investigator, subject, visit, "dlqi", items)
        elif form_id == "steroid_dose":
            save_form(investigator, subject, visit, "steroid_dose",
                      {"prednisone_equivalent_mg_day": rng.choice([0, 0, 5, 7.5, 10]), "rescue_systemic_therapy": False})
        elif form_id == "labs":
            save_form(investigator, subject, visit, "labs", {
                "lab_date": (visit.target_date or dt.date.today()).isoformat(),
                "lab_neutrophils_g_l": round(rng.uniform(1.2, 5.5), 1), "lab_platelets_g_l": rng.randint(90, 380),
                "lab_creatinine_clearance_ml_min": rng.randint(55, 120),
                "lab_alt_x_uln": round(rng.uniform(0.4, 1.8), 1), "lab_ast_x_uln": round(rng.uniform(0.4, 1.6), 1)})
