"""Save, complete, reopen and lock form records; every change carries old -> new per field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from equipoise.capture.validation import changes_between, validate_values
from equipoise.instruments.validation import InstrumentInputError
from equipoise.protocol.schema import Form, Protocol
from equipoise.records.actions.eligibility import reevaluate_if_stale
from equipoise.records.actions.errors import ActionRefused, FieldError
from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction
from equipoise.records.derived_values import derive_all
from equipoise.records.edit_checks import edit_checks_for
from equipoise.records.models import (
    FormRecord,
    FormRevision,
    FormState,
    Subject,
    Visit,
)
from equipoise.records.permissions import Do, entry_permission, may, reopen_permission, who_may
from equipoise.records.protocol_versions import lock_for_write, protocol_of, version_for_write
from equipoise.records.roles import Role
from equipoise.records.signals import form_record_changed

ELIGIBILITY_SOURCES = ("screening", "clasi")
"""Forms whose values the eligibility verdict reads (records.actions.eligibility.screening_values)."""


def form_allowed_at(protocol: Protocol, visit: Visit, form_id: str) -> bool:
    if not visit.scheduled:
        return form_id in protocol.schedule.unscheduled_forms
    return form_id in protocol.visit(visit.visit_id).forms


def _check_role(actor: Actor, form: Form) -> None:
    if actor.role == Role.BLINDED_ASSESSOR and not form.blinded_assessor:
        raise ActionRefused(f"the blinded assessor does not enter the {form.id} form", status=403)
    needed = entry_permission(form.id)
    if not may(actor.role, needed):
        raise ActionRefused(f"role {actor.role} does not enter the {form.id} form (for the {who_may(needed)})",
                            status=403)


def _check_changeable(record: FormRecord, visit: Visit) -> None:
    """A saved record changes only while in draft."""
    if record.state == FormState.LOCKED:
        raise ActionRefused(f"form {record.form_id} at {visit.visit_id} is locked", status=409)
    if record.state == FormState.COMPLETE:
        raise ActionRefused(f"form {record.form_id} is complete; reopen it with a reason first", status=409)


def save_form(
    actor: Actor, subject: Subject, visit: Visit, form_id: str, raw: Mapping[str, Any], *,
    reason: str = "", from_text: bool = False,
) -> FormRecord:
    """Validate and store a form's values, replacing the previous values as a new revision.

    A save of a form that eligibility reads (the screening form, a CLASI) re-judges a patient still
    in screening when a variable the latest verdict used has changed (a transaction of its own, after).
    Validated against the protocol version in force, read under the chain-head lock.
    """
    with transaction.atomic(durable=True):
        record = store_form(actor, subject, visit, form_id, raw, reason=reason, from_text=from_text)
    after_form_saved(actor, subject, form_id)
    return record


def after_form_saved(actor: Actor, subject: Subject, form_id: str) -> None:
    """What follows a committed save: eligibility re-judged if the form feeds it."""
    if form_id in ELIGIBILITY_SOURCES:
        reevaluate_if_stale(actor, subject)


def store_form(
    actor: Actor, subject: Subject, visit: Visit, form_id: str, raw: Mapping[str, Any], *,
    reason: str = "", from_text: bool = False,
) -> FormRecord:
    """`save_form`'s write, inside the caller's action transaction: an action that saves a form and
    records something with it in one transaction calls this, then `after_form_saved` once committed."""
    reason = reason.strip()
    head, version = lock_for_write(subject.protocol_id)
    protocol = protocol_of(version)
    if form_id not in {f.id for f in protocol.forms}:
        raise ActionRefused(f"unknown form {form_id!r}", status=404)
    if visit.subject_id != subject.pk:
        raise ActionRefused("visit does not belong to this subject", status=404)
    if not form_allowed_at(protocol, visit, form_id):
        raise ActionRefused(f"form {form_id} is not scheduled at visit {visit.visit_id}", status=400)
    form = protocol.form(form_id)
    _check_role(actor, form)
    clean, errors = validate_values(form, raw, edit_checks=edit_checks_for(form), from_text=from_text)
    if errors:
        raise ActionRefused("; ".join(e.message for e in errors), errors)
    try:
        derived = derive_all(form, clean)
    except InstrumentInputError as exc:
        raise ActionRefused(str(exc), [FieldError(exc.key, exc.problem, str(exc))]) from None
    now = timezone.now()
    # Ordered by its key alone: Meta.ordering would join (and, on PostgreSQL, lock) the subject and visit rows.
    record = FormRecord.objects.select_for_update().filter(visit=visit, form_id=form_id).order_by("pk").first()
    if record is None:
        old: dict[str, Any] = {}
        old_derived: dict[str, Any] = {}
        changes = changes_between(old, clean)
        record = FormRecord.objects.create(subject=subject, visit=visit, form_id=form_id, data=clean,
                                           derived=derived, revision=1, protocol_version=version, updated_at=now)
    else:
        _check_changeable(record, visit)
        old, old_derived = record.data, record.derived
        changes = changes_between(old, clean)
        if not changes:
            return record
        if not reason:
            raise ActionRefused(
                "a reason for change is required to change saved data",
                [FieldError("reason", "required", "reason for change is required")],
            )
        record.subject, record.visit = subject, visit
        record.data, record.derived, record.revision = clean, derived, record.revision + 1
        record.protocol_version, record.updated_at = version, now
        record.save(update_fields=["data", "derived", "revision", "protocol_version", "updated_at"])
    FormRevision.objects.create(record=record, revision=record.revision, data=clean, changes=changes,
                                reason=reason, user=actor.user, at=now, protocol_version=version)
    record_event(
        actor, AuditAction.FORM_SAVE if record.revision == 1 else AuditAction.FORM_CHANGE, "form_record",
        record.pk, subject_code=subject.code, site_code=subject.site.code, form_id=form_id,
        changes={**changes, **{f"derived.{k}": pair for k, pair in changes_between(old_derived, derived).items()}},
        reason=reason, protocol_version=str(version), head=head,
    )
    form_record_changed.send(FormRecord, actor=actor, record=record, changes=changes)
    return record


def _transition(actor: Actor, record: FormRecord, action: AuditAction, new_state: str, reason: str = "") -> FormRecord:
    with transaction.atomic(durable=True):
        version = version_for_write(record.subject.protocol_id)
        locked = FormRecord.objects.select_for_update().select_related("subject__site").get(pk=record.pk)
        old_state = locked.state
        locked.state = new_state
        locked.updated_at = timezone.now()
        locked.save(update_fields=["state", "updated_at"])
        record_event(
            actor, action, "form_record", locked.pk, subject_code=locked.subject.code,
            site_code=locked.subject.site.code, form_id=locked.form_id,
            changes={"state": [old_state, new_state]}, reason=reason, protocol_version=str(version),
        )
    return locked


def complete_form(actor: Actor, record: FormRecord) -> FormRecord:
    protocol = protocol_of(record.protocol_version)
    form = protocol.form(record.form_id)
    _check_role(actor, form)
    if record.state != FormState.DRAFT:
        raise ActionRefused(f"form is {record.state}, not draft", status=409)
    _, errors = validate_values(form, record.data, require_complete=True)
    if errors:
        raise ActionRefused("; ".join(e.message for e in errors), errors)
    return _transition(actor, record, AuditAction.FORM_COMPLETE, FormState.COMPLETE)


def reopen_form(actor: Actor, record: FormRecord, reason: str) -> FormRecord:
    if not reason.strip():
        raise ActionRefused("a reason is required to reopen a form",
                            [FieldError("reason", "required", "say why the form is reopened",
                                        message_fr="indiquez pourquoi le formulaire est rouvert")])
    if record.state == FormState.DRAFT:
        raise ActionRefused("form is already open", status=409)
    if record.state == FormState.LOCKED and not may(actor.role, Do.UNLOCK_FORM):
        raise ActionRefused("only the data manager unlocks a locked form", status=403)
    if not may(actor.role, reopen_permission(record.state)):
        raise ActionRefused(f"role {actor.role} cannot reopen forms", status=403)
    return _transition(actor, record, AuditAction.FORM_REOPEN, FormState.DRAFT, reason.strip())


def lock_form(actor: Actor, record: FormRecord) -> FormRecord:
    if not may(actor.role, Do.LOCK_FORM):
        raise ActionRefused("only the data manager locks forms", status=403)
    if record.state == FormState.LOCKED:
        raise ActionRefused("form is already locked", status=409)
    if record.state == FormState.DRAFT:
        raise ActionRefused("form is still in draft: it is completed before it is locked", status=409)
    return _transition(actor, record, AuditAction.FORM_LOCK, FormState.LOCKED)
