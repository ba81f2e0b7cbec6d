"""Store protocol files as versions and give back the version in force."""

from __future__ import annotations

import gc
import json
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from equipoise.protocol.loader import LoadedProtocol, load_protocol, protocol_from_source
from equipoise.protocol.schema import Protocol
from equipoise.records.actor import Actor, Operator
from equipoise.records.audit import lock_chain_head, record_event
from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import AuditHead, ProtocolVersion


def store_protocol_version(path: Path | str, actor: Actor | Operator | None = None) -> tuple[ProtocolVersion, bool]:
    """Load the files; store them as a new version unless identical to a stored one (audited).

    Loading the same files twice changes nothing; a changed file gives version n+1 and keeps n.
    `actor`: who loads it (default: the operating-system account running this process). The
    amendment takes the chain-head lock like every write, so a write that waits for that lock
    while an amendment commits is judged by the amendment.
    """
    loaded = load_protocol(path)
    protocol_id = loaded.protocol.id
    with transaction.atomic(durable=True):
        lock_chain_head()
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
        record_event(actor or Operator.of_this_process(), AuditAction.PROTOCOL_VERSION_LOAD, "protocol_version",
                     version.pk, site_code="", protocol_version=str(version),
                     changes={"number": [last.number if last else None, version.number],
                              "sha256": [last.sha256 if last else None, version.sha256]})
    return version, True


def current_version(protocol_id: str) -> ProtocolVersion:
    """The version in force. Its file contents are loaded only if its parse is not cached yet.

    A write reads it through `version_for_write` instead, under the chain-head lock.
    """
    version = (ProtocolVersion.objects.filter(protocol_id=protocol_id).order_by("-number")
               .only("protocol_id", "number", "sha256", "loaded_at").first())
    if version is None:
        raise LookupError(f"protocol {protocol_id} has not been loaded; run `equipoise protocol load`")
    return version


def version_for_write(protocol_id: str) -> ProtocolVersion:
    """In an action's transaction: lock the chain head (the lock that orders every write), then read
    the version in force. Amendments take the same lock, so the version read here stays in force
    until this transaction commits: no write is ever judged by a superseded version.
    """
    return lock_for_write(protocol_id)[1]


def lock_for_write(protocol_id: str) -> tuple[AuditHead, ProtocolVersion]:
    """`version_for_write`, also giving back the locked chain head, for an action that passes it to
    `record_event(head=...)` rather than have the head locked and read a second time."""
    head = lock_chain_head()
    return head, current_version(protocol_id)


# Parsed versions by content hash: a stored version never changes, so neither does its parse.
_BY_SHA: dict[str, LoadedProtocol] = {}


def loaded_of(version: ProtocolVersion) -> LoadedProtocol:
    """The parsed protocol of a stored version, with its hash (cached per content hash)."""
    cached = _BY_SHA.get(version.sha256)
    if cached is None:
        cached = _BY_SHA[version.sha256] = protocol_from_source(
            version.protocol_id, json.dumps(version.source, sort_keys=True))
        _keep_out_of_full_collections()
    return cached


def _keep_out_of_full_collections() -> None:
    """A parse is some 270,000 objects kept for the life of the process. Left to the cyclic garbage
    collector, every full collection walks them all again: a pause of 100-500 ms in a server worker
    (profiled: 490 ms on a loaded 2-core machine), sometimes while it holds the chain-head lock that
    every other write waits for. Collect once now, then freeze what survives (the parse, the loaded
    modules) so later collections only walk the objects requests make."""
    gc.collect()
    gc.freeze()


def protocol_of(version: ProtocolVersion) -> Protocol:
    return loaded_of(version).protocol


def default_protocol_dir(protocol_id: str) -> Path:
    return Path(settings.PROTOCOLS_DIR) / protocol_id
