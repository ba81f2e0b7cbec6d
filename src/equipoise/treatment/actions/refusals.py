"""Building refusals and the protocol-version label every treatment audit event carries."""

from __future__ import annotations

import datetime as dt

from equipoise.records.actions.errors import ActionRefused, FieldError
from equipoise.records.actor import Actor
from equipoise.records.models import ProtocolVersion, Subject
from equipoise.records.permissions import Do, may, who_may
from equipoise.records.protocol_versions import current_version
from equipoise.safety.errors import InvalidInput


def refusal(field: str, value: object, rule: str, message: str, message_fr: str = "",
            status: int = 400) -> ActionRefused:
    """A one-problem refusal in the shape the pages and the API show."""
    return ActionRefused(message, [FieldError(field, rule, message, _plain(value), message_fr)], status=status)


def from_invalid(exc: InvalidInput) -> ActionRefused:
    return refusal(exc.field, exc.value, exc.rule, str(exc))


def require_permission(actor: Actor, what: Do, doing: str) -> None:
    """Refuse (403) unless the actor's role may do `what`, as `records.permissions` decides."""
    if not may(actor.role, what):
        raise ActionRefused(f"{doing} is for the {who_may(what)}; not for {actor.role}", status=403)


def require_not_future(field: str, value: dt.date, today: dt.date) -> None:
    if value > today:
        raise refusal(field, value, "not in the future",
                      f"{field}: {value.isoformat()} is after today ({today.isoformat()}, Paris)",
                      f"{field} : le {value.isoformat()} est postérieur à aujourd'hui ({today.isoformat()}, Paris)")


def version_of(subject: Subject) -> tuple[ProtocolVersion, str]:
    version = current_version(subject.protocol_id)
    return version, f"{subject.protocol_id} v{version.number}"


def _plain(value: object) -> object:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
