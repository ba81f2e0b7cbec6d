"""The eligibility verdict, on its own so that readers of stored verdicts (the statistics, the
screening log) compare through it without loading the rules engine."""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    """Stored and exported as its value."""

    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    INCOMPLETE = "incomplete"
