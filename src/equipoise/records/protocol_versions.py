"""Store protocol files as versions and give back the version in force."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from equipoise.protocol.loader import LoadedProtocol, load_protocol, protocol_from_source
from equipoise.protocol.schema import Protocol
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
    version = ProtocolVersion.objects.filter(protocol_id=protocol_id).order_by("-number").first()
    if version is None:
        raise LookupError(f"protocol {protocol_id} has not been loaded; run `equipoise protocol load`")
    return version


@lru_cache(maxsize=16)
def _parsed(protocol_id: str, sha256: str, source_json: str) -> LoadedProtocol:
    return protocol_from_source(protocol_id, source_json)


def protocol_of(version: ProtocolVersion) -> Protocol:
    """The parsed protocol of a stored version (cached per content hash)."""
    import json

    return _parsed(version.protocol_id, version.sha256, json.dumps(version.source, sort_keys=True)).protocol


def default_protocol_dir(protocol_id: str) -> Path:
    return Path(settings.PROTOCOLS_DIR) / protocol_id
