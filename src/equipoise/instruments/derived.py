"""Calculated fields named in form YAML (`derived: - function: clasi.activity`).

A form declares what it derives by name; this registry is the only place a name turns into code,
so a protocol file can never run anything but these pure functions. Each takes the form's data
dict (field name -> value) and returns the derived value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from equipoise.instruments.clasi import clasi_gaps, clasi_totals, item_paths
from equipoise.instruments.dlqi import score_dlqi
from equipoise.instruments.sledai import score_sledai
from equipoise.instruments.validation import InstrumentInputError, check_mapping

CLASI_FIELD = "clasi_record"
"""The CLASI form keeps its whole record under this field (forms/clasi.yaml)."""


class UnknownDerivedFunction(LookupError):
    """A form names a derived function that this registry does not know."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(
            f"derived function {name!r} is unknown; known: {', '.join(sorted(DERIVED_FUNCTIONS))}"
        )


def _clasi_record(data: Mapping[str, Any]) -> Mapping[str, Any]:
    data = check_mapping("data", data, "a JSON object of form fields")
    if CLASI_FIELD not in data:
        raise InstrumentInputError(CLASI_FIELD, None, ("a CLASI record object",), "missing")
    return data[CLASI_FIELD]


def clasi_activity(data: Mapping[str, Any]) -> int | None:
    """CLASI-A of the record held in the CLASI form's data; None while an item is empty or an area
    was not assessed (a form never scores what was not examined)."""
    score = clasi_totals(_clasi_record(data))
    return score.activity if score else None


def clasi_damage(data: Mapping[str, Any]) -> int | None:
    """CLASI-D of the record held in the CLASI form's data; None like `clasi_activity`."""
    score = clasi_totals(_clasi_record(data))
    return score.damage if score else None


def dlqi_total(data: Mapping[str, Any]) -> int:
    """DLQI total of the DLQI form's data."""
    return score_dlqi(data).total


def sledai_total(data: Mapping[str, Any]) -> int:
    """SLEDAI-2K total of the SLEDAI form's data."""
    return score_sledai(data).total


DERIVED_FUNCTIONS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "clasi.activity": clasi_activity,
    "clasi.damage": clasi_damage,
    "dlqi.total": dlqi_total,
    "sledai.total": sledai_total,
}


INSTRUMENT_GAPS: dict[str, Callable[[Mapping[str, Any]], list[tuple[str, str]]]] = {
    "clasi": lambda record: clasi_gaps(record).problems(),
}
"""For an instrument entered as one record: what is still empty, as (key path, problem) pairs."""


def instrument_gaps(instrument: str, record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What an instrument record lacks before its form can be completed ([] when nothing)."""
    check = INSTRUMENT_GAPS.get(instrument)
    return check(record) if check else []


def instrument_items(instrument: str) -> tuple[str, ...]:
    """The key paths of an instrument record's items, each of which a data query may target."""
    return item_paths() if instrument == "clasi" else ()


def is_known(function_name: str) -> bool:
    """Whether a form may name this derived function (for protocol checks at load)."""
    return function_name in DERIVED_FUNCTIONS


def derive(function_name: str, data: Mapping[str, Any]) -> Any:
    """Compute one derived field from a form's data.

    Raises `UnknownDerivedFunction` for a name outside the registry and `InstrumentInputError` for
    data the instrument cannot score.
    """
    try:
        function = DERIVED_FUNCTIONS[function_name]
    except (KeyError, TypeError):
        raise UnknownDerivedFunction(str(function_name)) from None
    return function(data)
