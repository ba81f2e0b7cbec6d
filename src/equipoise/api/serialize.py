"""ORM rows as the plain dicts the response schemas describe."""

from __future__ import annotations

from typing import Any

from equipoise.people.signature_report import signatures_over
from equipoise.records.models import DataQuery, FormRecord, FormRevision, Subject, Visit


def version_label(protocol_id: str, number: int) -> str:
    """The same label the audit trail records, e.g. "nct06965244 v1"."""
    return f"{protocol_id} v{number}"


def subject_out(subject: Subject) -> dict[str, Any]:
    return {"code": subject.code, "site": subject.site.code, "protocol_id": subject.protocol_id,
            "status": subject.status, "screening_attempt": subject.screening_attempt,
            "created_at": subject.created_at}


def visit_out(visit: Visit, forms: list[tuple[str, FormRecord | None]]) -> dict[str, Any]:
    return {
        "id": visit.pk, "visit_id": visit.visit_id, "scheduled": visit.scheduled,
        "target_date": visit.target_date, "earliest_date": visit.earliest_date,
        "latest_date": visit.latest_date, "done_date": visit.done_date, "missed": visit.missed,
        "forms": [{"form_id": form_id, "state": record.state if record else "none",
                   "revision": record.revision if record else 0} for form_id, record in forms],
    }


def record_out(record: FormRecord) -> dict[str, Any]:
    return {
        "subject": record.subject.code, "visit": record.visit.visit_id, "visit_number": record.visit.pk,
        "form_id": record.form_id, "data": record.data, "derived": record.derived,
        "state": record.state, "revision": record.revision,
        "protocol_version": version_label(record.protocol_version.protocol_id, record.protocol_version.number),
        "updated_at": record.updated_at,
        "signatures": signatures_over(record),
    }


def revision_out(revision: FormRevision) -> dict[str, Any]:
    """One revision with its changes as old -> new per field, in field-name order."""
    return {
        "revision": revision.revision, "at": revision.at, "user": revision.user.get_username(),
        "reason": revision.reason,
        "protocol_version": version_label(revision.protocol_version.protocol_id,
                                          revision.protocol_version.number),
        "changes": [{"field": name, "old": pair[0], "new": pair[1]}
                    for name, pair in sorted(revision.changes.items())],
    }


def query_out(query: DataQuery) -> dict[str, Any]:
    record = query.record
    return {
        "id": query.pk, "subject": record.subject.code, "visit": record.visit.visit_id,
        "visit_number": record.visit.pk, "form_id": record.form_id, "field": query.field,
        "text": query.text, "status": query.status, "raised_by": query.raised_by.get_username(),
        "raised_at": query.raised_at, "answer": query.answer,
        "answered_by": query.answered_by.get_username() if query.answered_by else None,
        "answered_at": query.answered_at, "closed_at": query.closed_at,
    }
