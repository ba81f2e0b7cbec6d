"""Values computed on the server from a form's data (never trusted from the client)."""

from __future__ import annotations

from typing import Any

from equipoise.instruments.derived import derive
from equipoise.instruments.validation import InstrumentInputError
from equipoise.protocol.schema import Form


def derive_all(form: Form, data: dict[str, Any]) -> dict[str, Any]:
    """Compute every derived value of the form.

    A value whose inputs are not all filled in yet is None. An instrument record that is present
    but cannot be scored raises `InstrumentInputError`, naming the key.
    """
    instrument_fields = {f.name for f in form.fields() if f.type == "instrument"}
    out: dict[str, Any] = {}
    for item in form.derived:
        try:
            out[item.name] = derive(item.function, data)
        except InstrumentInputError:
            if instrument_fields & set(data):
                raise
            out[item.name] = None
    return out
