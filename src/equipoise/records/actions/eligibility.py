"""Evaluate and store eligibility, and re-screen a screen-failed patient as a new attempt."""

from __future__ import annotations

from typing import Any, Literal

from django.db import transaction
from django.utils import timezone

from equipoise.eligibility.evaluator import check_eligibility, compiled_criteria
from equipoise.eligibility.record import InputError
from equipoise.eligibility.report import as_json
from equipoise.records.actions.errors import ActionRefused
from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.models import EligibilityAssessment, FormRecord, Subject, SubjectStatus
from equipoise.records.protocol_versions import current_version, loaded_of
from equipoise.records.roles import Role
from equipoise.records.visits_setup import baseline_visit, ensure_screening_visit, screening_visit

Stage = Literal["screening", "randomization"]
SCREENING_FORM = "screening"
# Screening variables filled from the CLASI scored at a visit, when that CLASI exists.
CLASI_SOURCES = {"clasi_a_screening": "screening", "clasi_a_randomization": "baseline"}


def screening_values(subject: Subject) -> dict[str, Any]:
    """The screening record of the current attempt, with CLASI-A totals taken from the CLASI forms."""
    scr = screening_visit(subject)
    record = FormRecord.objects.filter(visit=scr, form_id=SCREENING_FORM).first()
    values = dict(record.data) if record else {}
    for variable, kind in CLASI_SOURCES.items():
        visit = scr if kind == "screening" else baseline_visit(subject)
        clasi = FormRecord.objects.filter(visit=visit, form_id="clasi").first()
        if clasi and clasi.derived.get("clasi_a") is not None:
            values[variable] = clasi.derived["clasi_a"]
    return values


def assess_eligibility(actor: Actor, subject: Subject, stage: Stage) -> EligibilityAssessment:
    if actor.role != Role.INVESTIGATOR:
        raise ActionRefused("only an investigator assesses eligibility", status=403)
    if subject.status not in (SubjectStatus.SCREENING, SubjectStatus.SCREEN_FAILED) and stage == "screening":
        raise ActionRefused(f"subject is {subject.status}; screening is over", status=409)
    version = current_version(subject.protocol_id)
    loaded = loaded_of(version)
    try:
        result = check_eligibility(loaded, screening_values(subject))
    except InputError as exc:
        raise ActionRefused(str(exc), [{"field": exc.key or "record", "rule": "type", "message": str(exc)}]) from None
    evidence = as_json(result, compiled_criteria(loaded).fields)
    label = f"{subject.protocol_id} v{version.number}"
    evidence["protocol_version"] = label
    with transaction.atomic():
        assessment = EligibilityAssessment.objects.create(
            subject=subject, attempt=subject.screening_attempt, stage=stage, verdict=result.verdict,
            result=evidence, protocol_version=version, evaluated_at=timezone.now(), evaluated_by=actor.user,
        )
        changes: dict[str, list[Any]] = {"verdict": [None, result.verdict]}
        if stage == "screening":
            new_status = SubjectStatus.SCREEN_FAILED if result.verdict == "not_eligible" else SubjectStatus.SCREENING
            if new_status != subject.status:
                changes["status"] = [subject.status, new_status]
                subject.status = new_status
                subject.save(update_fields=["status"])
        failed = [c["id"] for c in evidence["criteria"]
                  if (c["kind"] == "inclusion" and c["status"] == "not_met")
                  or (c["kind"] == "exclusion" and c["status"] == "met")]
        if failed:
            changes["failed_criteria"] = [None, failed]
        record_event(actor, f"eligibility.{stage}", "eligibility", assessment.pk, subject_code=subject.code,
                     site_code=subject.site.code, changes=changes, protocol_version=label)
    return assessment


def latest_assessment(subject: Subject, stage: Stage) -> EligibilityAssessment | None:
    return (EligibilityAssessment.objects.filter(subject=subject, stage=stage, attempt=subject.screening_attempt)
            .order_by("-evaluated_at", "-id").first())


def rescreen(actor: Actor, subject: Subject, reason: str) -> Subject:
    """A screen-failed patient screened again: a new attempt on the same coded subject."""
    if actor.role != Role.INVESTIGATOR:
        raise ActionRefused("only an investigator re-screens a patient", status=403)
    if subject.status != SubjectStatus.SCREEN_FAILED:
        raise ActionRefused(f"only a screen-failed subject is re-screened (this one is {subject.status})", status=409)
    if not reason.strip():
        raise ActionRefused("a reason is required to re-screen",
                            [{"field": "reason", "rule": "required", "message": "reason is required"}])
    version = current_version(subject.protocol_id)
    with transaction.atomic():
        old = subject.screening_attempt
        subject.screening_attempt += 1
        subject.status = SubjectStatus.SCREENING
        subject.save(update_fields=["screening_attempt", "status"])
        ensure_screening_visit(subject)
        record_event(actor, "subject.rescreen", "subject", subject.code, subject_code=subject.code,
                     site_code=subject.site.code, reason=reason.strip(),
                     changes={"screening_attempt": [old, subject.screening_attempt],
                              "status": [SubjectStatus.SCREEN_FAILED, SubjectStatus.SCREENING]},
                     protocol_version=f"{subject.protocol_id} v{version.number}")
    return subject
