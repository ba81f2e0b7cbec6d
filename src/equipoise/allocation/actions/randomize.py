"""Randomize one subject: the next free slot of their stratum, taken under a row lock.

Order of events, and why:

1. Cheap refusals first (role, an existing allocation, status, no list loaded).
2. One transaction takes, in this fixed order, the subject row and the site row with
   `SELECT ... FOR UPDATE`, re-checks that the subject has no allocation, reads the screening
   record once (consent, then the stratum's variables), assesses and stores
   the eligibility verdict at randomization (a "not eligible" verdict commits the assessment
   alone, then refuses with the reasons), locks the stratum's first free slot, marks it used,
   appends the ledger row, sets the status, dates the visit schedule and appends the audit event.
   The fixed order (subject, site, audit head, slot) matches the other writers (subject creation
   locks the site, then the audit head), which rules out deadlocks; the site lock also numbers
   allocations per site without gaps or doubles; the unique constraints on `Allocation.subject`
   and `Allocation.slot` back the locks up.
   On PostgreSQL the locks serialize competing requests; on SQLite, transactions start
   IMMEDIATE (settings), so writers queue on the database lock instead.
3. A writer that still meets a lock error (SQLite's busy timeout, a PostgreSQL deadlock or
   serialization failure) retries the whole transaction a few times rather than failing the
   request: nothing was written by the attempt that failed.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from equipoise.allocation.models import Allocation, ListSlot, ListWarning, RandomizationList
from equipoise.allocation.notifications import send_low_list_warning
from equipoise.allocation.stratum import configured_stratification
from equipoise.protocol.schema import Protocol
from equipoise.randomization.strata import StratificationError
from equipoise.records.actions.eligibility import assess_eligibility, screening_values
from equipoise.records.actions.errors import ActionRefused
from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.models import (
    EligibilityAssessment,
    ProtocolVersion,
    Site,
    Subject,
    SubjectStatus,
)
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.records.roles import Role
from equipoise.records.visits_setup import create_schedule
from equipoise.visits.localtime import trial_date

ATTEMPTS = 4


def randomization_number(site_code: str, sequence: int) -> str:
    """`R-TNN-0001`: the site and the site's allocation count; says nothing about the arm."""
    return f"R-{site_code}-{sequence:04d}"


def eligibility_refusal(assessment: EligibilityAssessment) -> ActionRefused:
    """The 422 refusal listing each failed criterion and each missing variable, in words."""
    errors: list[dict[str, Any]] = []
    for c in assessment.result.get("criteria", []):
        failed = (c["kind"] == "inclusion" and c["status"] == "not_met") or (
            c["kind"] == "exclusion" and c["status"] == "met")
        if failed:
            errors.append({"field": c["id"], "rule": "criterion", "message": c["reason"]["en"],
                           "message_fr": c["reason"]["fr"]})
    for variable in assessment.result.get("missing", []):
        errors.append({"field": variable, "rule": "required",
                       "message": f"{variable} is needed to decide eligibility at randomization"})
    verdict = assessment.verdict.replace("_", " ")
    return ActionRefused(f"the subject is not eligible for randomization (verdict: {verdict})", errors, status=422)


def randomize_subject(actor: Actor, subject: Subject, now: dt.datetime | None = None) -> tuple[Allocation, bool]:
    """Allocate `subject` (or return their existing allocation, created False).

    `now` is the allocation time (default: the clock); the visit schedule is dated from its
    Europe/Paris day. Only demonstrations and tests pass another time.
    """
    if actor.role != Role.INVESTIGATOR:
        raise ActionRefused("only an investigator randomizes a subject", status=403)
    existing = Allocation.objects.filter(subject=subject).first()
    if existing is not None:
        return existing, False
    _check_status(subject)
    version = current_version(subject.protocol_id)
    protocol = protocol_of(version)
    if protocol.randomization.method != "permuted_blocks":
        raise ActionRefused(f"randomization.method {protocol.randomization.method!r} is not served by a list",
                            status=409)
    rlist = RandomizationList.objects.filter(active=True).first()
    if rlist is None:
        raise ActionRefused("no randomization list is loaded; the statistician must load the committed list",
                            status=409)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            outcome = _allocate(actor, subject.pk, rlist, version, protocol, now or timezone.now())
            break
        except (OperationalError, IntegrityError):
            # IntegrityError: a competing request won the unique constraint first; the retry
            # finds its allocation and returns it. OperationalError: lock timeout or deadlock.
            if attempt == ATTEMPTS:
                raise
            time.sleep(0.05 * attempt)
    if isinstance(outcome, EligibilityAssessment):
        raise eligibility_refusal(outcome)
    return outcome


