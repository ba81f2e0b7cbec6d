"""Build the analysis dataset from the live database at a data cut-off.

`build_dataset(cutoff)` runs a fixed number of queries whatever the number of subjects (one per
table: subjects, allocations, assessments, form records, visits, stops, adverse events,
dispensings), turns each row into a plain value of `mapping`, and lets `mapping.assemble` apply
the extraction rules (documented there). Nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from equipoise.allocation.models import Allocation
from equipoise.protocol.schema import Protocol
from equipoise.records.loaded_protocols import chosen_protocol_id
from equipoise.records.models import EligibilityAssessment, FormRecord, Subject, Visit
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.stats.analysis_dataset import AnalysisDataset
from equipoise.stats_db.mapping import (
    AeRow,
    AllocationRow,
    AssessmentRow,
    FormRow,
    Rows,
    StopRow,
    SubjectRow,
    VisitRow,
    assemble,
    effective_day,
)
from equipoise.stats_db.trial_context import TrialContext, trial_context
from equipoise.treatment.models import AdverseEvent, Dispensing, DoseChange, DoseChangeKind
from equipoise.visits.localtime import trial_date

# The forms the dataset reads; the others (labs, NRS...) are not part of the analysis dataset yet.
FORMS = ("screening", "clasi", "dlqi", "steroid_dose")


def current_protocol(protocol_id: str) -> Protocol:
    return protocol_of(current_version(protocol_id))


def read_rows(protocol_id: str) -> Rows:
    """Every row the dataset may need, as plain values (no cut-off applied yet)."""
    subjects = Subject.objects.filter(protocol_id=protocol_id)
    subject_rows = [
        SubjectRow(pk=s.pk, code=s.code, site=s.site.code, status=s.status, screening_attempt=s.screening_attempt,
                   ended_on=s.participation_ended_on, end_reason=s.participation_end_reason,
                   end_outcome=s.end_outcome)
        for s in subjects.select_related("site")
    ]
    allocations = [
        AllocationRow(subject_pk=a.subject_id, arm=a.arm, stratum=a.stratum, randomized_on=trial_date(a.allocated_at))
        for a in Allocation.objects.filter(subject__in=subjects)
    ]
    # The stored summary of each verdict, not its full evidence (every criterion's inputs and reasons).
    assessments = [
        AssessmentRow(subject_pk=subject_pk, attempt=attempt, stage=stage, verdict=verdict,
                      failed=tuple(failed), evaluated_on=trial_date(evaluated_at))
        for subject_pk, attempt, stage, verdict, failed, evaluated_at in (
            EligibilityAssessment.objects.filter(subject__in=subjects).order_by("evaluated_at", "id")
            .values_list("subject_id", "attempt", "stage", "verdict", "failed_criteria", "evaluated_at"))
    ]
    forms = [
        FormRow(subject_pk=r.subject_id, visit_id=r.visit.visit_id, scheduled=r.visit.scheduled,
                attempt=r.visit.attempt, form_id=r.form_id, day=effective_day(r.visit.done_date, trial_date(r.updated_at)),
                data=r.data, derived=r.derived)
        for r in FormRecord.objects.filter(subject__in=subjects, form_id__in=FORMS).select_related("visit")
        .order_by("subject_id", "visit__sequence", "id")
    ]
    visits = [
        VisitRow(subject_pk=v.subject_id, visit_id=v.visit_id, done_date=v.done_date,
                 earliest_date=v.earliest_date, latest_date=v.latest_date)
        for v in Visit.objects.filter(subject__in=subjects, scheduled=True)
    ]
    return Rows(subjects=subject_rows, allocations=allocations, assessments=assessments, forms=forms,
                visits=visits, stops=treatment_stops(subjects), adverse_events=treatment_adverse_events(subjects),
                dispensed_on=dispensing_days(subjects))


def treatment_stops(subjects) -> list[StopRow]:
    """Definitive study-drug stops from the treatment ledger, with the adverse event they name."""
    rows = []
    for change in (DoseChange.objects.filter(subject__in=subjects, kind=DoseChangeKind.STOP)
                   .select_related("adverse_event").order_by("effective_on", "id")):
        ae = change.adverse_event
        rows.append(StopRow(
            subject_pk=change.subject_id, effective_on=change.effective_on, reason=change.reason,
            ae_special_interest=tuple(ae.special_interest) if ae is not None else None,
            ae_related=ae.related_to_study_drug if ae is not None else None,
        ))
    return rows


def treatment_adverse_events(subjects) -> list[AeRow]:
    return [
        AeRow(subject_pk=ae.subject_id, term=ae.term, grade=ae.grade, serious=ae.serious,
              special_interest=tuple(ae.special_interest), onset_date=ae.onset_date,
              reported_on=trial_date(ae.reported_at))
        for ae in AdverseEvent.objects.filter(subject__in=subjects).order_by("onset_date", "id")
    ]


def dispensing_days(subjects) -> dict[int, list[dt.date]]:
    days: dict[int, list[dt.date]] = defaultdict(list)
    for subject_pk, day in Dispensing.objects.filter(subject__in=subjects).values_list("subject_id", "dispensed_on"):
        days[subject_pk].append(day)
    return dict(days)


def build_dataset(cutoff: dt.date, protocol_id: str | None = None,
                  context: TrialContext | None = None) -> AnalysisDataset:
    """The analysis dataset of `protocol_id` (default: the only protocol loaded) as known on the
    `cutoff` day (Europe/Paris)."""
    if not isinstance(cutoff, dt.date) or isinstance(cutoff, dt.datetime):
        raise TypeError(f"cutoff must be a calendar date (got {cutoff!r})")
    protocol_id = chosen_protocol_id(protocol_id)
    context = context or trial_context(current_protocol(protocol_id))
    return assemble(read_rows(protocol_id), context, cutoff)
