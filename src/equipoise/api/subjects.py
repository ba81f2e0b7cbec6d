"""Subjects and their visits: list (site-scoped), create, read one, its visits and forms."""

from __future__ import annotations

from typing import Any

from ninja import Query, Router, Status

from equipoise.allocation.blinding import open_forms
from equipoise.api.requests import ApiRequest
from equipoise.api.schemas import READ_ERRORS, WRITE_ERRORS, SubjectCreate, SubjectOut, VisitOut
from equipoise.api.serialize import subject_out, visit_out
from equipoise.records.access import actor_for, site_access, subject_access, visible_subjects
from equipoise.records.actions.subjects import create_subject
from equipoise.records.loaded_protocols import loaded_protocol_ids, protocol_for_new_subject
from equipoise.records.models import FormRecord
from equipoise.records.protocol_versions import current_version, protocol_of

router = Router(tags=["subjects"])


def _request_id(request: ApiRequest) -> str:
    return getattr(request, "request_id", "")


@router.get("/subjects", response={200: list[SubjectOut], **READ_ERRORS})
def list_subjects(request: ApiRequest, site: Query[str | None] = None) -> Any:
    """The subjects at the caller's sites, optionally at one site."""
    subjects = visible_subjects(request.auth).order_by("code")
    if site is not None:
        chosen, _ = site_access(request.auth, site, request_id=_request_id(request))
        subjects = subjects.filter(site=chosen)
    return [subject_out(s) for s in subjects]


@router.post("/subjects", response={201: SubjectOut, **WRITE_ERRORS})
def add_subject(request: ApiRequest, body: SubjectCreate) -> Any:
    """Create a coded subject at a site (data-entry roles at that site)."""
    site, rights = site_access(request.auth, body.site, write=True, request_id=_request_id(request))
    protocol_id = protocol_for_new_subject(body.protocol, loaded_protocol_ids())
    subject = create_subject(actor_for(request.auth, rights, site, _request_id(request)), site, protocol_id)
    return Status(201, subject_out(subject))


@router.get("/subjects/{code}", response={200: SubjectOut, **READ_ERRORS})
def get_subject(request: ApiRequest, code: str) -> Any:
    subject, _ = subject_access(request.auth, code, request_id=_request_id(request))
    return subject_out(subject)


@router.get("/subjects/{code}/visits", response={200: list[VisitOut], **READ_ERRORS})
def list_visits(request: ApiRequest, code: str) -> Any:
    """The subject's visits with the forms the caller may open (the blinded assessor: theirs only)."""
    subject, rights = subject_access(request.auth, code, request_id=_request_id(request))
    protocol = protocol_of(current_version(subject.protocol_id))
    records = {(r.visit_id, r.form_id): r for r in FormRecord.objects.filter(subject=subject)}
    out = []
    for visit in subject.visits.all():
        form_ids = protocol.visit(visit.visit_id).forms if visit.scheduled else protocol.schedule.unscheduled_forms
        shown = open_forms(rights, (protocol.form(f) for f in form_ids))
        out.append(visit_out(visit, [(f.id, records.get((visit.pk, f.id))) for f in shown]))
    return out
