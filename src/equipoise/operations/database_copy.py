"""Reading a database other than the live one through the ORM: a backup file, or a scratch
PostgreSQL database a dump was restored into. Registered as an extra connection alias for the
duration of a `with`, then closed and forgotten."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator
from typing import Any

from django.db import connections

from equipoise.records.audit import stored_fields
from equipoise.records.audit_chain import GENESIS, ChainReport, verify_chain
from equipoise.records.models import AuditEvent, AuditHead, ProtocolVersion


@contextlib.contextmanager
def database_alias(alias: str, **overrides: Any) -> Iterator[str]:
    """The live database's settings with `overrides` (e.g. NAME), as connection `alias`."""
    settings = copy.deepcopy(connections.settings["default"])
    settings.update(overrides)
    connections.settings[alias] = settings
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


def verify_chain_on(alias: str) -> ChainReport:
    head = AuditHead.objects.using(alias).filter(pk=1).first()
    events = (stored_fields(e) for e in AuditEvent.objects.using(alias).order_by("id").iterator(chunk_size=2000))
    return verify_chain(events, head.last_sequence if head else 0, head.last_hash if head else GENESIS)


def audit_head(alias: str) -> dict[str, object]:
    head = AuditHead.objects.using(alias).filter(pk=1).first()
    return {"sequence": head.last_sequence if head else 0, "hash": head.last_hash if head else GENESIS}


def protocol_versions(alias: str) -> list[dict[str, object]]:
    return [{"protocol": p, "version": n, "sha256": s} for p, n, s in
            ProtocolVersion.objects.using(alias).order_by("protocol_id", "number")
            .values_list("protocol_id", "number", "sha256")]


def row_counts(alias: str) -> dict[str, int]:
    """Rows of every table the project's and Django's apps own, by model label."""
    from django.apps import apps

    return {model._meta.label: model._default_manager.using(alias).count()
            for model in sorted(apps.get_models(), key=lambda m: m._meta.label)
            if not model._meta.proxy and model._meta.managed}
