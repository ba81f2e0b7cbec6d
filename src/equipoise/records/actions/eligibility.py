"""Evaluate and store eligibility, and re-screen a screen-failed patient as a new attempt."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from equipoise.eligibility.evaluator import check_eligibility, compiled_criteria
from equipoise.eligibility.record import InputError
from equipoise.eligibility.report import as_json
from equipoise.eligibility.verdict import Verdict
from equipoise.protocol.schema import Protocol
from equipoise.records.actions.errors import ActionRefused, FieldError
from equipoise.records.actor import Actor
from equipoise.records.audit import AuditEntry, record_event, record_events
from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import (
    AssessmentStage,
    EligibilityAssessment,
    FormRecord,
    ProtocolVersion,
    Subject,
    SubjectStatus,
)
from equipoise.records.permissions import Do, may
from equipoise.records.protocol_versions import (
    current_version,
    loaded_of,
    protocol_of,
    version_for_write,
)
from equipoise.records.screening_log import failed_criteria
from equipoise.records.visits_setup import ensure_screening_visit

SCREENING_FORM = "screening"
# Screening variables filled from the CLASI scored at a visit, when that CLASI exists.
CLASI_SOURCES = {"clasi_a_screening": "screening", "clasi_a_randomization": "baseline"}


def screening_values(subject: Subject, protocol: Protocol | None = None) -> dict[str, Any]:
    """The screening record of the current attempt, with CLASI-A totals taken from the CLASI forms.

    One query reads the screening visit's screening and CLASI forms and the baseline visit's CLASI.
    """
    protocol = protocol or protocol_of(current_version(subject.protocol_id))
    kinds: dict[str, str] = {v.kind: v.id for v in protocol.schedule.visits}
    rows = FormRecord.objects.filter(
        Q(visit__visit_id=kinds["screening"], visit__attempt=subject.screening_attempt)
        | Q(visit__visit_id=kinds["baseline"], visit__attempt=1),
        subject=subject, visit__scheduled=True, form_id__in=(SCREENING_FORM, "clasi"),
    ).values_list("visit__visit_id", "form_id", "data", "derived")
    forms = {(visit_id, form_id): (data, derived) for visit_id, form_id, data, derived in rows}
    values = dict(forms.get((kinds["screening"], SCREENING_FORM), ({}, {}))[0])
    for variable, kind in CLASI_SOURCES.items():
        clasi_derived = forms.get((kinds[kind], "clasi"), ({}, {}))[1]
        if clasi_derived.get("clasi_a") is not None:
            values[variable] = clasi_derived["clasi_a"]
    return values


def assess_eligibility(actor: Actor, subject: Subject, stage: AssessmentStage) -> EligibilityAssessment:
    if not may(actor.role, Do.SCREEN_SUBJECT):
        raise ActionRefused("only an investigator assesses eligibility", status=403)
    with transaction.atomic(durable=True):
        version = version_for_write(subject.protocol_id)
        subject.refresh_from_db(fields=["status", "screening_attempt"])
        if subject.status not in (SubjectStatus.SCREENING, SubjectStatus.SCREEN_FAILED) and stage == AssessmentStage.SCREENING:
            raise ActionRefused(f"subject is {subject.status}; screening is over", status=409)
        values = screening_values(subject, protocol_of(version))
        assessment, entry = store_assessment(actor, subject, stage, version, values)
        if stage == AssessmentStage.SCREENING:
            _follow_screening_verdict(subject, assessment, entry)
        record_events(actor, [entry])
    return assessment


def _follow_screening_verdict(subject: Subject, assessment: EligibilityAssessment, entry: AuditEntry) -> None:
    """A screening verdict moves the status: not eligible fails screening, any other keeps (or puts
    back) the patient in screening; a change is recorded in the verdict's audit entry."""
    new_status = SubjectStatus.SCREEN_FAILED if assessment.verdict == Verdict.NOT_ELIGIBLE else SubjectStatus.SCREENING
    if new_status != subject.status:
        entry.changes["status"] = [subject.status, new_status]
        subject.status = new_status
        subject.save(update_fields=["status"])


def used_values_changed(result: dict[str, Any], values: dict[str, Any]) -> list[str]:
    """The variables a stored verdict used (or lacked) whose value is different now."""
    used: dict[str, Any] = {}
    for criterion in result.get("criteria", []):
        used.update(criterion.get("inputs") or {})
    changed = [name for name, value in used.items() if values.get(name) != value]
    changed += [name for name in result.get("missing", []) if values.get(name) is not None and name not in used]
    return sorted(set(changed))


