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
from django.utils import timezone

from equipoise.interchange.odm_clinical import FormRow
from equipoise.interchange.odm_metadata import event_oid
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
