"""Append events to the audit ledger, chained to the previous one, inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from equipoise.records.actor import Actor, Operator
from equipoise.records.audit_actions import AuditAction
from equipoise.records.audit_chain import GENESIS, ChainReport, event_hash, verify_chain
from equipoise.records.models import AuditEvent, AuditHead


def lock_chain_head() -> AuditHead:
    """Lock the chain head's row until the transaction ends and return it.

    This is the lock that orders every write: an action takes it first, before it reads what it
    will judge (the protocol version in force above all), so nothing it reads can change under
    it before it commits. `record_events` takes it too, so an action that forgot still appends
    a correct chain.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("the chain head is locked inside the transaction of a change")
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:  # a fresh database: the first writer creates the head, then locks it
        AuditHead.objects.get_or_create(pk=1, defaults={"last_sequence": 0, "last_hash": GENESIS})
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def record_event(
    actor: Actor | Operator,
    action: AuditAction,
    obj_type: str,
    obj_id: str | int,
    *,
    subject_code: str = "",
    site_code: str | None = None,
    form_id: str = "",
    changes: dict[str, Any] | None = None,
    reason: str = "",
    protocol_version: str = "",
    head: AuditHead | None = None,
) -> AuditEvent:
    """Append one event; must run inside the transaction that made the change it describes.

    `head`: the chain head this transaction already locked (`lock_chain_head`), see `record_events`.
    """
    return record_events(actor, [AuditEntry(action, obj_type, obj_id, subject_code=subject_code,
                                            site_code=site_code, form_id=form_id, changes=changes or {},
                                            reason=reason, protocol_version=protocol_version)], head=head)[0]


@dataclass(frozen=True)
class AuditEntry:
    """One event to append: what happened to which object (the actor and the time are added)."""

    action: AuditAction
    obj_type: str
    obj_id: str | int
    subject_code: str = ""
    site_code: str | None = None  # None: the actor's site
    form_id: str = ""
    changes: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    protocol_version: str = ""


def record_events(actor: Actor | Operator, entries: list[AuditEntry], *,
                  head: AuditHead | None = None) -> list[AuditEvent]:
    """Append events in order under the chain-head lock, in the caller's transaction.

    `head`: the row `lock_chain_head` returned earlier in this same transaction, as it stands (an
    action that took the lock itself passes it to save locking and reading it again: one round trip
    of a form save). It is moved in place. Without it the head is locked and read here. Either way
    the head moves only from the values the events were chained to, or the transaction fails.
    """
    if head is None:
        head = lock_chain_head()
    chained_from = head.last_sequence
    at = timezone.now()
    stamp = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    events = []
    for entry in entries:
        sequence = head.last_sequence + 1
        fields = {
            "sequence": sequence,
            "at": stamp,
            "username": actor.username,
            "role": actor.role,
            "site_code": actor.site_code if entry.site_code is None else entry.site_code,
            "action": str(entry.action),
            "object_type": entry.obj_type,
            "object_id": str(entry.obj_id),
            "subject_code": entry.subject_code,
            "form_id": entry.form_id,
            "changes": entry.changes,
            "reason": entry.reason,
            "protocol_version": entry.protocol_version,
            "request_id": actor.request_id,
        }
        digest = event_hash(head.last_hash, fields)
        events.append(AuditEvent(**{**fields, "at": at}, prev_hash=head.last_hash, hash=digest))
        head.last_sequence, head.last_hash = sequence, digest
    if not AuditHead.objects.filter(pk=head.pk, last_sequence=chained_from).update(
            last_sequence=head.last_sequence, last_hash=head.last_hash):
        raise RuntimeError(f"the audit chain head is no longer at event {chained_from}: a head passed in "
                           "must be the one this transaction locked, as it stands")
    AuditEvent.objects.bulk_create(events)
    return events


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
