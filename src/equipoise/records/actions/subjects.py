"""Create coded subjects: site code plus a per-site sequence, nothing that identifies a person."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.models import Site, Subject
from equipoise.records.protocol_versions import current_version
from equipoise.records.visits_setup import ensure_screening_visit


def subject_code(site_code: str, sequence: int) -> str:
    return f"{site_code}-{sequence:04d}"


def create_subject(actor: Actor, site: Site, protocol_id: str) -> Subject:
    version = current_version(protocol_id)
    with transaction.atomic():
        locked = Site.objects.select_for_update().get(pk=site.pk)
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
