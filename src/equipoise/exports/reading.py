"""Read the trial database for the exports: in chunks, as plain values, as known at a cut-off.

A cut-off date means "what the database held at the end of that day, Paris time": a form's values
are those of its last revision saved before then; subjects, visits, allocations, dispensings and
adverse events count only if recorded before then. Every query streams (`iterator(chunk_size)`)
in subject order, so the writers hold one subject at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone, translation

from equipoise.interchange.odm_clinical import FormRow, location_oid, user_oid
from equipoise.interchange.odm_metadata import event_oid
from equipoise.interchange.odm_treatment import TreatmentRecord
from equipoise.interchange.odm_writer import Audit
from equipoise.interchange.signatures import SignatureFact
from equipoise.protocol.schema import Protocol
from equipoise.records.models import FormRevision, ProtocolVersion
from equipoise.visits.localtime import TRIAL_TIMEZONE

CHUNK = 2000


@dataclass(frozen=True)
class Cutoff:
    """The data cut-off: the date asked for (None: now) and the instant it ends."""

    date: dt.date | None
    end: dt.datetime

    @classmethod
    def at(cls, date: dt.date | None, now: dt.datetime | None = None) -> Cutoff:
        if date is None:
            return cls(None, now or timezone.now())
        midnight = dt.datetime.combine(date + dt.timedelta(days=1), dt.time(0), tzinfo=TRIAL_TIMEZONE)
        return cls(date, midnight)

    @property
    def label(self) -> str:
        return self.date.isoformat() if self.date else "now"

    @property
    def last_day(self) -> dt.date:
        return self.date or self.end.astimezone(TRIAL_TIMEZONE).date()


def versions(protocol_id: str, cutoff: Cutoff) -> list[ProtocolVersion]:
    """The protocol versions loaded before the cut-off, oldest first (each is a MetaDataVersion)."""
    return list(ProtocolVersion.objects.filter(protocol_id=protocol_id, loaded_at__lt=cutoff.end).order_by("number"))


def repeat_key(visit_id: str, scheduled: bool, attempt: int, protocol: Protocol) -> str | None:
    if not scheduled:
        return str(attempt)
    kinds = {v.id: v.kind for v in protocol.schedule.visits}
    return str(attempt) if kinds.get(visit_id) == "screening" else None


_REVISION_FIELDS = ("id", "record_id", "revision", "data", "reason", "at", "user__username",
                    "record__form_id", "record__subject__code", "record__subject__site__code",
                    "record__visit__visit_id", "record__visit__scheduled", "record__visit__attempt")
_ORDER = ("record__subject__code", "record__visit__sequence", "record__visit_id", "record__form_id", "revision")


def _form_row(values: tuple[Any, ...], protocol: Protocol, derived: dict[str, Any] | None = None) -> FormRow:
    (_, record_id, revision, data, reason, at, username, form_id, subject, site, visit_id, scheduled,
     attempt) = values
    return FormRow(subject=subject, site=site, event_oid=event_oid(visit_id if scheduled else None),
                   repeat_key=repeat_key(visit_id, scheduled, attempt, protocol), form_id=form_id,
                   record_id=record_id, revision=revision, data=data, username=username, at=at, reason=reason,
                   derived=derived)


def _revisions_of(protocol_id: str):
    return FormRevision.objects.filter(record__subject__protocol_id=protocol_id)


def revision_rows(protocol_id: str, version: ProtocolVersion, protocol: Protocol, cutoff: Cutoff,
                  forms: frozenset[str] | None = None) -> Iterator[FormRow]:
    """Every revision saved under `version` before the cut-off, in subject, visit, form order."""
    query = _revisions_of(protocol_id).filter(protocol_version=version, at__lt=cutoff.end)
    if forms is not None:
        query = query.filter(record__form_id__in=forms)
    for values in query.order_by(*_ORDER).values_list(*_REVISION_FIELDS).iterator(chunk_size=CHUNK):
        yield _form_row(values, protocol)


def previous_data(record_id: int, revision: int) -> dict[str, Any]:
    return FormRevision.objects.values_list("data", flat=True).get(record_id=record_id, revision=revision)


def latest_revisions(protocol_id: str, cutoff: Cutoff, forms: frozenset[str] | None = None):
    """The revisions in force at the cut-off: per form record, the last one saved before it."""
    later = FormRevision.objects.filter(record=OuterRef("record"), revision__gt=OuterRef("revision"),
                                        at__lt=cutoff.end)
    query = _revisions_of(protocol_id).filter(at__lt=cutoff.end).filter(~Exists(later))
    if forms is not None:
        query = query.filter(record__form_id__in=forms)
    return query


def snapshot_rows(protocol_id: str, version: ProtocolVersion, protocol: Protocol, cutoff: Cutoff,
                  forms: frozenset[str] | None = None) -> Iterator[FormRow]:
    """The values in force at the cut-off of the form records last saved under `version`,
    with their derived scores."""
    form_defs = {f.id: f for f in protocol.forms}
    query = latest_revisions(protocol_id, cutoff, forms).filter(protocol_version=version)
    fields = (*_REVISION_FIELDS, "record__revision", "record__derived")
    for *values, current, stored in query.order_by(*_ORDER).values_list(*fields).iterator(chunk_size=CHUNK):
        yield _form_row(tuple(values), protocol, derived_in_force(form_defs[values[7]], values[3], values[2],
                                                                  current, stored))


def derived_in_force(form, data: dict[str, Any], revision: int, current: int, stored: dict[str, Any]
                     ) -> dict[str, Any]:
    """The derived scores of a revision: those stored with the record when the revision is the
    record's current one (computed when it was saved), else computed again from its values."""
    from equipoise.records.derived_values import derive_all

    return stored if revision == current else derive_all(form, data)


