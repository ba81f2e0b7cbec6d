"""Treatment adherence from pill counts: tablets dispensed, returned and expected.

Adherence is (dispensed - returned) / expected tablets. The raw ratio is kept because taking
*more* than prescribed is itself a safety signal (methotrexate taken daily by mistake can be
fatal); the percentage shown in reports is capped at 100 so that overuse never hides
under-use in an average, and `overuse` flags it instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from equipoise.safety.errors import InvalidInput
from equipoise.safety.pregnancy import WEEKDAYS


def _count(field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(field, value, "must be a whole number of tablets, 0 or more")
    return value


def expected_doses(first_day: dt.date, last_day: dt.date, frequency: Literal["daily", "weekly"],
                   weekday: str | None = None) -> int:
    """Doses due from `first_day` to `last_day`, both included (Paris calendar dates).

    A weekly drug is due only on its named weekday, so a 28-day period holds exactly 4 doses
    whichever day it starts on.
    """
    for name, value in (("first_day", first_day), ("last_day", last_day)):
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise InvalidInput(name, value, "must be a calendar date")
    if last_day < first_day:
        raise InvalidInput("last_day", last_day, f"must not precede first_day {first_day}")
    days = (last_day - first_day).days + 1
    if frequency == "daily":
        return days
    if frequency != "weekly":
        raise InvalidInput("frequency", frequency, "must be daily or weekly")
    if weekday not in WEEKDAYS:
        raise InvalidInput("weekday", weekday, f"a weekly drug needs one of {', '.join(WEEKDAYS)}")
    target = WEEKDAYS.index(weekday)
    first_dose = first_day + dt.timedelta(days=(target - first_day.weekday()) % 7)
    return 0 if first_dose > last_day else (last_day - first_dose).days // 7 + 1


@dataclass(frozen=True)
class Adherence:
    taken_tablets: int
    expected_tablets: float
    ratio: float
    percent: float
    overuse: bool


def adherence(dispensed: int, returned: int, expected_doses: int,
              tablets_per_dose: float) -> Adherence:
    """Pill-count adherence; refuses counts that cannot be true (more returned than dispensed)."""
    dispensed = _count("dispensed", dispensed)
    returned = _count("returned", returned)
    if returned > dispensed:
        raise InvalidInput("returned", returned,
                           f"cannot exceed the {dispensed} tablets dispensed")
    doses = _count("expected_doses", expected_doses)
    if doses == 0:
        raise InvalidInput("expected_doses", doses, "adherence needs at least one expected dose")
    if isinstance(tablets_per_dose, bool) or not isinstance(tablets_per_dose, int | float) \
            or tablets_per_dose <= 0:
        raise InvalidInput("tablets_per_dose", tablets_per_dose, "must be a number > 0")
    taken = dispensed - returned
    expected = doses * tablets_per_dose
    ratio = taken / expected
    return Adherence(taken_tablets=taken, expected_tablets=expected, ratio=ratio,
                     percent=round(min(ratio, 1.0) * 100, 1), overuse=ratio > 1.0)
