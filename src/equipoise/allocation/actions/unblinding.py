"""Emergency unblinding: a blinded user learns one subject's arm, once, for a stated reason.

The requester re-enters their password (re-authentication: a borrowed, unlocked session is not
enough), gives a reason, and gets back an `EmergencyDisclosure` that the page shows in that one
response. The event is appended to the unblinding ledger and the audit trail in one transaction,
and the sponsor is told by email after the commit. Nothing stores the fact "this user may now see
the arm": the next page they open is blinded again.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from equipoise.allocation.blinding import EmergencyDisclosure, needs_emergency_unblinding
from equipoise.allocation.models import Allocation, UnblindingEvent
from equipoise.allocation.notifications import send_unblinding_notice
from equipoise.people.reauth import reauthenticate
from equipoise.records.access import Rights
from equipoise.records.actions.errors import ActionRefused, FieldError
from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import Subject
from equipoise.records.permissions import Do, may
from equipoise.records.protocol_versions import version_for_write

MIN_REASON = 10


def emergency_unblind(
    actor: Actor, rights: Rights, subject: Subject, reason: str, password: str, request: HttpRequest | None = None,
    otp_code: str = "",
) -> tuple[UnblindingEvent, EmergencyDisclosure]:
    """Check the reason, the password and (when enrolled) the second factor, record the event, and
    disclose the arm to `actor` only."""
    if not may(rights, Do.EMERGENCY_UNBLIND):
        raise ActionRefused("emergency unblinding is for the treating investigator; the blinded assessor "
                            "stays blind", status=403)
    if not needs_emergency_unblinding(rights):
        raise ActionRefused("your role already sees the arm; emergency unblinding is for blinded users", status=409)
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise ActionRefused(
            "a reason is required for an emergency unblinding",
            [FieldError("reason", "min_length", f"reason must give at least {MIN_REASON} characters, not {len(reason)}")])
    try:
        reauthenticate(actor, password, otp_code, request)
    except ActionRefused as refusal:
        field = refusal.errors[0].field if refusal.errors else "password"
        with transaction.atomic(durable=True):
            record_event(actor, AuditAction.SUBJECT_EMERGENCY_UNBLIND_REFUSED, "subject", subject.code,
                         subject_code=subject.code, site_code=subject.site.code, reason=reason,
                         changes={field: [None, "wrong"]})
        raise ActionRefused(f"{refusal.message}; the arm was not shown", refusal.errors, status=403) from None
    now = timezone.now()
    with transaction.atomic(durable=True):
        version = version_for_write(subject.protocol_id)
        allocation = Allocation.objects.filter(subject=subject).first()
        if allocation is None:
            raise ActionRefused(f"subject {subject.code} is not randomized; there is no arm to reveal", status=409)
        event = UnblindingEvent.objects.create(subject=subject, requested_by=actor.user, reason=reason, at=now,
                                               protocol_version=version)
        record_event(actor, AuditAction.SUBJECT_EMERGENCY_UNBLIND, "unblinding", event.pk, subject_code=subject.code,
                     site_code=subject.site.code, reason=reason,
                     changes={"randomization_number": [None, allocation.number]},
                     protocol_version=str(version))
        transaction.on_commit(lambda: send_unblinding_notice(subject.code, subject.site.code, actor.username,
                                                             reason, now))
    return event, EmergencyDisclosure(subject_id=subject.pk, user_id=actor.user.pk, arm=allocation.arm)
