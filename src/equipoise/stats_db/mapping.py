"""From plain database rows to the analysis dataset: every rule of the extraction, without the ORM.

`extract.build_dataset` reads the rows (a fixed number of queries) and calls `assemble`; the
rules below are testable on hand-made rows. Each rule is a documented choice:

Cut-off. Everything is taken as known on the cut-off day (a Europe/Paris calendar date):
randomizations allocated on or before it, eligibility assessments evaluated on or before it,
visits whose date is on or before it (the visit's `done_date`, or the form record's last update
when the visit is not marked done), study-drug stops effective on or before it, adverse events
with onset and report on or before it, dispensings on or before it.

Screening log (CONSORT counts people, so one entry per person): the person's latest screening
attempt with an assessment; its latest screening-stage verdict, replaced by a later
randomization-stage verdict of the same attempt when there is one (a patient eligible at
screening whose W0 CLASI-A falls below the threshold is excluded for that criterion). An
eligible person not randomized at the cut-off is noted "awaiting randomization at the cut-off".

Scores by visit (dated by the CLASI's own assessment date when recorded): CLASI-A / CLASI-D
from the clasi form's derived values, DLQI from the dlqi
form's `dlqi_total`, at the scheduled visits that carry CLASI (baseline first); a derived value
that is None (record incomplete) is not a measurement.

Study-drug stop reason (the treatment app stores the reason as free text, optionally linked to
an adverse event): linked to a patient's pregnancy -> pregnancy; linked to an adverse event
related to the study drug -> toxicity, to an unrelated one -> adverse_event; otherwise by
keywords of the reason (efficacy -> lack_of_efficacy; toxicity or intolerance -> toxicity;
pregnancy -> pregnancy; consent -> withdrew_consent), else other. A structured reason code in
the treatment app would remove the keyword step (reported to the lead).

Withdrawal and loss to follow-up: the subject's recorded end of participation (its outcome:
withdrew consent, withdrawn by the investigator or death count as discontinued, lost to follow-up
apart, completed neither; with its date and reason), counted when it falls on or before the
cut-off. A person who left screening before randomization (declined, or another reason) by the
cut-off is excluded with that reason; any other person not randomized is still in screening.

Received the allocated intervention: at least one dispensing (a dispensing can only be of the
allocated arm's regimen).

Per-protocol set (our assumption, kept simple): randomized, eligible at randomization (the
randomization-stage verdict), received the allocated intervention, and no major deviation -
where the only major deviation the system records today is the primary-endpoint visit done
outside its protocol window.

Rescue therapy: any steroid_dose record (scheduled or unscheduled visit, up to the cut-off) with
`rescue_systemic_therapy` true.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from equipoise.eligibility.verdict import Verdict
from equipoise.records.models import AssessmentStage, SubjectStatus
from equipoise.stats.analysis_dataset import (
    AdverseEvent,
    AnalysisDataset,
    Baseline,
    DatasetError,
    ScreeningEntry,
    SubjectRecord,
)
from equipoise.stats_db.trial_context import TrialContext

PREGNANCY_OF_PATIENT = "pregnancy_patient"
# The end-of-participation outcome a status implies, when none was recorded.
OUTCOME_OF_STATUS: dict[str, str] = {
    SubjectStatus.WITHDRAWN: "withdrew_consent", SubjectStatus.LOST_TO_FOLLOW_UP: "lost_to_follow_up",
    SubjectStatus.COMPLETED: "completed", SubjectStatus.DIED: "death"}
SCREENING_EXITS = ("declined", "other")
DISCONTINUATIONS = ("withdrew_consent", "investigator_decision", "death")
AWAITING = "awaiting randomization at the cut-off"
STOP_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("lack_of_efficacy", ("efficacy", "inefficacy", "ineffective", "inefficacité", "inefficace")),
    ("toxicity", ("toxicity", "toxicité", "intolerance", "intolérance")),
    ("pregnancy", ("pregnan", "grossesse")),
    ("withdrew_consent", ("consent",)),
)
ASSUMPTIONS: tuple[str, ...] = (
    "Per-protocol set: randomized, eligible at randomization, received the allocated intervention, "
    "and the primary-endpoint visit not done outside its window (the only major deviation recorded).",
    "Study-drug stop reasons are classified from the linked adverse event, else from keywords of the "
    "free-text reason.",
    "Withdrawal and loss to follow-up are the investigator's recorded end of participation, "
    "counted when dated on or before the cut-off.",
    "Rescue systemic therapy at any visit up to the cut-off makes the subject a rescue case.",
)


class ExtractionError(ValueError):
    """A record the analysis cannot use: names the subject, the field, the value and the rule."""

    def __init__(self, subject: str, field_name: str, value: object, rule: str):
        self.subject, self.field, self.value, self.rule = subject, field_name, value, rule
        super().__init__(f"subject {subject}: {field_name} {rule} (got {value!r})")


@dataclass(frozen=True)
class SubjectRow:
    pk: int
    code: str
    site: str
    status: str
    screening_attempt: int
    ended_on: dt.date | None = None
    end_reason: str = ""
    end_outcome: str = ""


@dataclass(frozen=True)
class AllocationRow:
    subject_pk: int
    arm: str
    stratum: str
    randomized_on: dt.date


@dataclass(frozen=True)
class AssessmentRow:
    subject_pk: int
    attempt: int
    stage: str
    verdict: str
    failed: tuple[str, ...]
    evaluated_on: dt.date


@dataclass(frozen=True)
class FormRow:
    subject_pk: int
    visit_id: str
    scheduled: bool
    attempt: int
    form_id: str
    day: dt.date
    data: Mapping[str, Any] = field(default_factory=dict)
    derived: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VisitRow:
    subject_pk: int
    visit_id: str
    done_date: dt.date | None
    earliest_date: dt.date | None
    latest_date: dt.date | None


@dataclass(frozen=True)
class StopRow:
    subject_pk: int
    effective_on: dt.date
    reason: str
    ae_special_interest: tuple[str, ...] | None = None  # None: the stop names no adverse event
    ae_related: bool | None = None


@dataclass(frozen=True)
class AeRow:
    subject_pk: int
    term: str
    grade: int
    serious: bool
    special_interest: tuple[str, ...]
    onset_date: dt.date
    reported_on: dt.date


@dataclass(frozen=True)
class Rows:
    """Everything `assemble` reads, as the database holds it (not yet cut off).

    `assessments` must be in evaluation order (the moment, then the row id).
    """

    subjects: Sequence[SubjectRow]
    allocations: Sequence[AllocationRow]
    assessments: Sequence[AssessmentRow]
    forms: Sequence[FormRow]
    visits: Sequence[VisitRow]
    stops: Sequence[StopRow] = ()
    adverse_events: Sequence[AeRow] = ()
    dispensed_on: Mapping[int, Sequence[dt.date]] = field(default_factory=dict)


def effective_day(done_date: dt.date | None, updated_on: dt.date) -> dt.date:
    """The day a visit's data counts from: the visit's done date, else the record's last update."""
    return done_date if done_date is not None else updated_on


