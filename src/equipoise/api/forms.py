"""One form record: read, save (with a reason for change), complete, reopen, lock, history.

Writes go through `records.actions.forms`, which validates against the protocol, writes and
audits in one transaction; a refusal there changes nothing and comes back as 4xx data.
"""

from __future__ import annotations

from typing import Any

from ninja import Router, Status

from equipoise.api.form_context import FormContext, form_context
from equipoise.api.requests import ApiRequest
from equipoise.api.schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    FormWrite,
    ReasonIn,
    RecordOut,
    RevisionOut,
)
from equipoise.api.serialize import record_out, revision_out
from equipoise.records.access import actor_for
from equipoise.records.actions import forms as form_actions
from equipoise.records.actor import Actor
from equipoise.records.models import FormRecord

router = Router(tags=["forms"])

FORM = "/subjects/{code}/visits/{visit_id}/forms/{form_id}"


def _actor(request: ApiRequest, ctx: FormContext) -> Actor:
    return actor_for(request.auth, ctx.rights, ctx.subject.site, getattr(request, "request_id", ""))


def _fresh(record: FormRecord) -> dict[str, Any]:
    record = (FormRecord.objects.select_related("subject__site", "visit", "protocol_version")
              .defer("protocol_version__source").get(pk=record.pk))
    return record_out(record)


def _saved(record: FormRecord, ctx: FormContext) -> dict[str, Any]:
    """The record the save action returned, answered without reading it again: its subject and visit
    are the rows the request found (its protocol version is the one the action set, or is read)."""
    if record.subject_id == ctx.subject.pk:
        record.subject = ctx.subject
    if record.visit_id == ctx.visit.pk:
        record.visit = ctx.visit
    return record_out(record)


@router.get(FORM, response={200: RecordOut, **READ_ERRORS})
def get_form(request: ApiRequest, code: str, visit_id: str, form_id: str) -> Any:
    """The record's values, derived scores, state, revision and protocol version (404 if none yet).

    `visit_id` is the protocol's visit id (SCR, W16) or, for any visit, its number.
    """
    ctx = form_context(request, code, visit_id, form_id, write=False)
    return record_out(ctx.existing_record())


@router.put(FORM, response={200: RecordOut, 201: RecordOut, **WRITE_ERRORS})
def save_form(request: ApiRequest, code: str, visit_id: str, form_id: str, body: FormWrite) -> Any:
    """Replace the form's values. The first save answers 201; later changes need a `reason`."""
    ctx = form_context(request, code, visit_id, form_id, write=True)
    record = form_actions.save_form(_actor(request, ctx), ctx.subject, ctx.visit, form_id, body.data,
                                    reason=body.reason)
    return Status(201 if ctx.record is None else 200, _saved(record, ctx))


@router.post(FORM + "/complete", response={200: RecordOut, **WRITE_ERRORS})
def complete_form(request: ApiRequest, code: str, visit_id: str, form_id: str) -> Any:
    """Mark a draft complete; every required field must be filled in."""
    ctx = form_context(request, code, visit_id, form_id, write=True)
    return _fresh(form_actions.complete_form(_actor(request, ctx), ctx.existing_record()))


@router.post(FORM + "/reopen", response={200: RecordOut, **WRITE_ERRORS})
def reopen_form(request: ApiRequest, code: str, visit_id: str, form_id: str, body: ReasonIn) -> Any:
    """Reopen a complete form (site) or a locked one (data manager), with a reason."""
    ctx = form_context(request, code, visit_id, form_id, write=False)
    return _fresh(form_actions.reopen_form(_actor(request, ctx), ctx.existing_record(), body.reason))


@router.post(FORM + "/lock", response={200: RecordOut, **WRITE_ERRORS})
def lock_form(request: ApiRequest, code: str, visit_id: str, form_id: str) -> Any:
    """Lock a form against changes (data manager)."""
    ctx = form_context(request, code, visit_id, form_id, write=False)
    return _fresh(form_actions.lock_form(_actor(request, ctx), ctx.existing_record()))


@router.get(FORM + "/history", response={200: list[RevisionOut], **READ_ERRORS})
def form_history(request: ApiRequest, code: str, visit_id: str, form_id: str) -> Any:
    """Every revision, oldest first, with who, when, why and each field's old -> new value."""
    ctx = form_context(request, code, visit_id, form_id, write=False)
    record = ctx.existing_record()
    revisions = record.revisions.select_related("user", "protocol_version").order_by("revision")
    return [revision_out(r) for r in revisions]
