"""Append events to the audit ledger, chained to the previous one, inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from equipoise.records.actor import Actor
from equipoise.records.audit_chain import GENESIS, ChainReport, event_hash, verify_chain
from equipoise.records.models import AuditEvent, AuditHead


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditHead.objects.get_or_create(pk=1, defaults={"last_sequence": 0, "last_hash": GENESIS})
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def record_event(
    actor: Actor,
    action: str,
    obj_type: str,
    obj_id: str | int,
    *,
    subject_code: str = "",
    site_code: str | None = None,
    form_id: str = "",
    changes: dict[str, Any] | None = None,
    reason: str = "",
    protocol_version: str = "",
) -> AuditEvent:
    """Append one event; must run inside the transaction that made the change it describes."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit events are written inside the transaction of the change")
    head = _locked_head()
    fields = {
        "sequence": head.last_sequence + 1,
        "at": timezone.now().astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "username": actor.username,
        "role": actor.role,
        "site_code": actor.site_code if site_code is None else site_code,
        "action": action,
        "object_type": obj_type,
        "object_id": str(obj_id),
        "subject_code": subject_code,
        "form_id": form_id,
        "changes": changes or {},
        "reason": reason,
        "protocol_version": protocol_version,
        "request_id": actor.request_id,
    }
    digest = event_hash(head.last_hash, fields)
    event = AuditEvent.objects.create(**{**fields, "at": fields["at"]}, prev_hash=head.last_hash, hash=digest)
    head.last_sequence = fields["sequence"]
    head.last_hash = digest
    head.save(update_fields=["last_sequence", "last_hash"])
    return event


def stored_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "sequence": event.sequence,
        "at": event.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "username": event.username,
        "role": event.role,
        "site_code": event.site_code,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "subject_code": event.subject_code,
        "form_id": event.form_id,
        "changes": event.changes,
        "reason": event.reason,
        "protocol_version": event.protocol_version,
        "request_id": event.request_id,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def verify_ledger() -> ChainReport:
    head = AuditHead.objects.filter(pk=1).first()
    events = (stored_fields(e) for e in AuditEvent.objects.order_by("id").iterator(chunk_size=2000))
    return verify_chain(events, head.last_sequence if head else 0, head.last_hash if head else GENESIS)