def screening_entry(
    subject: SubjectRow, assessments: Sequence[AssessmentRow], randomized: bool, cutoff: dt.date
) -> ScreeningEntry | None:
    """The person's CONSORT screening outcome at the cut-off, or None if never assessed by then."""
    known = [a for a in assessments if a.evaluated_on <= cutoff]
    if not known:
        return None
    attempt = max(a.attempt for a in known)
    # Rows come in evaluation order, so the attempt's last assessment is its latest screening
    # verdict, or the randomization verdict given after it.
    decisive = [a for a in known if a.attempt == attempt][-1]
    verdict = decisive.verdict
    left = (subject.end_outcome if not randomized and subject.end_outcome in SCREENING_EXITS
            and subject.ended_on is not None and subject.ended_on <= cutoff else None)
    note = AWAITING if verdict == Verdict.ELIGIBLE and not randomized and left is None else None
    if left is not None:
        note = subject.end_reason or None
    failed = decisive.failed if verdict == Verdict.NOT_ELIGIBLE else ()
    return ScreeningEntry(subject_id=subject.code, site=subject.site, verdict=verdict, failed_criteria=failed,
                          note=note, left=left)


def measured_on(row: FormRow) -> dt.date:
    """The day a form's measurement was made: a CLASI's own assessment date when recorded (not the
    visit's nominal or recorded day), else the row's day."""
    text = row.data.get("assessment_date") if row.form_id == "clasi" else None
    try:
        return dt.date.fromisoformat(text) if isinstance(text, str) else row.day
    except ValueError:
        return row.day


