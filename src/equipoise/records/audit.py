"""Append events to the audit ledger, chained to the previous one, inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import connections, transaction
from django.utils import timezone

from equipoise.records import statements
from equipoise.records.actor import Actor
from equipoise.records.audit_chain import GENESIS, ChainReport, event_hash, verify_chain
from equipoise.records.models import AuditEvent, AuditHead, ProtocolVersion
from equipoise.records.protocol_versions import VersionSuperseded


@functools.cache
def _head_and_version_sql(alias: str) -> str:
    """The chain head locked, with the key and hash of a protocol's version in force beside it."""
    head, version = partial(statements.column, AuditHead), partial(statements.column, ProtocolVersion)
    versions = statements.table(ProtocolVersion)
    sql = (f"SELECT h.{head('last_sequence')}, h.{head('last_hash')}, v.{version('id')}, v.{version('sha256')} "
           f"FROM {statements.table(AuditHead)} h LEFT JOIN {versions} v ON v.{version('protocol_id')} = %s "
           f"AND v.{version('number')} = (SELECT MAX({version('number')}) FROM {versions} "
           f"WHERE {version('protocol_id')} = %s) WHERE h.{head('id')} = %s")
    features = connections[alias].features
    if features.has_select_for_update_of:
        sql += " FOR UPDATE OF h"
    return sql


def _locked_head(checked: ProtocolVersion | None) -> tuple[int, str]:
    """The chain head's (last sequence, last hash), its row locked until the transaction ends.

    With `checked`, the same statement reads which version of that protocol is in force, and
    raises `VersionSuperseded` if it is no longer `checked`.
    """
    for _ in range(2):
        if checked is None:
            head = statements.fetch_values(AuditHead, ["last_sequence", "last_hash"], for_update=True, id=1)
        else:
            rows = statements.query(
                _head_and_version_sql(transaction.get_connection().alias),
                [checked.protocol_id, checked.protocol_id, 1],
                [AuditHead._meta.get_field(n) for n in ("last_sequence", "last_hash")]
                + [ProtocolVersion._meta.get_field(n) for n in ("id", "sha256")])
            head = rows[0] if rows else None
            if head is not None and (head[2], head[3]) != (checked.pk, checked.sha256):
                raise VersionSuperseded(f"protocol {checked.protocol_id} v{checked.number} is no longer in force")
        if head is not None:
            return head[0], head[1]
        AuditHead.objects.get_or_create(pk=1, defaults={"last_sequence": 0, "last_hash": GENESIS})
    raise RuntimeError("the audit chain head could not be created")


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
    checked: ProtocolVersion | None = None,
) -> None:
    """Append one event; must run inside the transaction that made the change it describes."""
    record_events(actor, [AuditEntry(action, obj_type, obj_id, subject_code=subject_code, site_code=site_code,
                                     form_id=form_id, changes=changes or {}, reason=reason,
                                     protocol_version=protocol_version)], checked=checked)


@dataclass(frozen=True)
class AuditEntry:
    """One event to append: what happened to which object (the actor and the time are added)."""

    action: str
    obj_type: str
    obj_id: str | int
    subject_code: str = ""
    site_code: str | None = None  # None: the actor's site
    form_id: str = ""
    changes: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    protocol_version: str = ""


def record_events(actor: Actor, entries: list[AuditEntry], *, checked: ProtocolVersion | None = None) -> None:
    """Append events in order under one lock of the chain head, in the caller's transaction.

    `checked`: the protocol version the change was validated against, taken from the process's
    cache (`version_in_force`); if another version has come into force since, this raises
    `VersionSuperseded` before writing anything, and the caller's transaction rolls back.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit events are written inside the transaction of the change")
    last_sequence, last_hash = _locked_head(checked)
    at = timezone.now()
    stamp = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    rows = []
    for entry in entries:
        fields = {
            "sequence": last_sequence + 1,
            "at": stamp,
            "username": actor.username,
            "role": actor.role,
            "site_code": actor.site_code if entry.site_code is None else entry.site_code,
            "action": entry.action,
            "object_type": entry.obj_type,
            "object_id": str(entry.obj_id),
            "subject_code": entry.subject_code,
            "form_id": entry.form_id,
            "changes": entry.changes,
            "reason": entry.reason,
            "protocol_version": entry.protocol_version,
            "request_id": actor.request_id,
        }
        digest = event_hash(last_hash, fields)
        rows.append({**fields, "at": at, "prev_hash": last_hash, "hash": digest})
        last_sequence, last_hash = fields["sequence"], digest
    statements.together([statements.inserting_many(AuditEvent, rows),
                         statements.updating_values(AuditHead, 1, last_sequence=last_sequence, last_hash=last_hash)])


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
