"""Checks that span files: unique ids, visit windows, names that must refer to something.

Each check is a pure function of the protocol that yields `(file, path, message)` triples and
declares the protocol parts it reads, so that it still runs when some other file failed to
validate: `equipoise protocol check` then reports every problem at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

from equipoise.protocol.schema import Protocol

Finding = tuple[str, str, str]


def _duplicates(values: list[str]) -> list[str]:
    return [v for v, n in Counter(values).items() if n > 1]


def arm_ids(p: Protocol, form_files: dict[str, str]) -> Iterator[Finding]:
    for dup in _duplicates([a.id for a in p.arms]):
        yield "arms.yaml", f"arms[{dup}].id", f"duplicate arm id {dup!r}"
    for dup in _duplicates([i.id for a in p.arms for i in a.interventions]):
        yield "arms.yaml", f"interventions[{dup}].id", f"duplicate intervention id {dup!r}"


def site_codes(p: Protocol, form_files: dict[str, str]) -> Iterator[Finding]:
    for dup in _duplicates([s.code for s in p.registry.sites]):
        yield "registry.yaml", f"sites[{dup}].code", f"duplicate site code {dup!r}"


def form_ids_and_variables(p: Protocol, form_files: dict[str, str]) -> Iterator[Finding]:
    for dup in _duplicates([f.id for f in p.forms]):
        yield form_files.get(dup, "forms"), "id", f"duplicate form id {dup!r}"
    seen: dict[str, str] = {}
    for form in p.forms:
        for field in form.fields():
            if field.name in seen:
                yield (form_files[form.id], f"fields[{field.name}].name",
                       f"duplicate variable {field.name!r} (also in form {seen[field.name]!r})")
            else:
                seen[field.name] = form.id
        for dup in _duplicates([s.id for s in form.sections]):
            yield form_files[form.id], f"sections[{dup}].id", f"duplicate section id {dup!r}"
        names = {f.name for f in form.fields()}
        for check in form.edit_checks:
            for name in check.fields:
                if name not in names:
                    yield (form_files[form.id], f"edit_checks[{check.id}].fields",
                           f"unknown variable {name!r} (not a field of this form)")
        for item in form.derived:
            from equipoise.instruments.derived import is_known

            if not is_known(item.function):
                yield form_files[form.id], f"derived[{item.name}].function", f"unknown function {item.function!r}"


def visit_windows(p: Protocol, form_files: dict[str, str]) -> Iterator[Finding]:
    for dup in _duplicates([v.id for v in p.schedule.visits]):
        yield "schedule.yaml", f"visits[{dup}].id", f"duplicate visit id {dup!r}"
    visits = sorted(p.schedule.visits, key=lambda v: v.target_day)
    for before, after in zip(visits, visits[1:], strict=False):
        if after.earliest_day <= before.latest_day:
            yield ("schedule.yaml", f"visits[{after.id}].earliest_day",
                   f"window of {after.id} (from day {after.earliest_day}) overlaps {before.id} "
                   f"(until day {before.latest_day})")
    if sum(v.primary_endpoint for v in visits) != 1:
        yield "schedule.yaml", "visits", "exactly one visit must carry the primary endpoint"
    for kind in ("screening", "baseline"):
        if sum(v.kind == kind for v in visits) != 1:
            yield "schedule.yaml", "visits", f"exactly one visit must be of kind {kind}"


def visit_forms(p: Protocol, form_files: dict[str, str]) -> Iterator[Finding]:
    form_ids = {f.id for f in p.forms}
    for v in p.schedule.visits:
        for f in v.forms:
            if f not in form_ids:
                yield "schedule.yaml", f"visits[{v.id}].forms", f"unknown form {f!r}"
    for f in p.schedule.unscheduled_forms:
        if f not in form_ids:
            yield "schedule.yaml", "unscheduled_forms", f"unknown form {f!r}"


def criteria_inputs(p: Protocol, form_files: dict[str, str]) -> Iterator[Finding]:
    for dup in _duplicates([c.id for c in p.criteria]):
        yield "eligibility.yaml", f"criteria[{dup}].id", f"duplicate criterion id {dup!r}"
    variables = p.variables()
    for c in p.criteria:
        for name in c.inputs:
            if name not in variables:
                yield "eligibility.yaml", f"criteria[{c.id}].inputs", f"unknown variable {name!r}"


def randomization_arms(p: Protocol, form_files: dict[str, str]) -> Iterator[Finding]:
    arm_ids = {a.id for a in p.arms}
    if set(p.randomization.ratio) != arm_ids:
        yield ("randomization.yaml", "ratio",
               f"ratio must name exactly the arms {sorted(arm_ids)}, not {sorted(p.randomization.ratio)}")


def randomization_factors(p: Protocol, form_files: dict[str, str]) -> Iterator[Finding]:
    variables = p.variables()
    for factor in p.randomization.factors:
        if factor.variable and factor.variable not in variables:
            yield ("randomization.yaml", f"factors[{factor.id}].variable",
                   f"unknown variable {factor.variable!r}")


def rule_expressions(p: Protocol, form_files: dict[str, str]) -> Iterator[Finding]:
    """Every criterion rule, edit check and show-if must be sound CEL over known variables."""
    from equipoise.rules.lint import rule_problems, samples_for_type

    variables = p.variables()
    samples = {
        name: samples_for_type(f.type, f.min, f.max, [c.code for c in f.choices or []])
        for name, f in variables.items()
    }
    for c in p.criteria:
        for message in rule_problems(c.rule, samples, c.inputs):
            yield "eligibility.yaml", f"criteria[{c.id}].rule", message
    for form in p.forms:
        for check in form.edit_checks:
            for message in rule_problems(check.rule, samples, check.fields):
                yield form_files[form.id], f"edit_checks[{check.id}].rule", message
        for f in form.fields():
            if f.show_if:
                for message in rule_problems(f.show_if, samples):
                    yield form_files[form.id], f"fields[{f.name}].show_if", message


Check = Callable[[Protocol, dict[str, str]], Iterator[Finding]]

# Each check with the protocol parts it reads.
CHECKS: list[tuple[frozenset[str], Check]] = [
    (frozenset({"arms"}), arm_ids),
    (frozenset({"registry"}), site_codes),
    (frozenset({"forms"}), form_ids_and_variables),
    (frozenset({"schedule"}), visit_windows),
    (frozenset({"schedule", "forms"}), visit_forms),
    (frozenset({"criteria", "forms"}), criteria_inputs),
    (frozenset({"randomization", "arms"}), randomization_arms),
    (frozenset({"randomization", "forms"}), randomization_factors),
    (frozenset({"criteria", "forms"}), rule_expressions),
]


def cross_checks(p: Protocol, form_files: dict[str, str], available: frozenset[str] | None = None) -> list[Finding]:
    """Run every check whose parts are available (all of them for a fully validated protocol)."""
    return [
        finding for needs, check in CHECKS
        if available is None or needs <= available
        for finding in check(p, form_files)
    ]