def scores_by_visit(forms: Iterable[FormRow], form_id: str, key: str, visits: Sequence[str],
                    cutoff: dt.date) -> dict[str, int]:
    """`derived[key]` of `form_id` at each scheduled visit of `visits` dated on or before the cut-off."""
    out: dict[str, int] = {}
    for row in forms:
        if row.form_id != form_id or not row.scheduled or row.visit_id not in visits or measured_on(row) > cutoff:
            continue
        value = row.derived.get(key)
        if value is not None:
            out[row.visit_id] = int(value)
    return {v: out[v] for v in visits if v in out}


def stop_reason(stop: StopRow) -> str:
    """Map a study-drug stop to one of the dataset's STOP_REASONS (rules in the module docstring)."""
    if stop.ae_special_interest is not None:
        if PREGNANCY_OF_PATIENT in stop.ae_special_interest:
            return "pregnancy"
        return "toxicity" if stop.ae_related else "adverse_event"
    text = stop.reason.lower()
    for reason, words in STOP_KEYWORDS:
        if any(w in text for w in words):
            return reason
    return "other"


def baseline(code: str, screening: Mapping[str, Any], clasi_a: int | None, clasi_d: int | None,
             dlqi_total: int | None, prednisone: float | None) -> Baseline:
    """Baseline characteristics: demographics from the screening record, scores from W0."""
    for name in ("age_years", "sex", "sle_associated"):
        if screening.get(name) is None:
            raise ExtractionError(code, f"screening.{name}", None, "is required for a randomized subject")
    months = screening.get("antimalarial_stable_months")
    try:
        return Baseline(
            age_years=int(screening["age_years"]), sex=screening["sex"], sle_associated=screening["sle_associated"],
            clasi_a=clasi_a, clasi_d=clasi_d, dlqi_total=dlqi_total, prednisone_mg_day=prednisone,
            antimalarial_stable_months=float(months) if months is not None else None,
        )
    except DatasetError as exc:
        raise ExtractionError(code, exc.path, exc.value, exc.rule) from None


def outside_window(visit: VisitRow | None) -> bool:
    """True when the visit was done before its earliest or after its latest date."""
    if visit is None or visit.done_date is None:
        return False
    early = visit.earliest_date is not None and visit.done_date < visit.earliest_date
    late = visit.latest_date is not None and visit.done_date > visit.latest_date
    return early or late


def per_protocol(eligible_at_randomization: bool, received: bool, primary_visit: VisitRow | None) -> bool:
    return eligible_at_randomization and received and not outside_window(primary_visit)


