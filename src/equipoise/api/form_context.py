"""Find one form of one subject at one visit for a caller, as the form pages do.

The subject comes from `subject_access` (404 + audit for other sites, 403 for read-only writes);
a form the blinded assessor does not fill in is answered 404, exactly like an unknown form, so
the assessor cannot even learn which other forms hold data.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from equipoise.allocation.blinding import may_open_form
from equipoise.api.requests import ApiRequest
from equipoise.protocol.schema import Form
from equipoise.records.access import Rights, subject_access
from equipoise.records.models import FormRecord, Subject, Visit
from equipoise.records.protocol_versions import current_version, protocol_of


@dataclass(frozen=True)
class FormContext:
    subject: Subject
    rights: Rights
    visit: Visit
    form: Form
    record: FormRecord | None

    def existing_record(self) -> FormRecord:
        if self.record is None:
            raise Http404(f"no record of form {self.form.id} at visit {self.visit.visit_id} yet")
        return self.record


def visit_of(subject: Subject, key: str) -> Visit:
    """A visit by its number (any visit) or by the protocol's visit id (scheduled visits only).

    Protocol visit ids start with a letter, so the two kinds of key cannot be confused.
    """
    visits = Visit.objects.filter(subject=subject)
    visit = visits.filter(pk=int(key)).first() if key.isdigit() else visits.filter(
        visit_id=key, scheduled=True).first()
    if visit is None:
        raise Http404(f"subject {subject.code} has no visit {key}")
    return visit


def form_context(request: ApiRequest, code: str, visit_key: str, form_id: str, *, write: bool) -> FormContext:
    subject, rights = subject_access(request.auth, code, write=write,
                                     request_id=getattr(request, "request_id", ""))
    visit = visit_of(subject, visit_key)
    protocol = protocol_of(current_version(subject.protocol_id))
    if form_id not in {f.id for f in protocol.forms}:
        raise Http404(f"no form {form_id}")
    form = protocol.form(form_id)
    if not may_open_form(rights, form):
        raise Http404(f"no form {form_id}")
    record = FormRecord.objects.select_related("subject__site", "visit", "protocol_version").filter(
        visit=visit, form_id=form_id).first()
    return FormContext(subject, rights, visit, form, record)