def _check_consent(values: dict[str, Any]) -> None:
    if values.get("consent_signed") is not True:
        raise ActionRefused(
            "written informed consent is not recorded as signed on the screening form",
            [{"field": "consent_signed", "rule": "required",
              "message": f"consent_signed is {values.get('consent_signed')!r}; it must be true (IN03)"}],
            status=422)


def _check_status(subject: Subject) -> None:
    if subject.status != SubjectStatus.SCREENING:
        raise ActionRefused(f"subject {subject.code} is {subject.status}; only a subject in screening is randomized",
                            [{"field": "status", "rule": "state", "message": f"status is {subject.status}"}],
                            status=409)


def _allocate(
    actor: Actor, subject_pk: int, rlist: RandomizationList, version: ProtocolVersion, protocol: Protocol,
    now: dt.datetime,
) -> tuple[Allocation, bool] | EligibilityAssessment:
    """The locked part. Returns the stored assessment (committed) when the subject is not eligible."""
    with transaction.atomic():
        subject = Subject.objects.select_for_update().select_related("site").get(pk=subject_pk)
        existing = Allocation.objects.filter(subject=subject).first()
        if existing is not None:
            return existing, False
        _check_status(subject)
        values = screening_values(subject)
        _check_consent(values)
        site = Site.objects.select_for_update().get(pk=subject.site_id)
        # Assessed under the subject and site locks, so that simultaneous requests for one subject
        # queue here instead of racing each other into the audit ledger.
        assessment = assess_eligibility(actor, subject, "randomization")
        if assessment.verdict != "eligible":
            return assessment
        try:
            stratification = configured_stratification(protocol)
            stratum = stratification.label(stratification.subject_levels(site.code, values))
        except StratificationError as exc:
            raise ActionRefused(str(exc), [{"field": "stratum", "rule": "stratification", "message": str(exc)}],
                                status=422) from None
        free = ListSlot.objects.filter(rlist=rlist, stratum=stratum, used_at__isnull=True)
        slot = free.select_for_update().order_by("position").first()
        total = ListSlot.objects.filter(rlist=rlist, stratum=stratum).count()
        if slot is None:
            raise ActionRefused(
                f"stratum {stratum}: all {total} slots of the randomization list are used; the statistician "
                "must generate and commit an extension before anyone else is randomized in this stratum",
                [{"field": "stratum", "rule": "exhausted", "message": f"stratum {stratum} has no free slot"}],
                status=409)
        used_before = total - free.count()
        if slot.position != used_before + 1:
            # The list is consumed strictly in order; anything else means the table was tampered with.
            raise ActionRefused(f"stratum {stratum}: next free slot is position {slot.position} but "
                                f"{used_before} slots are used; randomization stopped, investigate", status=409)
        slot.used_at = now
        slot.subject = subject
        slot.save(update_fields=["used_at", "subject"])
        sequence = Allocation.objects.filter(subject__site=site).count() + 1
        allocation = Allocation.objects.create(
            subject=subject, slot=slot, number=randomization_number(site.code, sequence), arm=slot.arm,
            stratum=stratum, allocated_at=now, user=actor.user, protocol_version=version,
        )
        subject.status = SubjectStatus.RANDOMIZED
        subject.save(update_fields=["status"])
        create_schedule(subject, trial_date(now))
        # The arm stays out of the audit event: the ledger row it points to holds it, behind the policy.
        record_event(actor, "subject.randomize", "allocation", allocation.pk, subject_code=subject.code,
                     site_code=site.code,
                     changes={"randomization_number": [None, allocation.number], "stratum": [None, stratum],
                              "status": [SubjectStatus.SCREENING, SubjectStatus.RANDOMIZED],
                              "list_sha256": [None, rlist.sha256]},
                     protocol_version=f"{subject.protocol_id} v{version.number}")
        _warn_if_low(rlist, stratum, slot.position, total, protocol.randomization.low_list_warning_fraction)
    return allocation, True


def _warn_if_low(rlist: RandomizationList, stratum: str, used: int, total: int, fraction: float) -> None:
    """Flag the stratum once when it reaches the protocol's warning fraction; mail after commit."""
    if used < fraction * total or ListWarning.objects.filter(rlist=rlist, stratum=stratum).exists():
        return
    ListWarning.objects.create(rlist=rlist, stratum=stratum, used=used, total=total, notified_at=timezone.now())
    transaction.on_commit(lambda: send_low_list_warning(stratum, used, total, fraction))
