"""The audit event of an export: who took which file, cut at which date, with which arms.

Exports hand trial data out of the system, so each one is kept in the hash-chained audit trail
like a change (Sealed Envelope logs downloads the same way).
"""

from __future__ import annotations

from django.db import transaction

from equipoise.exports.reading import Cutoff
from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction


def record_export(actor: Actor, action: AuditAction, what: str, cutoff: Cutoff, *, arms: str, protocol_version: str,
                  files: list[str] | None = None) -> None:
    """Append the export's audit event (its own transaction)."""
    if action not in (AuditAction.EXPORT_ODM, AuditAction.EXPORT_DATASETS):
        raise ValueError(f"unknown export action {action!r}")
    changes: dict[str, list[object]] = {"export": [None, what], "cutoff": [None, cutoff.label], "arms": [None, arms]}
    if files is not None:
        changes["files"] = [None, files]
    with transaction.atomic():
        record_event(actor, action, "export", what, site_code="", changes=changes,
                     protocol_version=protocol_version)
