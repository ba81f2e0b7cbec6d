"""Compile CEL rules once and evaluate them to true, false or unknown.

A rule is a standard CEL expression evaluated by the `cel` package (Rust bindings); nothing here
parses or interprets expressions itself. Three-valued logic comes from CEL's own semantics: a
variable that is not in the context raises an "undefined variable" error, and CEL's `&&` and `||`
absorb an error whenever the other side already decides the result, on either side
(`false && err` is false, `err || true` is true). So a rule is *unknown* exactly when a missing
variable decides it. Any other failure (a type mismatch, a division by zero, a non-boolean
result, a call to a function that does not exist) is a `RuleEvaluationError`, never "unknown".

CEL reports only one error per evaluation, and when both sides of `||` fail it reports the right
one, so a genuine type error can hide behind a missing variable. The protocol check
(`equipoise.rules.lint`) closes that gap by evaluating every rule on complete records of the
declared types before a protocol version is accepted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import cel

from equipoise.rules.functions import FUNCTIONS
from equipoise.rules.values import to_cel_context

_UNDEFINED = re.compile(r"Undefined variable or function: '([^']+)'")


class RuleSyntaxError(ValueError):
    """The rule is not valid CEL."""

    def __init__(self, source: str, message: str):
        self.source = source
        self.message = message
        super().__init__(f"rule {source!r} is not valid CEL: {message}")


class RuleEvaluationError(RuntimeError):
    """The rule failed for a reason other than a missing variable: a protocol bug to fix."""

    def __init__(self, source: str, message: str, name: str | None = None):
        self.source = source
        self.message = message
        self.name = name
        where = f"rule {name} ({source!r})" if name else f"rule {source!r}"
        super().__init__(f"{where} failed: {message}")


@dataclass(frozen=True)
class Unknown:
    """The rule cannot be decided yet; `variable` is the missing one CEL stopped at."""

    variable: str


Outcome = bool | Unknown


@dataclass(frozen=True)
class Rule:
    """A compiled rule with the names it refers to (found by CEL's own static analysis)."""

    source: str
    variables: frozenset[str]
    functions: frozenset[str]
    program: Any = field(compare=False, repr=False)


def compile_rule(source: str) -> Rule:
    """Parse `source` once; raise `RuleSyntaxError` with CEL's message if it is not valid CEL."""
    try:
        program = cel.compile(source)
    except ValueError as exc:
        raise RuleSyntaxError(source, _first_line(str(exc))) from None
    refs = program.references()
    return Rule(source=source, variables=frozenset(refs["variables"]),
                functions=frozenset(refs["functions"]), program=program)


def make_context(values: Mapping[str, Any]) -> tuple[Any, frozenset[str]]:
    """A CEL context for one record, with the custom functions, and the names it binds.

    Variables are served through the context's lazy resolver rather than copied into it: CEL
    asks only for the names a rule reads, and building a context of ~50 variables up front cost
    as much as evaluating every criterion (measured in benchmarks/eligibility.py). A name the
    resolver does not know falls through to "undefined variable", exactly as an absent one.
    """
    variables = to_cel_context(values)
    context = cel.Context(None, FUNCTIONS)
    context.set_variable_resolver(variables.get)
    return context, frozenset(variables)


def evaluate(rule: Rule, values: Mapping[str, Any], name: str | None = None) -> Outcome:
    """Evaluate one rule on plain values (None or absent = unknown)."""
    context, bound = make_context(values)
    return evaluate_in(rule, context, bound, name)


def evaluate_in(rule: Rule, context: Any, bound: frozenset[str], name: str | None = None) -> Outcome:
    """Evaluate one rule in a prepared context; `bound` are the variables the context holds."""
    try:
        result = rule.program.execute(context)
    except Exception as exc:  # the bindings raise RuntimeError, TypeError, ValueError, ZeroDivisionError
        return _classify(rule, bound, exc, name)
    return _boolean(rule, result, name)


def _classify(rule: Rule, bound: frozenset[str], exc: Exception, name: str | None) -> Unknown:
    message = str(exc)
    match = _UNDEFINED.search(message)
    if match and match.group(1) in rule.variables and match.group(1) not in bound:
        return Unknown(match.group(1))
    raise RuleEvaluationError(rule.source, _first_line(message), name) from None


def _boolean(rule: Rule, result: object, name: str | None) -> bool:
    if not isinstance(result, bool):
        raise RuleEvaluationError(rule.source, f"gave {result!r}, not true or false", name)
    return result


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


class RuleSet:
    """Named rules compiled together and evaluated against one record through one context.

    The record is converted once and served to CEL through a lazy resolver (`make_context`).
    We measured compiling all rules into ONE CEL map expression instead: it was no faster than
    running each rule's program in the shared context, and a single missing variable makes the
    whole map fail, so each rule then has to be rerun anyway to tell which ones are unknown.
    """

    def __init__(self, sources: Mapping[str, str]):
        self.rules: dict[str, Rule] = {}
        errors: list[str] = []
        for name, source in sources.items():
            try:
                self.rules[name] = compile_rule(source)
            except RuleSyntaxError as exc:
                errors.append(f"{name}: {exc.message}")
        if errors:
            raise RuleSyntaxError("; ".join(sources.values()), "; ".join(errors))

    def evaluate(self, values: Mapping[str, Any]) -> dict[str, Outcome]:
        context, bound = make_context(values)
        return self.evaluate_in(context, bound)

    def evaluate_in(self, context: Any, bound: frozenset[str]) -> dict[str, Outcome]:
        return {name: evaluate_in(rule, context, bound, name) for name, rule in self.rules.items()}
