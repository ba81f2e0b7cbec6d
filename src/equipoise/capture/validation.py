"""Validate one form's values against its definition in the protocol.

Two entry points share the rules: `parse_json_values` for API bodies (typed JSON) and
`parse_text_values` for web forms (every value a string). Both return typed values and a list of
`FieldError`s; a caller writes nothing unless the list is empty.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from equipoise.instruments.derived import instrument_gaps
from equipoise.instruments.validation import InstrumentInputError
from equipoise.protocol.schema import Form, FormField

MAX_TEXT = 2000


@dataclass(frozen=True)
class FieldError:
    """One problem with what was sent: the field, the rule it breaks and why.

    Validation returns these, and a refused write (`records.actions.errors.ActionRefused`) carries
    them; the API shows `field`, `rule` and `message`, a page the French wording when it has one.
    """

    field: str
    rule: str
    message: str
    value: Any = None
    message_fr: str = ""
    values: Mapping[str, Any] | None = None  # the figures the message names, for a client to show


class _Bad(Exception):
    def __init__(self, rule: str, message: str):
        self.rule, self.message = rule, message


def _typed(field: FormField, value: Any) -> Any:
    """Check a JSON value's type for the field; return it normalized (dates as ISO strings)."""
    t = field.type
    if t == "bool":
        if not isinstance(value, bool):
            raise _Bad("type", "must be true or false")
        return value
    if t == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Bad("type", "must be a whole number")
        return value
    if t == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise _Bad("type", "must be a number")
        return value
    if t == "date":
        if not isinstance(value, str):
            raise _Bad("type", "must be a date YYYY-MM-DD")
        try:
            if len(value) != 10:
                raise ValueError(value)
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise _Bad("type", "must be a date YYYY-MM-DD") from None
    if t == "datetime":
        if not isinstance(value, str):
            raise _Bad("type", "must be a date and time with its UTC offset")
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise _Bad("type", "must be a date and time with its UTC offset") from None
        if parsed.tzinfo is None:
            raise _Bad("timezone", "must carry a UTC offset (time-zone-naive times are ambiguous)")
        return parsed.astimezone(dt.UTC).isoformat()
    if t == "enum":
        codes = [c.code for c in field.choices or []]
        if isinstance(value, bool) or value not in codes:
            raise _Bad("choices", f"must be one of {', '.join(str(c) for c in codes)}")
        return value
    if t == "text":
        if not isinstance(value, str):
            raise _Bad("type", "must be text")
        limit = field.max_length or MAX_TEXT
        if len(value) > limit:
            raise _Bad("max_length", f"must be at most {limit} characters")
        return value
    if t == "instrument":
        if not isinstance(value, dict):
            raise _Bad("type", "must be an object")
        return value
    raise _Bad("type", f"unsupported field type {t}")


def _in_range(field: FormField, value: Any) -> None:
    if field.type not in ("int", "number"):
        return
    if field.min is not None and value < field.min:
        raise _Bad("min", f"must be at least {field.min:g}")
    if field.max is not None and value > field.max:
        raise _Bad("max", f"must be at most {field.max:g}")


def _text_to_json(field: FormField, text: str) -> Any:
    text = text.strip()
    t = field.type
    if t == "bool":
        if text in ("true", "yes", "1", "on"):
            return True
        if text in ("false", "no", "0"):
            return False
        raise _Bad("type", "must be yes or no")
    if t == "int":
        try:
            return int(text)
        except ValueError:
            raise _Bad("type", "must be a whole number") from None
    if t == "number":
        try:
            return float(text.replace(",", "."))
        except ValueError:
            raise _Bad("type", "must be a number") from None
    if t == "enum":
        for choice in field.choices or []:
            if str(choice.code) == text:
                return choice.code
        raise _Bad("choices", f"must be one of {', '.join(str(c.code) for c in field.choices or [])}")
    return text


def _instrument_gaps(name: str, instrument: str, record: Mapping[str, Any]) -> list[FieldError]:
    """An instrument record with an item still empty cannot complete its form."""
    try:
        gaps = instrument_gaps(instrument, record)
    except InstrumentInputError as exc:
        return [FieldError(f"{name}.{exc.key}", exc.problem, f"{name}.{exc.key}: {exc}", exc.value)]
    return [FieldError(f"{name}.{path}", "required", f"{name}.{path} {problem}") for path, problem in gaps]


EditCheck = Callable[[Mapping[str, Any]], list[FieldError]]


def validate_values(
    form: Form, raw: Mapping[str, Any], *, require_complete: bool = False,
    edit_checks: EditCheck | None = None, from_text: bool = False,
) -> tuple[dict[str, Any], list[FieldError]]:
    """Return (clean values, errors). Missing or null values mean "not yet known".

    `require_complete` enforces required fields (when marking a form complete). Unknown keys
    are errors, never silently dropped.
    """
    fields = {f.name: f for f in form.fields()}
    errors: list[FieldError] = []
    clean: dict[str, Any] = {}
    for key in raw:
        if key not in fields:
            errors.append(FieldError(key, "unknown_field", f"{key} is not a field of form {form.id}", raw[key]))
    for name, field in fields.items():
        value = raw.get(name)
        if from_text and isinstance(value, str) and value.strip() == "":
            value = None
        if value is None:
            if require_complete and field.required:
                errors.append(FieldError(name, "required", f"{name} is required to complete the form"))
            continue
        try:
            if from_text and field.type not in ("instrument", "date", "datetime", "text"):
                value = _text_to_json(field, str(value))
            typed = _typed(field, value)
            _in_range(field, typed)
        except _Bad as bad:
            errors.append(FieldError(name, bad.rule, f"{name} {bad.message}", value))
            continue
        clean[name] = typed
        if require_complete and field.type == "instrument" and field.instrument:
            errors.extend(_instrument_gaps(name, field.instrument, typed))
    if not errors and edit_checks is not None:
        errors.extend(edit_checks(clean))
    return clean, errors


def changes_between(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Field-level differences as {field: [old, new]}, for the audit trail and history."""
    keys = sorted(set(old) | set(new))
    return {k: [old.get(k), new.get(k)] for k in keys if old.get(k) != new.get(k)}
