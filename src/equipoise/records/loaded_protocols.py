"""Which protocol a page, a command or a new subject is about, among those loaded.

The engine serves whichever protocols have been loaded (`equipoise protocol load`); nothing names
one in code. A subject carries its protocol; a site-level page or a command takes the one asked
for, or the only one loaded; with several loaded and none named, the caller is asked to choose.
"""

from __future__ import annotations

from django.core.exceptions import BadRequest

from equipoise.records.actions.errors import ActionRefused, FieldError
from equipoise.records.models import ProtocolVersion


def loaded_protocol_ids() -> list[str]:
    """The ids of the protocols stored in the database, sorted."""
    return sorted(set(ProtocolVersion.objects.values_list("protocol_id", flat=True)))


def chosen_protocol_id(requested: str | None = None) -> str:
    """`requested` when it is loaded, else the only protocol loaded; `BadRequest` (400) otherwise."""
    loaded = loaded_protocol_ids()
    if requested:
        if requested not in loaded:
            raise BadRequest(f"protocol {requested!r} is not loaded (loaded: {', '.join(loaded) or 'none'})")
        return requested
    if len(loaded) != 1:
        raise BadRequest(f"name the protocol: loaded are {', '.join(loaded)}" if loaded else "no protocol is loaded")
    return loaded[0]


def protocol_for_new_subject(requested: str | None, loaded: list[str]) -> str:
    """The protocol a new subject joins: the one named, or the only one loaded."""
    if requested is not None:
        if requested not in loaded:
            raise ActionRefused(f"protocol {requested!r} is not loaded", [FieldError(
                "protocol", "choices", f"protocol must be one of {', '.join(loaded) or '(none loaded)'}")])
        return requested
    if len(loaded) != 1:
        raise ActionRefused("name the protocol: more than one is loaded" if loaded else "no protocol is loaded", [FieldError(
            "protocol", "required", f"protocol is required when {len(loaded)} protocols are loaded")])
    return loaded[0]