def _by_subject(rows: Iterable[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.subject_pk].append(row)
    return grouped


def _eligible_at_randomization(assessments: Sequence[AssessmentRow], cutoff: dt.date) -> bool:
    at_randomization = [a for a in assessments if a.stage == AssessmentStage.RANDOMIZATION and a.evaluated_on <= cutoff]
    return bool(at_randomization) and at_randomization[-1].verdict == Verdict.ELIGIBLE


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def subject_record(
    subject: SubjectRow, allocation: AllocationRow, context: TrialContext, cutoff: dt.date, *,
    forms: Sequence[FormRow], assessments: Sequence[AssessmentRow], visits: Sequence[VisitRow],
    stops: Sequence[StopRow], adverse_events: Sequence[AeRow], dispensed_on: Sequence[dt.date],
) -> SubjectRecord:
    """One randomized subject as the analyses see it on the cut-off day."""
    visit_ids = context.clasi_visits
    baseline_visit = visit_ids[0]
    screening_rows = [f for f in forms if f.form_id == "screening" and f.attempt == subject.screening_attempt]
    screening = screening_rows[-1].data if screening_rows else {}
    clasi_a = scores_by_visit(forms, "clasi", "clasi_a", visit_ids, cutoff)
    clasi_d = scores_by_visit(forms, "clasi", "clasi_d", visit_ids, cutoff)
    dlqi = scores_by_visit(forms, "dlqi", "dlqi_total", visit_ids, cutoff)
    steroid = {f.visit_id: f for f in forms if f.form_id == "steroid_dose" and f.scheduled and f.day <= cutoff}
    w0_steroid = steroid.get(baseline_visit)
    days: dict[str, int] = {}
    for f in sorted(forms, key=lambda f: f.form_id != "clasi"):  # the CLASI's own date first
        if f.scheduled and f.visit_id in visit_ids and measured_on(f) <= cutoff and f.form_id in ("clasi", "dlqi"):
            days.setdefault(f.visit_id, (measured_on(f) - allocation.randomized_on).days)
    rescue = any(f.data.get("rescue_systemic_therapy") is True for f in forms
                 if f.form_id == "steroid_dose" and f.day <= cutoff)
    known_stops = sorted((s for s in stops if s.effective_on <= cutoff), key=lambda s: s.effective_on)
    events = tuple(
        AdverseEvent(term=ae.term, grade=ae.grade, serious=ae.serious, special_interest=ae.special_interest)
        for ae in adverse_events if ae.onset_date <= cutoff and ae.reported_on <= cutoff
    )
    received = any(day <= cutoff for day in dispensed_on)
    primary = next((v for v in visits if v.visit_id == context.primary_visit), None)
    ended = subject.ended_on is not None and subject.ended_on <= cutoff
    outcome = subject.end_outcome or OUTCOME_OF_STATUS.get(subject.status, "")
    withdrawn = ended and outcome in DISCONTINUATIONS
    lost = ended and outcome == "lost_to_follow_up"
    return SubjectRecord(
        subject_id=subject.code, site=subject.site, stratum=allocation.stratum, arm=allocation.arm,
        randomized_on=allocation.randomized_on,
        baseline=baseline(subject.code, screening, clasi_a.get(baseline_visit), clasi_d.get(baseline_visit),
                          dlqi.get(baseline_visit),
                          _number(w0_steroid.data.get("prednisone_equivalent_mg_day")) if w0_steroid else None),
        clasi_a=clasi_a, clasi_d=clasi_d, dlqi=dlqi,
        visit_days={v: days[v] for v in visit_ids if v in days},
        received_allocated=received,
        stopped_drug_reason=stop_reason(known_stops[0]) if known_stops else None,
        rescue_therapy=rescue,
        lost_to_follow_up=lost,
        discontinued=withdrawn,
        discontinued_reason=subject.end_reason if withdrawn else None,
        end_outcome=outcome if ended and outcome else None,
        per_protocol=per_protocol(_eligible_at_randomization(assessments, cutoff), received, primary),
        adverse_events=events,
    )


def assemble(rows: Rows, context: TrialContext, cutoff: dt.date) -> AnalysisDataset:
    """The analysis dataset at `cutoff` from the rows (see the module docstring for every rule)."""
    allocations = {a.subject_pk: a for a in rows.allocations if a.randomized_on <= cutoff}
    assessments = _by_subject(rows.assessments)
    forms = _by_subject(rows.forms)
    visits = _by_subject(rows.visits)
    stops = _by_subject(rows.stops)
    events = _by_subject(rows.adverse_events)
    records, screening = [], []
    for subject in sorted(rows.subjects, key=lambda s: s.code):
        allocation = allocations.get(subject.pk)
        entry = screening_entry(subject, assessments.get(subject.pk, []), allocation is not None, cutoff)
        if entry is not None:
            screening.append(entry)
        if allocation is None:
            continue
        if allocation.arm not in context.arms:
            raise ExtractionError(subject.code, "allocation.arm", allocation.arm,
                                  f"must be one of the protocol arms {', '.join(context.arms)}")
        records.append(subject_record(
            subject, allocation, context, cutoff, forms=forms.get(subject.pk, []),
            assessments=assessments.get(subject.pk, []), visits=visits.get(subject.pk, []),
            stops=stops.get(subject.pk, []), adverse_events=events.get(subject.pk, []),
            dispensed_on=rows.dispensed_on.get(subject.pk, ()),
        ))
    return AnalysisDataset(trial_id=context.trial_id, data_cutoff=cutoff, arms=context.arms,
                           window_closes=context.window_closes,
                           visits=context.clasi_visits, subjects=tuple(records), screening=tuple(screening))
