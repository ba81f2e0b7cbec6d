"""Coded subjects: creation (site code plus a per-site sequence, nothing that identifies a person)
and the end of a randomized patient's participation."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from equipoise.records.actions.errors import ActionRefused
from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.models import Site, SiteRecruitment, Subject, SubjectStatus
from equipoise.records.protocol_versions import current_version
from equipoise.records.roles import Role
from equipoise.records.visits_setup import ensure_screening_visit
from equipoise.visits.localtime import trial_date


def subject_code(site_code: str, sequence: int) -> str:
    return f"{site_code}-{sequence:04d}"


def create_subject(actor: Actor, site: Site, protocol_id: str) -> Subject:
    version = current_version(protocol_id)
    with transaction.atomic():
        locked = Site.objects.select_for_update().get(pk=site.pk)
        if locked.recruitment != SiteRecruitment.RECRUITING:
            raise ActionRefused(f"site {locked.code} is not open for recruitment "
                                f"({locked.get_recruitment_display()}); no new patient can be screened there",
                                status=409)
        locked.subject_sequence += 1
        locked.save(update_fields=["subject_sequence"])
        subject = Subject.objects.create(
            code=subject_code(locked.code, locked.subject_sequence),
            site=locked,
            protocol_id=protocol_id,
            created_at=timezone.now(),
        )
        ensure_screening_visit(subject)
        record_event(
            actor, "subject.create", "subject", subject.code, subject_code=subject.code,
            site_code=locked.code, changes={"code": [None, subject.code]},
            protocol_version=f"{protocol_id} v{version.number}",
        )
    return subject


ENDINGS = (SubjectStatus.WITHDRAWN, SubjectStatus.LOST_TO_FOLLOW_UP)


def end_participation(actor: Actor, subject: Subject, outcome: str, ended_on: dt.date, reason: str,
                      now: dt.datetime | None = None) -> Subject:
    """A randomized patient leaves the study: withdrawn (consent or investigator's decision) or
    lost to follow-up. The date and the reason are required; the CONSORT diagram counts both."""
    if actor.role != Role.INVESTIGATOR:
        raise ActionRefused("only an investigator records the end of a patient's participation", status=403)
    if outcome not in ENDINGS:
        raise ActionRefused(f"outcome {outcome!r} is not one of {', '.join(ENDINGS)}",
                            [{"field": "outcome", "rule": "choices", "message": f"one of {', '.join(ENDINGS)}"}])
    if subject.status != SubjectStatus.RANDOMIZED:
        raise ActionRefused(f"subject {subject.code} is {subject.status}; only a randomized patient leaves the study",
                            status=409)
    today = trial_date(now or timezone.now())
    if ended_on > today:
        raise ActionRefused(f"ended_on {ended_on} is in the future",
                            [{"field": "ended_on", "rule": "not_future", "message": f"{ended_on} is after {today}"}])
    if not reason.strip():
        raise ActionRefused("a reason is required",
                            [{"field": "reason", "rule": "required", "message": "reason is required"}])
    version = current_version(subject.protocol_id)
    with transaction.atomic():
        old = subject.status
        subject.status = outcome
        subject.participation_ended_on = ended_on
        subject.participation_end_reason = reason.strip()
        subject.save(update_fields=["status", "participation_ended_on", "participation_end_reason"])
        record_event(actor, "subject.end_participation", "subject", subject.code, subject_code=subject.code,
                     site_code=subject.site.code, reason=reason.strip(),
                     changes={"status": [old, outcome], "participation_ended_on": [None, ended_on.isoformat()]},
                     protocol_version=f"{subject.protocol_id} v{version.number}")
    return subject
