"""A form the action refused, shown again: what the user typed, and each error beside its input.

A treatment page holds several forms (one per prescription row, one per visit...), so a rejected
form names itself by the action it posted to and, for a row form, the row's primary key. Only
that form shows the typed values and the errors; the others keep their usual defaults.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from equipoise.records.actions.errors import ActionRefused, FieldError

# An error's field that is not the input's name: the action speaks of what it records.
ALIASES = {"sponsor_notified_at": "at", "authorities_notified_at": "at"}


@dataclass(frozen=True)
class RejectedForm:
    form: str  # the action posted to, e.g. "dispense"
    pk: int | None
    typed: QueryDict
    by_input: dict[str, list[str]] = field(default_factory=dict)  # errors beside an input
    general: list[str] = field(default_factory=list)  # errors about the form as a whole

    def is_for(self, form: str, pk: Any = None) -> bool:
        return self.form == form and (pk is None or str(pk) == str(self.pk))

    def value(self, name: str) -> str:
        return str(self.typed.get(name, ""))

    def values(self, name: str) -> list[str]:
        return list(self.typed.getlist(name))


def error_text(error: FieldError, french: bool) -> str:
    """One refusal entry in the page's language (the English text where no French one exists)."""
    return (error.message_fr or error.message) if french else error.message


def rejected_form(form: str, pk: int | None, typed: QueryDict, inputs: Iterable[str], exc: ActionRefused,
                  french: bool) -> RejectedForm:
    """Sort the refusal's errors between the form's inputs and the form as a whole."""
    names = set(inputs)
    by_input: dict[str, list[str]] = {}
    general: list[str] = []
    for error in exc.errors or [FieldError("", "refused", str(exc))]:
        raw = error.field.replace(".", "_")  # causality.<drug> is the input causality_<drug>
        name = ALIASES.get(raw, raw)
        text = error_text(error, french)
        if name in names:
            by_input.setdefault(name, []).append(text)
        else:
            general.append(text)
    return RejectedForm(form, pk, typed, by_input, general)
