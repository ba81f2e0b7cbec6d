"""Source data verification (SDV): the monitor checks one form against the source documents.

The verification has its own state and its own audit events, apart from the form's draft /
complete / locked state. It covers the revision of the values the monitor saw: a change of those
values (`records.signals.form_record_changed`, sent inside the save's transaction) sets it back
to not verified, in that same transaction, with an audit event saying which revision undid it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from equipoise.records.actions.errors import ActionRefused
from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import FormRecord, FormState, SourceVerification, VerificationState
from equipoise.records.permissions import Do, may
from equipoise.records.signals import form_record_changed


def verify_source_data(actor: Actor, record: FormRecord) -> SourceVerification:
    """Mark the form's current values as verified against the source by this monitor."""
    if not may(actor.role, Do.VERIFY_SOURCE_DATA):
        raise ActionRefused(_("Only the monitor verifies source data."), status=403)
    with transaction.atomic(durable=True):
        current = (FormRecord.objects.select_for_update(of=("self",)).select_related("subject__site")
                   .get(pk=record.pk))
        if current.state == FormState.DRAFT:
            raise ActionRefused(_("This form is still in draft: it is verified once the site has completed it."),
                                status=409)
        verification = SourceVerification.objects.select_for_update().filter(record=current).first()
        if (verification is not None and verification.state == VerificationState.VERIFIED
                and verification.revision == current.revision):
            raise ActionRefused(_("This form is already verified against the source."), status=409)
        old = verification.state if verification else VerificationState.NOT_VERIFIED
        now = timezone.now()
        if verification is None:
            verification = SourceVerification.objects.create(
                record=current, state=VerificationState.VERIFIED, revision=current.revision,
                verified_by=actor.user, verified_at=now)
        else:
            verification.state, verification.revision = VerificationState.VERIFIED, current.revision
            verification.verified_by, verification.verified_at = actor.user, now
            verification.invalidated_at = verification.invalidated_by_revision = None
            verification.save()
        record_event(actor, AuditAction.FORM_SOURCE_VERIFY, "form_record", current.pk,
                     subject_code=current.subject.code, site_code=current.subject.site.code,
                     form_id=current.form_id,
                     changes={"verification": [old, VerificationState.VERIFIED.value],
                              "revision": [None, current.revision]})
    return verification


@receiver(form_record_changed)
def invalidate_on_change(sender, actor: Actor, record: FormRecord, changes: dict[str, Any], **kwargs) -> None:
    """Runs in the save's transaction: a verified form whose values changed is no longer verified."""
    verification = (SourceVerification.objects.select_for_update()
                    .filter(record=record, state=VerificationState.VERIFIED).first())
    if verification is None or verification.revision == record.revision:
        return
    verification.state = VerificationState.NOT_VERIFIED
    verification.invalidated_at = timezone.now()
    verification.invalidated_by_revision = record.revision
    verification.save(update_fields=["state", "invalidated_at", "invalidated_by_revision"])
    record_event(actor, AuditAction.FORM_SOURCE_VERIFICATION_INVALIDATE, "form_record", record.pk,
                 subject_code=record.subject.code, site_code=record.subject.site.code, form_id=record.form_id,
                 changes={"verification": [VerificationState.VERIFIED.value, VerificationState.NOT_VERIFIED.value],
                          "revision": [verification.revision, record.revision]},
                 reason=f"values changed in revision {record.revision}: {', '.join(sorted(changes))}")
