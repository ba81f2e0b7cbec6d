"""Checking one instrument item against its scale, and the error that names what went wrong.

Instruments never coerce: `1.0`, `"1"` or `true` where an integer item belongs is refused, because
a silently converted value in a trial record is a value nobody entered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_]+$")
_MAX_VALUE_CHARS = 60


def key_path(*parts: str) -> str:
    """Join key segments into a dotted path; odd keys are JSON-quoted so messages stay one line."""
    return ".".join(p if _PLAIN_KEY.match(p) else json.dumps(p) for p in parts)


def show_value(value: Any) -> str:
    """Render a value as the user wrote it (JSON spelling), shortened to keep messages readable."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError, RecursionError):
        text = f"<{type(value).__name__}>"
    text = text.replace("\n", " ").replace("\r", " ")
    if len(text) > _MAX_VALUE_CHARS:
        text = text[: _MAX_VALUE_CHARS - 3] + "..."
    return text


def describe_allowed(allowed: tuple[Any, ...]) -> str:
    """Say in words which values are allowed: 'one of 0, 1, 2', 'an integer from 0 to 70'..."""
    if allowed and all(isinstance(a, bool) for a in allowed):
        return "true or false"
    if allowed and all(isinstance(a, int) and not isinstance(a, bool) for a in allowed):
        ints = sorted(allowed)
        contiguous = ints == list(range(ints[0], ints[-1] + 1))
        if contiguous and len(ints) > 5:
            return f"an integer from {ints[0]} to {ints[-1]}"
        return "one of " + ", ".join(str(a) for a in ints)
    if len(allowed) == 1 and isinstance(allowed[0], str):
        return allowed[0]
    return "one of " + ", ".join(str(a) for a in allowed)


class InstrumentInputError(ValueError):
    """An instrument record that cannot be scored.

    `key` is the dotted path of the offending key (``regions.scalp.erythema``), `value` what was
    found there (None when the key is missing), `allowed` the values or keys that would have been
    accepted, and `problem` the rule that was broken. `str()` is a single line for users.
    """

    def __init__(self, key: str, value: Any, allowed: Iterable[Any], problem: str) -> None:
        self.key = key
        self.value = value
        self.allowed = tuple(allowed)
        self.problem = problem
        super().__init__(f"{key}: {problem}; allowed: {describe_allowed(self.allowed)}")


def check_int(key: str, value: Any, allowed: Iterable[int]) -> int:
    """Return `value` if it is an integer on the item's scale; otherwise raise naming the key."""
    allowed = tuple(allowed)
    if isinstance(value, bool):
        raise InstrumentInputError(
            key, value, allowed, f"{show_value(value)} is a boolean where a number belongs"
        )
    if not isinstance(value, int):
        raise InstrumentInputError(key, value, allowed, f"{show_value(value)} is not an integer")
    if value not in allowed:
        raise InstrumentInputError(key, value, allowed, f"{value} is off the scale")
    return value


def check_bool(key: str, value: Any) -> bool:
    """Return `value` if it is a real boolean (not 0/1, not "yes")."""
    if not isinstance(value, bool):
        raise InstrumentInputError(
            key, value, (True, False), f"{show_value(value)} is not a boolean"
        )
    return value


def check_mapping(key: str, value: Any, what: str) -> Mapping[str, Any]:
    """Return `value` if it is a JSON object (a mapping with string keys)."""
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise InstrumentInputError(key, value, (what,), f"{show_value(value)} is not a JSON object")
    return value


def check_keys(
    data: Mapping[str, Any], allowed: Iterable[str], *, prefix: tuple[str, ...] = (), note: str = ""
) -> None:
    """Refuse any key outside `allowed`; the first stray key, in the record's order, is named."""
    allowed = tuple(allowed)
    for key in data:
        if key not in allowed:
            problem = "unknown key" + (f" ({note})" if note else "")
            raise InstrumentInputError(key_path(*prefix, key), data[key], allowed, problem)


def require(data: Mapping[str, Any], key: str, allowed: Iterable[Any]) -> Any:
    """Return `data[key]`, or raise naming the missing key and what it should hold."""
    if key not in data:
        raise InstrumentInputError(key, None, allowed, "missing")
    return data[key]


def band_of(key: str, total: int, bands: Sequence[tuple[int, int, str]]) -> str:
    """The label of the band holding `total`; `bands` are (low, high, label), inclusive, in order
    and without gaps, so a total off their range is refused like an item off its scale."""
    check_int(key, total, range(bands[0][0], bands[-1][1] + 1))
    return next(label for low, high, label in bands if low <= total <= high)
