"""Data queries: a reviewer raises one on a field, the site answers, the raiser closes it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from equipoise.instruments.derived import instrument_items
from equipoise.records.actions.errors import ActionRefused, FieldError
from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import DataQuery, FormRecord, QueryStatus
from equipoise.records.permissions import Do, may


def _audit(actor: Actor, query: DataQuery, action: AuditAction, changes: dict) -> None:
    record_event(actor, action, "query", query.pk, subject_code=query.record.subject.code,
                 site_code=query.record.subject.site.code, form_id=query.record.form_id, changes=changes)


def raise_query(actor: Actor, record: FormRecord, field: str, text: str) -> DataQuery:
    if not may(actor.role, Do.RAISE_QUERY):
        raise ActionRefused("only a data manager or monitor raises queries", status=403)
    if not text.strip():
        raise ActionRefused("the query needs a text", [FieldError("text", "required", "write the question",
                                                                  message_fr="écrivez la question")])
    from equipoise.records.protocol_versions import protocol_of

    fields = {f.name for f in protocol_of(record.protocol_version).form(record.form_id).fields()}
    # A query may also target one item of an instrument record (`clasi_record.regions.scalp.erythema`).
    fields |= {f"{f.name}.{path}" for f in protocol_of(record.protocol_version).form(record.form_id).fields()
               if f.type == "instrument" and f.instrument for path in instrument_items(f.instrument)}
    if field not in fields:
        raise ActionRefused(f"{field!r} is not a field of form {record.form_id}",
                            [FieldError("field", "choices", "not a field of this form",
                                        message_fr="ce n'est pas un champ de ce formulaire")])
    with transaction.atomic(durable=True):
        query = DataQuery.objects.create(record=record, field=field, text=text.strip(), raised_by=actor.user,
                                         raised_at=timezone.now())
        _audit(actor, query, AuditAction.QUERY_RAISE, {"field": [None, field], "text": [None, query.text]})
    return query


def answer_query(actor: Actor, query: DataQuery, answer: str) -> DataQuery:
    if not may(actor.role, Do.ANSWER_QUERY):
        raise ActionRefused("the site answers queries", status=403)
    if query.status == QueryStatus.CLOSED:
        raise ActionRefused("the query is closed", status=409)
    if not answer.strip():
        raise ActionRefused("the answer needs a text", [FieldError("answer", "required", "write the answer",
                                                                   message_fr="écrivez la réponse")])
    with transaction.atomic(durable=True):
        query.answer, query.answered_by, query.answered_at = answer.strip(), actor.user, timezone.now()
        query.status = QueryStatus.ANSWERED
        query.save()
        _audit(actor, query, AuditAction.QUERY_ANSWER, {"answer": [None, query.answer], "status": ["open", "answered"]})
    return query


def close_query(actor: Actor, query: DataQuery) -> DataQuery:
    if query.raised_by_id != actor.user.pk:
        raise ActionRefused("only the person who raised the query closes it", status=403)
    if query.status == QueryStatus.CLOSED:
        raise ActionRefused("the query is already closed", status=409)
    with transaction.atomic(durable=True):
        old = query.status
        query.status, query.closed_at = QueryStatus.CLOSED, timezone.now()
        query.save()
        _audit(actor, query, AuditAction.QUERY_CLOSE, {"status": [old, "closed"]})
    return query
