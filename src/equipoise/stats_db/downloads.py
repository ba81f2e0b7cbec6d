"""Leave an audit event for every statistics document handed out (page, file or CLI output).

Reports reveal trial results, so who took which document, cut at which date, is kept in the
hash-chained audit trail like any data change (Sealed Envelope logs downloads the same way).
The DSMB report has its own action, `report.dsmb`, carrying the part (open or closed).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction


def record_download(actor: Actor, document: str, cutoff: dt.date, *, arm_level: bool,
                    protocol_version: str) -> None:
    with transaction.atomic():
        record_event(
            actor, AuditAction.REPORT_DOWNLOAD, "report", document, site_code="",
            changes={"document": [None, document], "cutoff": [None, cutoff.isoformat()],
                     "arm_level": [None, arm_level]},
            protocol_version=protocol_version,
        )


def record_dsmb(actor: Actor, part: str, cutoff: dt.date, *, protocol_version: str) -> None:
    with transaction.atomic():
        record_event(
            actor, AuditAction.REPORT_DSMB, "report", f"dsmb-{part}", site_code="",
            changes={"part": [None, part], "cutoff": [None, cutoff.isoformat()]},
            protocol_version=protocol_version,
        )