def database_last_modified(cutoff: Cutoff) -> dt.datetime | None:
    from equipoise.records.models import AuditEvent

    return (AuditEvent.objects.filter(at__lt=cutoff.end).order_by("-sequence").values_list("at", flat=True)
            .first())


def signature_state(signature, cutoff: Cutoff) -> str:
    """Whether a signature stood at the cut-off: `invalidated` by a change saved before it, `broken`
    when the signed content no longer hashes to the signed hash, else `valid`. At "now" the
    signed records are hashed again too (people's own check, one query per signature)."""
    from equipoise.people.actions.signatures import status
    from equipoise.people.signed_content import content_hash

    if signature.invalidated_at is not None and signature.invalidated_at < cutoff.end:
        return "invalidated"
    if cutoff.date is None:
        return status(signature)
    return "valid" if content_hash(signature.content) == signature.content_sha256 else "broken"


def signature_facts(protocol_id: str, protocol: Protocol, cutoff: Cutoff) -> Iterator[SignatureFact]:
    """The signatures given before the cut-off, in subject-code order, as the exports see them."""
    from equipoise.people.models import Signature

    query = (Signature.objects.filter(subject__protocol_id=protocol_id, signed_at__lt=cutoff.end)
             .select_related("subject__site", "visit", "signer").order_by("subject__code", "signed_at", "id"))
    meanings = dict(signature_meanings())
    for s in query.iterator(chunk_size=500):
        visit = s.visit
        yield SignatureFact(
            subject=s.subject.code, site=s.subject.site.code,
            event_oid=None if visit is None else event_oid(visit.visit_id if visit.scheduled else None),
            repeat_key=None if visit is None else repeat_key(visit.visit_id, visit.scheduled, visit.attempt, protocol),
            username=s.signer.get_username(), printed_name=s.printed_name, role=s.role, meaning_code=s.meaning,
            meaning=meanings.get(s.meaning, s.meaning), at=s.signed_at, state=signature_state(s, cutoff),
            invalidated_by=s.invalidated_by if s.invalidated_at is not None and s.invalidated_at < cutoff.end else "",
            visit=None if visit is None else (visit.visit_id, visit.scheduled, visit.attempt, visit.done_date),
            content_sha256=s.content_sha256)


def signature_meanings() -> list[tuple[str, str]]:
    """(code, English text) of every signature meaning, for the ODM SignatureDefs."""
    from equipoise.people.models import SignatureMeaning

    with translation.override("en"):
        return [(str(m.value), str(m.label)) for m in SignatureMeaning]


def _causality(causality: dict[str, Any] | None) -> str:
    return "; ".join(f"{drug}: {verdict}" for drug, verdict in sorted((causality or {}).items()))


def treatment_records(protocol_id: str, version: ProtocolVersion, cutoff: Cutoff) -> Iterator[TreatmentRecord]:
    """The adverse events and dispensings recorded under `version` before the cut-off, in subject-code
    order (a subject's adverse events, then its dispensings)."""
    from equipoise.treatment.models import AdverseEvent, Dispensing

    events = (AdverseEvent.objects.filter(subject__protocol_id=protocol_id, protocol_version=version,
                                          reported_at__lt=cutoff.end)
              .order_by("subject__code", "onset_date", "id")
              .values_list("subject__code", "subject__site__code", "id", "term", "onset_date", "end_date", "grade",
                           "seriousness", "special_interest", "related_to_study_drug", "causality", "action_taken",
                           "outcome", "reported_by__username", "reported_at").iterator(chunk_size=CHUNK))
    doses = (Dispensing.objects.filter(subject__protocol_id=protocol_id, protocol_version=version,
                                       created_at__lt=cutoff.end)
             .order_by("subject__code", "dispensed_on", "id")
             .values_list("subject__code", "subject__site__code", "id", "dispensed_on", "prescription__drug",
                          "prescription__dose_mg", "prescription__frequency", "prescription__days", "tablets",
                          "prescription__auxiliary", "prescription__auxiliary_dose_mg", "auxiliary_tablets",
                          "dispenser__username", "created_at").iterator(chunk_size=CHUNK))
    last_day = cutoff.last_day

    def adverse(row: tuple[Any, ...]) -> TreatmentRecord:
        (code, site, pk, term, onset, end, grade, seriousness, special, related, causality, action, outcome,
         username, at) = row
        return TreatmentRecord(code, site, "AE", pk, {
            "term": term, "onset_date": onset, "end_date": end if end and end <= last_day else None, "grade": grade,
            "seriousness": ", ".join(seriousness or ()), "special_interest": ", ".join(special or ()),
            "related_to_study_drug": related, "causality": _causality(causality), "action_taken": action,
            "outcome": outcome}, Audit(user_oid(username), location_oid(site), at, source_id="adverse event report"))

    def dispensed(row: tuple[Any, ...]) -> TreatmentRecord:
        code, site, pk, on, drug, dose, freq, days, tablets, aux, aux_dose, aux_tablets, username, at = row
        return TreatmentRecord(code, site, "DISPENSING", pk, {
            "dispensed_on": on, "drug": drug, "dose_mg": dose, "frequency": freq, "days": days, "tablets": tablets,
            "auxiliary": aux, "auxiliary_dose_mg": aux_dose, "auxiliary_tablets": aux_tablets if aux else None},
            Audit(user_oid(username), location_oid(site), at, source_id="dispensing"))

    # Merge the two streams by subject code: each subject's adverse events, then its dispensings.
    ae, dose = next(events, None), next(doses, None)
    while ae is not None or dose is not None:
        if ae is not None and (dose is None or ae[0] <= dose[0]):
            yield adverse(ae)
            ae = next(events, None)
        elif dose is not None:
            yield dispensed(dose)
            dose = next(doses, None)
