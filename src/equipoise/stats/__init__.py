"""Statistics for trial design and analysis: pure functions over plain numbers and arrays.

Nothing here touches the database or the clock, so the same code serves the CLI, the reports,
the simulations and the tests.
"""

from __future__ import annotations


class InvalidParameter(ValueError):
    """A statistical input outside its allowed range.

    Carries the parameter name, the offending value and the rule, so the CLI can name the
    option (`--p-control`) and a report can name the field, without parsing a message.
    """

    def __init__(self, name: str, value: object, rule: str):
        self.name = name
        self.value = value
        self.rule = rule
        super().__init__(f"{name} {rule} (got {value!r})")


def require_open_unit(name: str, value: float) -> float:
    """A probability that must lie strictly between 0 and 1 (alpha, power, event rates)."""
    if not 0.0 < value < 1.0:
        raise InvalidParameter(name, value, "must be strictly between 0 and 1")
    return value


__all__ = ["InvalidParameter", "require_open_unit"]
