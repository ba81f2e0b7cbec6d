"""Screening record -> verdict per criterion, with the evidence that decided it.

Each criterion's rule is CEL (see `equipoise.rules`). For an inclusion, "met" means the patient
satisfies it; for an exclusion, "met" means the excluding condition is present. The verdict:

- `not_eligible` as soon as one inclusion is not met or one exclusion is met, whatever else is
  unknown (a clinician does not wait for the platelet count of a 16-year-old);
- otherwise `incomplete` if any criterion is unknown, listing the missing variables that matter
  (the overall `missing` list is empty for the other verdicts: nothing is worth chasing for a
  patient already excluded; each unknown criterion still lists its own missing inputs);
- otherwise `eligible`.

A missing variable "matters" when it is an input of an unknown criterion, absent from the
record, and asked for by the form (a field whose `show_if` is false, such as the date of an
arterial thrombosis the patient never had, is not something to chase).

Rules are compiled once per protocol version, keyed by the protocol's sha256, and every
decision carries that version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from equipoise.eligibility.record import Value, validate_record
from equipoise.eligibility.verdict import Verdict
from equipoise.protocol.loader import LoadedProtocol
from equipoise.protocol.schema import Criterion, FormField
from equipoise.rules import RuleSet
from equipoise.rules.engine import evaluate_in, make_context

Status = Literal["met", "not_met", "unknown"]

SCREENING_FORM = "screening"


@dataclass(slots=True)
class CriterionResult:
    """One criterion's outcome and its evidence (a slotted, non-frozen dataclass: one is built
    per criterion per record, and frozen dataclasses cost twice as much to create)."""

    criterion: Criterion
    status: Status
    inputs: dict[str, Value]
    missing: list[str]

    @property
    def id(self) -> str:
        return self.criterion.id

    @property
    def kind(self) -> str:
        return self.criterion.kind

    @property
    def pending(self) -> bool:
        return self.criterion.pending is not None


@dataclass(frozen=True)
class EligibilityResult:
    protocol_version: str
    verdict: Verdict
    criteria: list[CriterionResult]
    missing: list[str]


@dataclass(frozen=True)
class CompiledCriteria:
    """Everything needed to evaluate records under one protocol version."""

    sha256: str
    protocol_version: str
    criteria: tuple[Criterion, ...]
    fields: dict[str, FormField]
    rules: RuleSet
    show_if: RuleSet = field(repr=False)


_COMPILED: dict[str, CompiledCriteria] = {}


def protocol_version(loaded: LoadedProtocol) -> str:
    """How a decision names the protocol version in force when no database numbers it."""
    return f"{loaded.protocol.id}@{loaded.sha256[:12]}"


def compiled_criteria(loaded: LoadedProtocol) -> CompiledCriteria:
    """Compile the criteria of this protocol version, once per sha256."""
    cached = _COMPILED.get(loaded.sha256)
    if cached is not None:
        return cached
    p = loaded.protocol
    fields = {f.name: f for f in p.form(SCREENING_FORM).fields()}
    compiled = CompiledCriteria(
        sha256=loaded.sha256,
        protocol_version=protocol_version(loaded),
        criteria=tuple(p.criteria),
        fields=fields,
        rules=RuleSet({c.id: c.rule for c in p.criteria}),
        show_if=RuleSet({f.name: f.show_if for f in fields.values() if f.show_if}),
    )
    _COMPILED[loaded.sha256] = compiled
    return compiled


def check_eligibility(loaded: LoadedProtocol, record: Any) -> EligibilityResult:
    """Validate a raw screening record (parsed JSON) and evaluate every criterion.

    Raises `equipoise.eligibility.record.InputError` for a malformed record.
    """
    compiled = compiled_criteria(loaded)
    return evaluate_criteria(compiled, validate_record(record, compiled.fields))


def evaluate_criteria(compiled: CompiledCriteria, values: Mapping[str, Value | None]) -> EligibilityResult:
    """Evaluate typed values (already validated; None = missing) under one protocol version."""
    context, bound = make_context(values)
    rules = compiled.rules.rules
    applicable: dict[str, Any] | None = None
    results: list[CriterionResult] = []
    excluded = unknown = False
    for criterion in compiled.criteria:
        outcome = evaluate_in(rules[criterion.id], context, bound, criterion.id)
        # `bound` holds the names with a value (None is missing), so no None gets through.
        present = {n: v for n in criterion.inputs if n in bound and (v := values[n]) is not None}
        if outcome is True or outcome is False:
            status: Status = "met" if outcome else "not_met"
            excluded = excluded or outcome is (criterion.kind == "exclusion")
            results.append(CriterionResult(criterion, status, present, []))
            continue
        unknown = True
        if applicable is None:
            applicable = compiled.show_if.evaluate_in(context, bound)
        absent = [n for n in criterion.inputs if n not in bound]
        missing = [n for n in absent if applicable.get(n, True) is not False] or absent
        if outcome.variable not in missing:
            missing.append(outcome.variable)
        results.append(CriterionResult(criterion, "unknown", present, missing))
    verdict = Verdict.NOT_ELIGIBLE if excluded else Verdict.INCOMPLETE if unknown else Verdict.ELIGIBLE
    missing_all = _missing(results) if verdict == Verdict.INCOMPLETE else []
    return EligibilityResult(compiled.protocol_version, verdict, results, missing_all)


def _missing(results: list[CriterionResult]) -> list[str]:
    return sorted({n for r in results if r.status == "unknown" for n in r.missing})


def json_value(value: Value) -> bool | int | float | str:
    """Dates as ISO text for JSON; everything else is already JSON."""
    return value.isoformat() if isinstance(value, dt.date) else value
