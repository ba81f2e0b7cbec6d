"""Safe evaluation of protocol rules (eligibility criteria, edit checks, show-if conditions).

Rules are standard CEL expressions run by the `cel` package, compiled once and evaluated to
true, false or `Unknown` when a missing variable decides them; see `engine` for the semantics,
`values` for how dates and numbers are passed, `functions` for `years_before`, and `lint` for the
checks a rule must pass before a protocol version is accepted.
"""

from equipoise.rules.engine import (
    Outcome,
    Rule,
    RuleEvaluationError,
    RuleSet,
    RuleSyntaxError,
    Unknown,
    compile_rule,
    evaluate,
)

__all__ = [
    "Outcome", "Rule", "RuleEvaluationError", "RuleSet", "RuleSyntaxError", "Unknown",
    "compile_rule", "evaluate",
]
