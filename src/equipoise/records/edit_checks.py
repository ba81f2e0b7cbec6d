"""Cross-field edit checks of a form, evaluated with the protocol's CEL rules.

A check whose inputs are not all filled in is not applied yet (its rule is unknown).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from equipoise.capture.validation import FieldError
from equipoise.protocol.schema import Form
from equipoise.rules.engine import Rule, Unknown, compile_rule, evaluate


@lru_cache(maxsize=256)
def _compiled(source: str) -> Rule:
    return compile_rule(source)


def edit_checks_for(form: Form) -> Callable[[Mapping[str, Any]], list[FieldError]] | None:
    if not form.edit_checks:
        return None

    def run(values: Mapping[str, Any]) -> list[FieldError]:
        errors: list[FieldError] = []
        for check in form.edit_checks:
            outcome = evaluate(_compiled(check.rule), values, name=check.id)
            if isinstance(outcome, Unknown) or outcome:
                continue
            for name in check.fields:
                errors.append(FieldError(name, f"edit_check.{check.id}", check.message.en, values.get(name)))
        return errors

    return run
