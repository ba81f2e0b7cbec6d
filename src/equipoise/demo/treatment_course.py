"""Demo treatment of a randomized subject: visits done, prescriptions, dispensings, returns, and
a few adverse events, all through the treatment actions (gate included, no shortcut)."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from equipoise.records.actor import Actor
from equipoise.records.models import Subject
from equipoise.treatment.actions.adverse_events import notify_sponsor, report_adverse_event
from equipoise.treatment.actions.counselling import record_contraception, record_counselling
from equipoise.treatment.actions.dispensing import dispense, record_return
from equipoise.treatment.actions.prescribing import change_dose, prescribe
from equipoise.treatment.actions.visits import mark_visit_done
from equipoise.treatment.facts import counselling_topics

PARIS = ZoneInfo("Europe/Paris")
# (term, grade, special interest, serious criteria): events the demo draws from.
EVENTS = [
    ("Nausea", 1, [], []),
    ("Fatigue", 1, [], []),
    ("Neutropenia", 3, ["neutropenia"], []),
    ("ALT increased", 2, ["liver_toxicity"], []),
    ("Deep vein thrombosis", 3, ["thrombosis"], ["hospitalisation"]),
    ("Pneumonia", 3, ["serious_infection"], ["hospitalisation"]),
]


def _at(day: dt.date, hour: int = 11) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=PARIS)


def start_precautions(subject: Subject, arm: str, screening: dict, randomized_on: dt.date,
                      investigator: Actor) -> None:
    if screening.get("childbearing_potential"):
        record_contraception(investigator, subject, "combined oral contraceptive",
                             randomized_on - dt.timedelta(days=70), True, now=_at(randomized_on))
    record_counselling(investigator, subject, [t.id for t in counselling_topics(subject, arm)],
                       randomized_on, now=_at(randomized_on))


def treat_visit(subject: Subject, visit, arm: str, dispensing_visit: bool, previous, rng: random.Random,
                investigator: Actor, pharmacist: Actor, stopped: bool):
    """Mark the visit done, count returns of the last dispensing, prescribe and dispense 28 days."""
    day = visit.target_date
    mark_visit_done(investigator, visit, day, now=_at(day, 17))
    if previous is not None:
        record_return(pharmacist, previous, day, rng.randint(0, 3), now=_at(day, 12))
    if not dispensing_visit or stopped:
        return None
    weekday = {"weekday": "monday", "auxiliary_weekday": "thursday"} if arm == "methotrexate" else {}
    prescription = prescribe(investigator, subject, prescribed_on=day, days=28, now=_at(day, 11), **weekday)
    return dispense(pharmacist, prescription, day, now=_at(day, 12))


def maybe_adverse_event(subject: Subject, visit, arm: str, rng: random.Random, investigator: Actor,
                        sponsor: Actor) -> None:
    if rng.random() > 0.2:
        return
    term, grade, special, serious = rng.choice(EVENTS)
    onset = visit.target_date - dt.timedelta(days=rng.randint(2, 10))
    drugs = ["lenalidomide", "aspirin"] if arm == "lenalidomide" else ["methotrexate", "folic_acid"]
    causality = {drug: ("related" if i == 0 and rng.random() < 0.6 else "not_related") for i, drug in enumerate(drugs)}
    aware = _at(onset + dt.timedelta(days=1), 9)
    ae = report_adverse_event(
        investigator, subject, term=term, onset_date=onset, grade=grade, action_taken="none",
        outcome="recovering", causality=causality, seriousness=serious, special_interest=special,
        site_aware_at=aware, now=_at(visit.target_date, 16))
    if serious:
        notify_sponsor(investigator, ae, at=aware + dt.timedelta(hours=rng.choice([6, 20, 30])),
                       now=_at(visit.target_date, 16))


def stop_for_lack_of_efficacy(subject: Subject, day: dt.date, investigator: Actor) -> None:
    change_dose(investigator, subject, "stop", day, "lack of efficacy: CLASI-A unchanged at week 12",
                now=_at(day, 17))
