"""What an arm's regimen means in tablets: pure arithmetic over the protocol's `arms.yaml`.

The protocol names, per arm, one study drug and at most one auxiliary drug (aspirin with
lenalidomide, folic acid with methotrexate), each with a dose, a frequency and a tablet strength.
A dose must be a whole number of tablets: a prescription that would need a broken tablet is
refused rather than rounded, because rounding a methotrexate dose silently is a dosing error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from equipoise.protocol.schema import Arm, Intervention
from equipoise.safety.errors import InvalidInput
from equipoise.visits.adherence import expected_doses


@dataclass(frozen=True)
class ArmRegimen:
    arm_id: str
    study_drug: Intervention
    auxiliary: Intervention | None


def arm_regimen(arm: Arm) -> ArmRegimen:
    """The study drug and the auxiliary drug of `arm`; an arm needs exactly one study drug."""
    studies = [i for i in arm.interventions if i.role == "study_drug"]
    if len(studies) != 1:
        raise InvalidInput(f"arms[{arm.id}].interventions", [i.id for i in studies],
                           "an arm needs exactly one intervention with role study_drug")
    auxiliaries = [i for i in arm.interventions if i.role == "auxiliary"]
    if len(auxiliaries) > 1:
        raise InvalidInput(f"arms[{arm.id}].interventions", [i.id for i in auxiliaries],
                           "at most one auxiliary drug is supported per arm")
    return ArmRegimen(arm.id, studies[0], auxiliaries[0] if auxiliaries else None)


def max_dose_mg(drug: Intervention) -> Decimal:
    """The highest dose the protocol allows for `drug` (its `max_dose_mg`, else its `dose_mg`)."""
    return Decimal(str(drug.regimen.max_dose_mg or drug.regimen.dose_mg))


def tablets_per_dose(field: str, dose_mg: Decimal, drug: Intervention) -> int:
    """Whole tablets of `drug` making up `dose_mg`; refuses a dose that needs a broken tablet."""
    strength = Decimal(str(drug.regimen.tablet_strength_mg))
    if dose_mg <= 0:
        raise InvalidInput(field, str(dose_mg), "must be a dose in mg > 0")
    count = dose_mg / strength
    if count != count.to_integral_value():
        raise InvalidInput(field, str(dose_mg),
                           f"must be a whole number of {drug.id} tablets of {strength} mg")
    return int(count)


def course_days(first_day: dt.date, days: int) -> tuple[dt.date, dt.date]:
    """First and last calendar day covered by a prescription of `days` days starting `first_day`."""
    return first_day, first_day + dt.timedelta(days=days - 1)


def tablets_for_course(dose_mg: Decimal, drug: Intervention, first_day: dt.date, days: int,
                       weekday: str | None, field: str = "dose_mg") -> int:
    """Tablets to dispense for a course: doses due in the period times tablets per dose."""
    first, last = course_days(first_day, days)
    doses = expected_doses(first, last, drug.regimen.frequency, weekday or None)
    return doses * tablets_per_dose(field, dose_mg, drug)


def doses_between(drug_frequency: str, weekday: str | None, dispensed_on: dt.date, returned_on: dt.date,
                  days: int) -> int:
    """Doses the patient should have taken from the dispensing day up to the day before the return.

    The count stops at the end of the prescribed course when the return comes later.
    """
    if returned_on <= dispensed_on:
        raise InvalidInput("returned_on", returned_on.isoformat(),
                           f"must be after the dispensing of {dispensed_on.isoformat()}")
    _, course_end = course_days(dispensed_on, days)
    last = min(returned_on - dt.timedelta(days=1), course_end)
    # A prescription's frequency is one of its field's choices, "daily" or "weekly".
    return expected_doses(dispensed_on, last, drug_frequency, weekday or None)  # type: ignore[arg-type]
