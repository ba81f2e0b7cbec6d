"""Check a screening record against the data dictionary before any rule sees it.

The record is one JSON object keyed by the screening form's variable names. `null` (or leaving a
key out) means "not known yet"; anything else must be of the field's declared type and within
its range, or the whole record is refused with an `InputError` naming the key, the value and the
rule it breaks. Nothing is coerced: `true` is not a number, `1.5` and `8.0` are not ints.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from equipoise.protocol.schema import FormField

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Value = bool | int | float | str | dt.date


class InputError(ValueError):
    """A record that cannot be evaluated; says which key, which value and which rule."""

    def __init__(self, key: str | None, value: Any, rule: str):
        self.key = key
        self.value = value
        self.rule = rule
        if key is None:
            super().__init__(f"record: {rule}")
        else:
            super().__init__(f"{key}: {_show(value)}: {rule}")


def _show(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def validate_record(record: Any, fields: Mapping[str, FormField]) -> dict[str, Value | None]:
    """Return the record with typed values (dates as `datetime.date`), None for missing keys."""
    if not isinstance(record, Mapping):
        raise InputError(None, record, f"must be a JSON object, not {type(record).__name__}")
    typed: dict[str, Value | None] = dict.fromkeys(fields)
    for key, value in record.items():
        field = fields.get(key) if isinstance(key, str) else None
        if field is None:
            raise InputError(str(key), value, "unknown variable: not a field of the screening form")
        if value is not None:
            typed[key] = validate_value(field, value)
    return typed


def validate_value(field: FormField, value: Any) -> Value:
    """One value of one field, typed; raise `InputError` if it does not fit the dictionary."""
    name = field.name
    match field.type:
        case "bool":
            if not isinstance(value, bool):
                raise InputError(name, value, "must be true or false (bool)")
            return value
        case "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise InputError(name, value, "must be a whole number (int)")
            _check_range(field, value)
            return value
        case "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InputError(name, value, "must be a number")
            if not math.isfinite(value):
                raise InputError(name, value, "must be a finite number")
            _check_range(field, value)
            return float(value)
        case "date":
            return _parse_date(name, value)
        case "enum":
            codes = [c.code for c in field.choices or []]
            if isinstance(value, bool) or value not in codes:
                raise InputError(name, value, f"must be one of {', '.join(map(str, codes))}")
            return value
        case "text":
            if not isinstance(value, str):
                raise InputError(name, value, "must be text")
            if field.max_length is not None and len(value) > field.max_length:
                raise InputError(name, value, f"must be at most {field.max_length} characters")
            return value
    raise InputError(name, value, f"fields of type {field.type} cannot be used in a screening record")


def _check_range(field: FormField, value: int | float) -> None:
    if field.min is not None and value < field.min:
        raise InputError(field.name, value, f"must be at least {_number(field.min)}")
    if field.max is not None and value > field.max:
        raise InputError(field.name, value, f"must be at most {_number(field.max)}")


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _parse_date(name: str, value: Any) -> dt.date:
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise InputError(name, value, "must be a date written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(name, value, "is not a real calendar date") from None
