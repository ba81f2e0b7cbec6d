"""Store protocol files as versions and give back the version in force."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from equipoise.protocol.loader import LoadedProtocol, load_protocol, protocol_from_source
from equipoise.protocol.schema import Protocol
from equipoise.records import statements
from equipoise.records.models import ProtocolVersion


def store_protocol_version(path: Path | str) -> tuple[ProtocolVersion, bool]:
    """Load the files; store them as a new version unless identical to a stored one.

    Loading the same files twice changes nothing; a changed file gives version n+1 and keeps n.
    """
    loaded = load_protocol(path)
    protocol_id = loaded.protocol.id
    with transaction.atomic():
        existing = ProtocolVersion.objects.filter(protocol_id=protocol_id, sha256=loaded.sha256).first()
        if existing:
            return existing, False
        last = ProtocolVersion.objects.filter(protocol_id=protocol_id).order_by("-number").first()
        version = ProtocolVersion.objects.create(
            protocol_id=protocol_id,
            number=(last.number + 1) if last else 1,
            sha256=loaded.sha256,
            source=loaded.source,
            loaded_at=timezone.now(),
        )
    return version, True


def current_version(protocol_id: str) -> ProtocolVersion:
    """The version in force. Its file contents are loaded only if its parse is not cached yet."""
    version = statements.fetch(ProtocolVersion, protocol_id=protocol_id, order_by=["-number"],
                               only=["protocol_id", "number", "sha256", "loaded_at"])
    if version is None:
        raise LookupError(f"protocol {protocol_id} has not been loaded; run `equipoise protocol load`")
    return version


class VersionSuperseded(Exception):
    """A newer protocol version came into force while a change checked against the older one was written."""


# The version in force per protocol, as this process last read it. Writers validate against it
# without a query, and `record_events(checked=...)` confirms it under the chain-head lock.
_IN_FORCE: dict[str, ProtocolVersion] = {}


def version_in_force(protocol_id: str, *, fresh: bool = False) -> ProtocolVersion:
    """`current_version`, read once per process (again when `fresh`). Only for a write that passes
    it to `record_events(checked=...)`, which notices if it has been superseded."""
    if fresh or protocol_id not in _IN_FORCE:
        _IN_FORCE[protocol_id] = current_version(protocol_id)
    return _IN_FORCE[protocol_id]


RERUNS = 3  # a write that meets an amendment on more runs than this in a row fails with the last error


def under_version_in_force[T](protocol_id: str, write: Callable[[ProtocolVersion], T]) -> T:
    """Run `write(version)` with the cached version in force. If that version turns out to be
    superseded (nothing was written), or `write` fails in any way while a newer version is in
    force (a refusal may come from the older rules), run it again with the newer version.

    `write` must not raise after it has committed anything, or that would be written twice.
    "Superseded" means loaded before the statement that locks the chain head began: on
    PostgreSQL a version committed while that statement waits for the lock is not seen, exactly
    as a version read before the transaction would not have been.
    """
    version = version_in_force(protocol_id)
    for _ in range(RERUNS):
        try:
            return write(version)
        except VersionSuperseded:
            version = version_in_force(protocol_id, fresh=True)
        except Exception:
            tried, version = version, version_in_force(protocol_id, fresh=True)
            if (version.pk, version.sha256) == (tried.pk, tried.sha256):
                raise
    return write(version)


# Parsed versions by content hash: a stored version never changes, so neither does its parse.
_BY_SHA: dict[str, LoadedProtocol] = {}


def loaded_of(version: ProtocolVersion) -> LoadedProtocol:
    """The parsed protocol of a stored version, with its hash (cached per content hash)."""
    cached = _BY_SHA.get(version.sha256)
    if cached is None:
        cached = _BY_SHA[version.sha256] = protocol_from_source(
            version.protocol_id, json.dumps(version.source, sort_keys=True))
    return cached


def protocol_of(version: ProtocolVersion) -> Protocol:
    return loaded_of(version).protocol


def default_protocol_dir(protocol_id: str) -> Path:
    return Path(settings.PROTOCOLS_DIR) / protocol_id
