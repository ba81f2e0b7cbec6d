"""Coded subjects: creation (site code plus a per-site sequence, nothing that identifies a person)
and the end of a randomized patient's participation."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from equipoise.records.actions.errors import ActionRefused, FieldError
from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import EndOutcome, Site, SiteRecruitment, Subject, SubjectStatus
from equipoise.records.permissions import Do, may, who_may
from equipoise.records.protocol_versions import protocol_of, version_for_write
from equipoise.records.visits_setup import ensure_screening_visit
from equipoise.visits.localtime import trial_date


def subject_code(site_code: str, sequence: int) -> str:
    return f"{site_code}-{sequence:04d}"


def create_subject(actor: Actor, site: Site, protocol_id: str) -> Subject:
    if not may(actor.role, Do.CREATE_SUBJECT):
        raise ActionRefused(f"only the {who_may(Do.CREATE_SUBJECT)} creates subjects, not the {actor.role}",
                            status=403)
    with transaction.atomic(durable=True):
        version = version_for_write(protocol_id)
        if Site.objects.get(pk=site.pk).recruitment != SiteRecruitment.RECRUITING:
            raise ActionRefused(f"site {site.code} is not open for recruitment "
                                f"({site.get_recruitment_display()}); no new patient can be screened there",
                                status=409)
        Site.objects.filter(pk=site.pk).update(subject_sequence=F("subject_sequence") + 1)
        locked = Site.objects.get(pk=site.pk)
        subject = Subject.objects.create(
            code=subject_code(locked.code, locked.subject_sequence),
            site=locked,
            protocol_id=protocol_id,
            created_at=timezone.now(),
        )
        ensure_screening_visit(subject, protocol_of(version))
        record_event(
            actor, AuditAction.SUBJECT_CREATE, "subject", subject.code, subject_code=subject.code,
            site_code=locked.code, changes={"code": [None, subject.code]},
            protocol_version=str(version),
        )
    return subject


AFTER_RANDOMIZATION: dict[str, str] = {
    EndOutcome.COMPLETED: SubjectStatus.COMPLETED,
    EndOutcome.WITHDREW_CONSENT: SubjectStatus.WITHDRAWN,
    EndOutcome.INVESTIGATOR_DECISION: SubjectStatus.WITHDRAWN,
    EndOutcome.LOST_TO_FOLLOW_UP: SubjectStatus.LOST_TO_FOLLOW_UP,
    EndOutcome.DEATH: SubjectStatus.DIED,
}
"""The outcome of a randomized patient's participation, and the status it leaves."""
BEFORE_RANDOMIZATION: dict[str, str] = {
    EndOutcome.DECLINED: SubjectStatus.WITHDRAWN,
    EndOutcome.OTHER: SubjectStatus.WITHDRAWN,
}
"""A patient still in screening who leaves: declined, or another reason (CONSORT "excluded")."""


def end_participation(actor: Actor, subject: Subject, outcome: str, ended_on: dt.date, reason: str,
                      now: dt.datetime | None = None) -> Subject:
    """A patient's participation ends. A randomized patient completed the study, withdrew consent,
    was withdrawn by the investigator, was lost to follow-up or died; a patient still in screening
    declined or left for another reason. The date is required, and a reason for every outcome but
    "completed"; the CONSORT diagram and the reports count each outcome. A death also needs its
    serious adverse event: `treatment.actions.death.record_death` records both together."""
    with transaction.atomic(durable=True):
        return ending_participation(actor, subject, outcome, ended_on, reason, now)


def ending_participation(actor: Actor, subject: Subject, outcome: str, ended_on: dt.date, reason: str,
                         now: dt.datetime | None = None) -> Subject:
    """`end_participation` inside the caller's transaction: for an action that ends a participation
    together with another record (a death with its serious adverse event)."""
    version = version_for_write(subject.protocol_id)
    subject.refresh_from_db(fields=["status"])
    if not may(actor.role, Do.END_PARTICIPATION):
        raise ActionRefused("only an investigator records the end of a patient's participation", status=403)
    allowed = AFTER_RANDOMIZATION if subject.status == SubjectStatus.RANDOMIZED else BEFORE_RANDOMIZATION
    if outcome not in {**AFTER_RANDOMIZATION, **BEFORE_RANDOMIZATION}:
        raise ActionRefused(f"outcome {outcome!r} is not one of {', '.join(allowed)}",
                            [FieldError("outcome", "choices", f"one of {', '.join(allowed)}", message_fr=f"une de ces issues : {', '.join(allowed)}")])
    if subject.status not in (SubjectStatus.RANDOMIZED, SubjectStatus.SCREENING):
        raise ActionRefused(f"subject {subject.code} is {subject.status}; their participation has already ended",
                            status=409)
    if outcome not in allowed:
        when = "a randomized patient" if subject.status == SubjectStatus.RANDOMIZED else "a patient in screening"
        raise ActionRefused(f"outcome {outcome!r} is not for {when} (one of {', '.join(allowed)})",
                            [FieldError("outcome", "choices", f"one of {', '.join(allowed)}", message_fr=f"une de ces issues : {', '.join(allowed)}")],
                            status=409)
    today = trial_date(now or timezone.now())
    if ended_on > today:
        raise ActionRefused(f"ended_on {ended_on} is in the future",
                            [FieldError("ended_on", "not_future", f"{ended_on} is after {today}", message_fr=f"le {ended_on} est postérieur à aujourd'hui ({today})")])
    if not reason.strip() and outcome != EndOutcome.COMPLETED:
        raise ActionRefused("a reason is required",
                            [FieldError("reason", "required", "reason is required", message_fr="la raison est obligatoire")])
    old = subject.status
    subject.status = allowed[outcome]
    subject.end_outcome = outcome
    subject.participation_ended_on = ended_on
    subject.participation_end_reason = reason.strip()
    subject.save(update_fields=["status", "end_outcome", "participation_ended_on", "participation_end_reason"])
    record_event(actor, AuditAction.SUBJECT_END_PARTICIPATION, "subject", subject.code, subject_code=subject.code,
                 site_code=subject.site.code, reason=reason.strip(),
                 changes={"status": [old, subject.status], "end_outcome": [None, outcome],
                          "participation_ended_on": [None, ended_on.isoformat()]},
                 protocol_version=str(version))
    return subject
