"""Static checks of a rule before a protocol version is accepted.

A rule must be valid CEL, name only known variables (and, for a criterion, only the inputs it
declares, since those are what the verdict reports as missing), and call only CEL's standard
functions or ours. Finally it is evaluated on a few complete records of the declared types: with
every variable present no "missing variable" error can mask a type error, so a rule that
compares a date with a number, or returns a number instead of true/false, is caught here rather
than at a patient's screening.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from equipoise.rules.engine import (
    RuleEvaluationError,
    RuleSyntaxError,
    Unknown,
    compile_rule,
    evaluate,
)
from equipoise.rules.functions import FUNCTIONS, STANDARD_FUNCTIONS, is_operator

# Two probes: booleans all true then all false, numbers at their minimum then maximum, so both
# sides of every `&&` / `||` chain get evaluated in at least one probe.
PROBES = 2


def samples_for_type(kind: str, minimum: float | None = None, maximum: float | None = None,
                     choices: Sequence[Any] = ()) -> list[Any]:
    """Example values of a data-dictionary type, one per probe; [] if rules cannot use the type."""
    low = 0 if minimum is None else minimum
    high = low + 1 if maximum is None else maximum
    match kind:
        case "bool":
            return [True, False]
        case "int":
            return [int(low), int(high)]
        case "number":
            return [float(low), float(high)]
        case "date":
            return [dt.date(2024, 2, 29), dt.date(2001, 1, 1)]
        case "enum":
            return [choices[0], choices[-1]] if choices else []
        case "text":
            return ["", "text"]
    return []


def rule_problems(source: str, samples: Mapping[str, Sequence[Any]],
                  declared: Collection[str] | None = None) -> list[str]:
    """Every problem with `source`, as readable messages; [] when the rule is sound.

    `samples` maps each variable the protocol knows to example values of its type; `declared`,
    when given, is the list of inputs the rule's owner says it reads.
    """
    try:
        rule = compile_rule(source)
    except RuleSyntaxError as exc:
        return [f"not valid CEL: {exc.message}"]
    problems = [f"unknown variable {name!r}" for name in sorted(rule.variables - set(samples))]
    if declared is not None:
        problems += [f"uses {name!r}, which is not listed among its inputs"
                     for name in sorted((rule.variables & set(samples)) - set(declared))]
    allowed = STANDARD_FUNCTIONS | set(FUNCTIONS)
    problems += [f"unknown function {name!r}" for name in sorted(rule.functions)
                 if not is_operator(name) and name not in allowed]
    if problems:
        return problems
    for probe in range(PROBES):
        record = {name: samples[name][probe % len(samples[name])]
                  for name in rule.variables if samples[name]}
        try:
            outcome = evaluate(rule, record)
        except RuleEvaluationError as exc:
            shown = ", ".join(f"{k}={v!r}" for k, v in sorted(record.items()))
            return [f"fails on a complete record ({shown}): {exc.message}"]
        if isinstance(outcome, Unknown):  # only for variables of types rules cannot use
            return [f"cannot use variable {outcome.variable!r}: its type is not available to rules"]
    return []
