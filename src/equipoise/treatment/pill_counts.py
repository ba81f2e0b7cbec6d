"""Prescriptions with their dispensing, pill count and adherence, for display.

Adherence is computed on read (`visits.adherence.adherence`) from the tablets dispensed and
returned and the doses due from the dispensing day to the day before the return, so it always
reflects the stored counts. Overuse is flagged, never averaged away: taking methotrexate more
often than weekly is dangerous.
"""

from __future__ import annotations

from dataclasses import dataclass

from equipoise.records.models import Subject
from equipoise.safety.errors import InvalidInput
from equipoise.treatment.models import Dispensing, Prescription, TabletReturn
from equipoise.treatment.regimens import course_days, doses_between
from equipoise.visits.adherence import Adherence, adherence, expected_doses


@dataclass(frozen=True)
class CourseRow:
    prescription: Prescription
    dispensing: Dispensing | None
    returned: TabletReturn | None
    adherence: Adherence | None
    auxiliary_adherence: Adherence | None
    problem: str = ""


def _adherence(dispensed: int, returned: int, frequency: str, weekday: str, dispensing: Dispensing,
               returned_on, days: int, tablets_per_dose: float) -> Adherence:
    doses = doses_between(frequency, weekday, dispensing.dispensed_on, returned_on, days)
    return adherence(dispensed, returned, doses, tablets_per_dose)


def course_row(prescription: Prescription) -> CourseRow:
    dispensing = Dispensing.objects.filter(prescription=prescription).first()
    returned = TabletReturn.objects.filter(dispensing=dispensing).first() if dispensing else None
    if dispensing is None or returned is None:
        return CourseRow(prescription, dispensing, returned, None, None)
    per_dose = _per_dose(dispensing.tablets, prescription.frequency, prescription.weekday, dispensing,
                         prescription.days)
    try:
        main = _adherence(dispensing.tablets, returned.tablets_returned, prescription.frequency,
                          prescription.weekday, dispensing, returned.returned_on, prescription.days, per_dose)
        aux = None
        if prescription.auxiliary and dispensing.auxiliary_tablets:
            aux_per_dose = _per_dose(dispensing.auxiliary_tablets, prescription.auxiliary_frequency,
                                     prescription.auxiliary_weekday, dispensing, prescription.days)
            aux = _adherence(dispensing.auxiliary_tablets, returned.auxiliary_returned,
                             prescription.auxiliary_frequency, prescription.auxiliary_weekday, dispensing,
                             returned.returned_on, prescription.days, aux_per_dose)
    except InvalidInput as exc:
        return CourseRow(prescription, dispensing, returned, None, None, problem=str(exc))
    return CourseRow(prescription, dispensing, returned, main, aux)


def _per_dose(tablets: int, frequency: str, weekday: str, dispensing: Dispensing, days: int) -> float:
    """Tablets per dose as dispensed: the tablets handed over spread over the course's doses."""
    first, last = course_days(dispensing.dispensed_on, days)
    # The stored frequency is one of the model field's choices, "daily" or "weekly".
    doses = expected_doses(first, last, frequency, weekday or None)  # type: ignore[arg-type]
    return tablets / doses if doses else 1.0


def dispensing_rows(subject: Subject) -> list[CourseRow]:
    return [course_row(p) for p in Prescription.objects.filter(subject=subject).order_by("-prescribed_on", "-id")]
