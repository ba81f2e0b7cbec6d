"""Refusals raised by actions: data, not tracebacks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ActionRefused(Exception):
    """A write that was refused. `status` is the HTTP status the API answers with."""

    message: str
    errors: list[dict[str, Any]] = field(default_factory=list)
    status: int = 400

    def __str__(self) -> str:
        return self.message