def reevaluate_if_stale(actor: Actor, subject: Subject) -> EligibilityAssessment | None:
    """Re-judge a patient in screening when a variable the latest screening verdict used has
    changed (a corrected screening form, a new CLASI total), so no stale verdict stands until
    someone clicks "Evaluate". Called by the write path after a save; the new verdict is stored,
    audited with the variables that changed, and moves the status like an evaluation would."""
    with transaction.atomic(durable=True):
        version = version_for_write(subject.protocol_id)
        subject = Subject.objects.get(pk=subject.pk)
        if subject.status not in (SubjectStatus.SCREENING, SubjectStatus.SCREEN_FAILED):
            return None
        latest = latest_assessment(subject, AssessmentStage.SCREENING)
        if latest is None:
            return None
        values = screening_values(subject, protocol_of(version))
        changed = used_values_changed(latest.result, values)
        if not changed:
            return None
        assessment, entry = store_assessment(actor, subject, AssessmentStage.SCREENING, version, values)
        entry = replace(entry, reason=f"re-evaluated automatically: {', '.join(changed)} changed")
        _follow_screening_verdict(subject, assessment, entry)
        record_events(actor, [entry])
    return assessment


def judge_eligibility(
    actor: Actor, subject: Subject, stage: AssessmentStage, version: ProtocolVersion, values: dict[str, Any],
) -> EligibilityAssessment:
    """Judge `values` against the version's criteria: the verdict with its evidence, not yet stored."""
    loaded = loaded_of(version)
    try:
        result = check_eligibility(loaded, values)
    except InputError as exc:
        raise ActionRefused(str(exc), [FieldError(exc.key or "record", "type", str(exc))]) from None
    evidence = as_json(result, compiled_criteria(loaded).fields)
    evidence["protocol_version"] = f"{subject.protocol_id} v{version.number}"
    return EligibilityAssessment(
        subject=subject, attempt=subject.screening_attempt, stage=stage, verdict=result.verdict,
        result=evidence, failed_criteria=failed_criteria(evidence), missing_variables=list(evidence["missing"]),
        protocol_version=version, evaluated_at=timezone.now(), evaluated_by=actor.user,
    )


def assessment_entry(assessment: EligibilityAssessment) -> AuditEntry:
    """The audit event of a stored assessment: its verdict and the criteria that failed."""
    evidence, subject = assessment.result, assessment.subject
    changes: dict[str, Any] = {"verdict": [None, assessment.verdict]}
    if assessment.failed_criteria:
        changes["failed_criteria"] = [None, list(assessment.failed_criteria)]
    return AuditEntry(AuditAction.eligibility(assessment.stage), "eligibility", assessment.pk, subject_code=subject.code,
                      site_code=subject.site.code, changes=changes, protocol_version=evidence["protocol_version"])


def store_assessment(
    actor: Actor, subject: Subject, stage: AssessmentStage, version: ProtocolVersion, values: dict[str, Any],
) -> tuple[EligibilityAssessment, AuditEntry]:
    """Judge `values` and store the verdict with its evidence, in the caller's transaction.

    Returns the audit entry for the caller to append with its own, so that one lock of the
    chain head covers them all.
    """
    assessment = judge_eligibility(actor, subject, stage, version, values)
    assessment.save(force_insert=True)
    return assessment, assessment_entry(assessment)


def latest_assessment(subject: Subject, stage: AssessmentStage) -> EligibilityAssessment | None:
    return (EligibilityAssessment.objects.filter(subject=subject, stage=stage, attempt=subject.screening_attempt)
            .order_by("-evaluated_at", "-id").first())


def rescreen(actor: Actor, subject: Subject, reason: str) -> Subject:
    """A screen-failed patient screened again: a new attempt on the same coded subject."""
    if not may(actor.role, Do.SCREEN_SUBJECT):
        raise ActionRefused("only an investigator re-screens a patient", status=403)
    if not reason.strip():
        raise ActionRefused("a reason is required to re-screen",
                            [FieldError("reason", "required", "reason is required")])
    with transaction.atomic(durable=True):
        version = version_for_write(subject.protocol_id)
        subject.refresh_from_db(fields=["status", "screening_attempt"])
        if subject.status != SubjectStatus.SCREEN_FAILED:
            raise ActionRefused(f"only a screen-failed subject is re-screened (this one is {subject.status})",
                                status=409)
        old = subject.screening_attempt
        subject.screening_attempt += 1
        subject.status = SubjectStatus.SCREENING
        subject.save(update_fields=["screening_attempt", "status"])
        ensure_screening_visit(subject, protocol_of(version))
        record_event(actor, AuditAction.SUBJECT_RESCREEN, "subject", subject.code, subject_code=subject.code,
                     site_code=subject.site.code, reason=reason.strip(),
                     changes={"screening_attempt": [old, subject.screening_attempt],
                              "status": [SubjectStatus.SCREEN_FAILED, SubjectStatus.SCREENING]},
                     protocol_version=str(version))
    return subject
