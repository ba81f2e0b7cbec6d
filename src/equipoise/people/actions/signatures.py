"""Electronic signatures (21 CFR 11.50, 11.70, 11.200; EU GMP Annex 11 §14).

The investigator of the subject's site signs a visit's forms, or at the end the whole casebook,
re-entering the password and the second factor. The signature keeps the printed name, the time,
the meaning and the hash of the signed content. A change to a signed record, through the save
action, invalidates it and says what changed; a new signature is then asked for.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from equipoise.people.models import Signature, SignatureMeaning, SignatureScope
from equipoise.people.reauth import reauthenticate
from equipoise.people.signed_content import content_hash, content_of
from equipoise.records.actions.errors import ActionRefused, FieldError
from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import FormRecord, Subject, SubjectStatus, Visit
from equipoise.records.permissions import Do, may
from equipoise.records.signals import form_record_changed

# A casebook is signed once the patient's participation is over.
ENDED = {SubjectStatus.SCREEN_FAILED, SubjectStatus.WITHDRAWN, SubjectStatus.LOST_TO_FOLLOW_UP,
         SubjectStatus.COMPLETED, SubjectStatus.DIED}


def _refuse(actor: Actor, subject: Subject, message: str, status: int, errors: list | None = None,
            **values: str) -> ActionRefused:
    """Audit a refused signature (in English) and return the refusal in the reader's language."""
    with transaction.atomic():
        record_event(actor, AuditAction.SIGNATURE_REFUSED, "subject", subject.code, subject_code=subject.code,
                     site_code=subject.site.code, reason=message % values if values else message)
    return ActionRefused(_(message) % values if values else _(message), errors or [], status=status)


def sign(actor: Actor, subject: Subject, visit: Visit | None, password: str, otp_code: str,
         meaning: str = SignatureMeaning.ACCURATE_COMPLETE, request: HttpRequest | None = None) -> Signature:
    """Sign a visit's forms (`visit`) or the whole casebook (`visit` None)."""
    if not may(actor.role, Do.SIGN_RECORDS):
        raise _refuse(actor, subject, N_("only the investigator of the subject's site signs its records"), 403)
    if meaning not in SignatureMeaning.values:
        raise ActionRefused(f"unknown meaning {meaning!r}", [FieldError("meaning", "choices", "choose the meaning")])
    if visit is not None and visit.subject_id != subject.pk:
        raise ActionRefused(_("visit does not belong to this subject"), status=404)
    if visit is None and subject.status not in ENDED:
        raise ActionRefused(_("the casebook is signed once the patient's participation is over"), status=409)
    try:
        reauthenticate(actor, password, otp_code, request)
    except ActionRefused as refusal:
        raise _refuse(actor, subject, N_("%(problem)s; nothing was signed"), 403, refusal.errors,
                      problem=refusal.message) from None
    content = content_of(subject, visit)
    if not content["records"]:
        raise ActionRefused(_("there is nothing saved to sign yet"), status=409)
    digest = content_hash(content)
    scope = SignatureScope.VISIT if visit is not None else SignatureScope.CASEBOOK
    with transaction.atomic():
        if Signature.objects.filter(subject=subject, visit=visit, scope=scope, content_sha256=digest,
                                    signer=actor.user, invalidated_at__isnull=True).exists():
            raise ActionRefused(_("you have already signed exactly these data"), status=409)
        user = actor.user
        signature = Signature.objects.create(
            subject=subject, visit=visit, scope=scope, signer=user,
            printed_name=user.get_full_name() or user.get_username(), role=actor.role, meaning=meaning,
            signed_at=timezone.now(), content_sha256=digest, content=content)
        record_event(actor, AuditAction.SIGNATURE_SIGN, "signature", signature.pk, subject_code=subject.code,
                     site_code=subject.site.code, changes={
                         "scope": [None, scope.value], "visit": [None, visit.visit_id if visit else None],
                         "meaning": [None, meaning], "printed_name": [None, signature.printed_name],
                         "content_sha256": [None, digest], "records": [None, len(content["records"])]})
    return signature


def status(signature: Signature) -> str:
    """`valid`, `invalidated` (a change through the save action) or `broken` (content no longer hashes
    to the signed hash without a recorded change: a write around the actions)."""
    if signature.invalidated_at is not None:
        return "invalidated"
    if content_hash(content_of(signature.subject, signature.visit)) != signature.content_sha256:
        return "broken"
    if content_hash(signature.content) != signature.content_sha256:
        return "broken"
    return "valid"


@receiver(form_record_changed)
def invalidate_on_change(sender, actor: Actor, record: FormRecord, changes: dict[str, Any], **kwargs) -> None:
    """Runs in the save's transaction: the signatures over `record` stop standing, saying what changed."""
    affected = Signature.objects.select_for_update().filter(subject_id=record.subject_id, invalidated_at__isnull=True)
    now = None
    for signature in affected:
        if signature.scope == SignatureScope.VISIT and signature.visit_id != record.visit_id:
            continue
        now = now or timezone.now()
        fields = ", ".join(sorted(changes)) if record.revision > 1 else ", ".join(sorted(record.data)) or "-"
        what = (f"form {record.form_id} at visit {record.visit.visit_id} (revision {record.revision}: {fields})")
        signature.invalidated_at = now
        signature.invalidated_by = what
        signature.invalidated_change = {
            "form": record.form_id, "visit": record.visit.visit_id, "scheduled": record.visit.scheduled,
            "revision": record.revision, "fields": sorted(changes) if record.revision > 1 else sorted(record.data)}
        signature.save(update_fields=["invalidated_at", "invalidated_by", "invalidated_change"])
        record_event(actor, AuditAction.SIGNATURE_INVALIDATE, "signature", signature.pk, subject_code=record.subject.code,
                     site_code=record.subject.site.code, form_id=record.form_id,
                     reason=f"signature invalidated by change of {what}",
                     changes={"signature": ["valid", "invalidated"]})
