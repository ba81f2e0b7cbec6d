"""The time a report reached the sponsor or the authorities: set once on the locked row, audited.

A serious adverse event, a SUSAR and a pregnancy report each stop a regulatory clock when a
notification time is recorded; the time is never changed afterwards.
"""

from __future__ import annotations

import datetime as dt

from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction
from equipoise.treatment.actions.refusals import refusal, version_of
from equipoise.treatment.models import AdverseEvent, PregnancyReport


def record_notification_time(actor: Actor, locked: AdverseEvent | PregnancyReport, field: str,
                             moment: dt.datetime, action: AuditAction, *, obj_type: str, site_code: str,
                             already: str, already_fr: str = "") -> None:
    """Set `field` of the row (locked by the caller's transaction) to `moment` and audit it;
    refused (409, `already`) when it was set before."""
    earlier = getattr(locked, field)
    if earlier is not None:
        raise refusal(field, earlier, "once", already, already_fr, status=409)
    setattr(locked, field, moment)
    locked.save(update_fields=[field])
    _, label = version_of(locked.subject)
    record_event(actor, action, obj_type, locked.pk, subject_code=locked.subject.code,
                 site_code=site_code, changes={field: [None, moment.isoformat()]}, protocol_version=label)
