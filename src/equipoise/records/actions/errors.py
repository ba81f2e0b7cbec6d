"""Refusals raised by actions: data, not tracebacks."""

from __future__ import annotations

from dataclasses import dataclass, field

from equipoise.capture.validation import FieldError

__all__ = ["ActionRefused", "FieldError"]


@dataclass
class ActionRefused(Exception):
    """A write that was refused, naming each problem. `status` is the HTTP status the API answers with."""

    message: str
    errors: list[FieldError] = field(default_factory=list)
    status: int = 400

    def __str__(self) -> str:
        return self.message

    def messages_by_field(self) -> dict[str, str]:
        """What a page shows beside each field; a refusal naming no field shows under "form"."""
        return {e.field: e.message for e in self.errors} or {"form": self.message}
