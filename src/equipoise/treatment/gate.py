"""Assemble the pregnancy-prevention gate's request from the database, and ask the gate.

The gate (`safety.pregnancy.check_dispensing`) is pure and has no override; this module only
gathers its inputs. The first dose is the first dispensing's day for a later dispensing, and the
planned day (this dispensing's) for a first one, so contraception is always measured against the
day the patient starts taking the drug.
"""

from __future__ import annotations

import datetime as dt

from equipoise.records.models import Subject
from equipoise.safety.parameters import PregnancyRules
from equipoise.safety.pregnancy import (
    DispensingRequest,
    GateResult,
    check_dispensing,
    counselling_needed,
)
from equipoise.treatment.facts import (
    counselled_topics,
    first_dispensing,
    latest_contraception,
    patient_facts,
    pregnancy_tests,
    subject_protocol,
)
from equipoise.treatment.models import Prescription


def dispensing_request(subject: Subject, prescription: Prescription, dispensing_date: dt.date) -> DispensingRequest:
    facts = patient_facts(subject)
    first = first_dispensing(subject)
    contraception = latest_contraception(subject)
    counselled = counselled_topics(subject, dispensing_date)
    topics = [(t.id, t.label, t.audience, t.drugs) for t in subject_protocol(subject).safety.counselling]
    return DispensingRequest(
        sex=facts.sex,  # type: ignore[arg-type]  # the dispensing action refuses an unrecorded sex first
        childbearing_potential=facts.childbearing_potential,
        drug=prescription.drug,
        prescription_date=prescription.prescribed_on,
        dispensing_date=dispensing_date,
        first_dose_date=first.dispensed_on if first is not None else dispensing_date,
        prescribed_days=prescription.days,
        pregnancy_tests=tuple(pregnancy_tests(subject)),
        contraception_start=contraception.started_on if contraception else None,
        contraception_ongoing=contraception.ongoing if contraception else None,
        counselling_needed=counselling_needed(topics, facts.sex, facts.childbearing_potential, prescription.drug),
        counselled_topics=frozenset(counselled),
        methotrexate_weekday=prescription.weekday or None if prescription.drug == "methotrexate" else None,
        folic_acid_weekday=prescription.auxiliary_weekday or None if prescription.drug == "methotrexate" else None,
    )


def gate_decision(subject: Subject, prescription: Prescription, dispensing_date: dt.date) -> GateResult:
    rules = PregnancyRules.from_safety(subject_protocol(subject).safety)
    return check_dispensing(dispensing_request(subject, prescription, dispensing_date), rules)
