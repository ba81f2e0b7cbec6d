"""Find one form of one subject at one visit for a caller, as the form pages do.

The subject comes from `subject_access` (404 + audit for other sites, 403 for read-only writes);
a form the blinded assessor does not fill in is answered 404, exactly like an unknown form, so
the assessor cannot even learn which other forms hold data.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet, Subquery
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


def _visits_at(subject: Subject, key: str) -> QuerySet[Visit]:
    """The visits a key names, first by schedule order (a number names one visit; a protocol visit id
    may name several screening attempts: the first in the schedule is meant)."""
    visits = Visit.objects.filter(subject=subject)
    chosen = visits.filter(pk=int(key)) if key.isdigit() else visits.filter(visit_id=key, scheduled=True)
    # The subject is fixed: its schedule order needs no join to the subject (Meta.ordering would add one).
    return chosen.order_by("sequence", "id")


def visit_of(subject: Subject, key: str) -> Visit:
    """A visit by its number (any visit) or by the protocol's visit id (scheduled visits only).

    Protocol visit ids start with a letter, so the two kinds of key cannot be confused.
    """
    visit = _visits_at(subject, key).first()
    if visit is None:
        raise Http404(f"subject {subject.code} has no visit {key}")
    return visit


def record_at(subject: Subject, visit_key: str, form_id: str) -> FormRecord | None:
    """The form's record at the visit `visit_of` would find, with its visit and protocol version, in
    one query; the protocol version's source files (tens of kilobytes of JSON) are not read."""
    first_visit = _visits_at(subject, visit_key).values("pk")[:1]
    record = (FormRecord.objects.filter(visit=Subquery(first_visit), form_id=form_id)
              .select_related("visit", "protocol_version").defer("protocol_version__source")
              .order_by("pk").first())
    if record is not None and record.subject_id == subject.pk:
        record.subject = subject  # the same row, already read with its site
    return record


def form_context(request: ApiRequest, code: str, visit_key: str, form_id: str, *, write: bool) -> FormContext:
    subject, rights = subject_access(request.auth, code, write=write,
                                     request_id=getattr(request, "request_id", ""))
    record = record_at(subject, visit_key, form_id)
    visit = record.visit if record is not None else visit_of(subject, visit_key)
    protocol = protocol_of(current_version(subject.protocol_id))
    if form_id not in {f.id for f in protocol.forms}:
        raise Http404(f"no form {form_id}")
    form = protocol.form(form_id)
    if not may_open_form(rights, form):
        raise Http404(f"no form {form_id}")
    return FormContext(subject, rights, visit, form, record)
