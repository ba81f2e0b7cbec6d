"""How plain Python values are handed to CEL.

Dates become CEL timestamps at UTC midnight. We chose timestamps over ISO strings because CEL
then type-checks comparisons: `last_vte_date >= years_before(screening_date, 5)` compares two
timestamps, while comparing a date with an enum string is a no-such-overload error instead of a
silent lexical comparison. Integers stay CEL `int` and numbers CEL `double`; CEL compares the two
across types (`x >= 8` and `x < 30.0` both work for 29 and 29.5), so rules need no casts.
`None` means "not known yet": the variable is left out of the context, which is what makes a rule
unknown when, and only when, that variable decides it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

CelValue = bool | int | float | str | dt.datetime


def to_cel(name: str, value: Any) -> CelValue:
    """Convert one Python value for CEL; anything without a faithful CEL form is refused."""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"variable {name!r}: {value!r} is not a finite number")
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError(f"variable {name!r}: {value!r} needs a timezone")
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    raise ValueError(f"variable {name!r}: {type(value).__name__} values cannot be used in rules")


_AS_IS = frozenset({bool, int, str})


def to_cel_context(values: Mapping[str, Any]) -> dict[str, CelValue]:
    """Convert a record for CEL, dropping `None` (missing) values.

    Runs once per record on every evaluation, so the common types (bool, int, str, finite
    float) are passed through on a fast path; dates and anything unusual go through `to_cel`.
    """
    converted: dict[str, CelValue] = {}
    for name, value in values.items():
        kind = type(value)
        if kind in _AS_IS or (kind is float and math.isfinite(value)):
            converted[name] = value
        elif value is not None:
            converted[name] = to_cel(name, value)
    return converted
