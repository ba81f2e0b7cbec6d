"""The functions a protocol rule may call beyond CEL's own operators.

CEL has no calendar arithmetic on dates, and eligibility windows are counted in calendar years
("within the last 5 years"), so the engine adds exactly one function, `years_before`. Every other
name a rule calls must be one of CEL's standard functions listed in `STANDARD_FUNCTIONS`; the
protocol check refuses anything else, so a typo in a function name never reaches a patient.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any


def years_before(moment: dt.datetime, years: int) -> dt.datetime:
    """The same calendar day `years` years earlier; 29 February falls back to 28 February.

    Rules see dates as CEL timestamps (UTC midnight), so this takes and returns a timezone-aware
    datetime. A count that is not a whole non-negative number is a protocol error, raised loudly.
    """
    if not isinstance(moment, dt.datetime):
        raise TypeError(f"years_before needs a date, got {type(moment).__name__}")
    if isinstance(years, bool) or not isinstance(years, int) or years < 0:
        raise ValueError(f"years_before needs a whole number of years >= 0, got {years!r}")
    year = moment.year - years
    try:
        return moment.replace(year=year)
    except ValueError:  # 29 February in a year that has none
        return moment.replace(year=year, day=28)


# Custom functions handed to every evaluation context.
FUNCTIONS: dict[str, Callable[..., Any]] = {"years_before": years_before}

# CEL standard functions (spec "standard definitions") that rules may use; operators such as
# `_>=_` or `@in` are always allowed and are not listed here.
STANDARD_FUNCTIONS: frozenset[str] = frozenset({
    "size", "int", "uint", "double", "string", "bytes", "bool", "timestamp", "duration",
    "type", "dyn", "contains", "startsWith", "endsWith", "matches", "exists", "all",
    "exists_one", "map", "filter", "has", "max", "min",
    "getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear",
    "getHours", "getMinutes", "getSeconds", "getMilliseconds",
})


def is_operator(name: str) -> bool:
    """CEL reports operators by internal names such as `_&&_`, `!_`, `-_` or `@in`."""
    return name.startswith(("_", "@")) or name.endswith("_")
