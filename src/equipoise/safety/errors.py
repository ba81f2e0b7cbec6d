"""The one error raised for malformed input to the safety and visit rules.

A rule that *fails* (a pregnancy test too old, a visit overdue) is data, returned as a result.
Input that cannot be judged at all (a naive datetime, a grade of 7, a tablet count below zero) is
refused with `InvalidInput`, which names the field, the value and the rule it broke so the
caller can show it to a user unchanged.
"""

from __future__ import annotations


class InvalidInput(ValueError):
    """Input a rule cannot evaluate; `field`, `value` and `rule` say exactly why."""

    def __init__(self, field: str, value: object, rule: str):
        self.field = field
        self.value = value
        self.rule = rule
        super().__init__(f"{field}: {value!r} is invalid: {rule}")
