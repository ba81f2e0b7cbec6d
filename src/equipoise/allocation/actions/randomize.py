"""Randomize one subject: the next free slot of their stratum, taken under a row lock.

Order of events, and why:

1. Cheap refusals first (role, a method that is not served by a list).
2. One transaction locks the subject's row (`SELECT ... FOR UPDATE`) and re-reads its status
   and allocation, reads the screening record once (consent, then the stratum's variables),
   judges the eligibility verdict at randomization (a "not eligible" verdict is stored and
   committed alone, then refused with the reasons), locks the stratum's first free slot of the
   active list, counts the allocation at the site (an `UPDATE` of the site row, which numbers
   allocations per site without gaps or doubles), then stores the verdict with its evidence,
   marks the slot used, appends the ledger row, sets the status, dates the visit schedule and
   appends both audit events.
   Locks are always taken in the order subject, slot, site, audit head; the other writers keep
   to that order too (subject creation: site, then audit head), which rules out deadlocks.
   The unique constraints on `Allocation.subject` and `Allocation.slot` back the locks up.
   On PostgreSQL the locks serialize competing requests; on SQLite, transactions start
   IMMEDIATE (settings), so writers queue on the database lock instead.
   The reads are single hand-written statements (`allocation.locked_reads`) and the writes go
   through `records.statements`; the five writes after the slot lock go `together` (one
   statement on PostgreSQL). An allocation runs about a dozen statements in all.
3. A writer that still meets a lock error (SQLite's busy timeout, a PostgreSQL deadlock or
   serialization failure) retries the whole transaction a few times rather than failing the
   request: nothing was written by the attempt that failed.
"""

from __future__ import annotations

import datetime as dt
import time
from functools import partial
from typing import Any

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from equipoise.allocation.locked_reads import (
    lock_next_free_slot,
    lock_subject,
    next_allocation_sequence,
    stratum_usage,
)
from equipoise.allocation.models import Allocation, ListSlot, ListWarning, RandomizationList
from equipoise.allocation.notifications import send_low_list_warning
from equipoise.allocation.stratum import subject_stratum
from equipoise.protocol.schema import Protocol
from equipoise.randomization.strata import StratificationError
from equipoise.records import statements
from equipoise.records.actions.eligibility import (
    assessment_entry,
    judge_eligibility,
    screening_values,
)
from equipoise.records.actions.errors import ActionRefused
from equipoise.records.actor import Actor
from equipoise.records.audit import AuditEntry, record_events
from equipoise.records.models import (
    EligibilityAssessment,
    ProtocolVersion,
    Subject,
    SubjectStatus,
)
from equipoise.records.permissions import Do, may
from equipoise.records.protocol_versions import protocol_of, under_version_in_force
from equipoise.records.visits_setup import scheduling
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
    if not may(actor.role, Do.RANDOMIZE):
        raise ActionRefused("only an investigator randomizes a subject", status=403)
    outcome = under_version_in_force(subject.protocol_id, partial(_randomize, actor, subject, now or timezone.now()))
    if isinstance(outcome, EligibilityAssessment):
        # Raised out here, after the version check: the verdict is committed, and a refusal
        # must not make `under_version_in_force` judge the subject a second time.
        raise eligibility_refusal(outcome)
    return outcome


def _randomize(
    actor: Actor, subject: Subject, now: dt.datetime, version: ProtocolVersion,
) -> tuple[Allocation, bool] | EligibilityAssessment:
    protocol = protocol_of(version)
    if protocol.randomization.method != "permuted_blocks":
        raise ActionRefused(f"randomization.method {protocol.randomization.method!r} is not served by a list",
                            status=409)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            outcome = _allocate(actor, subject, version, protocol, now)
            break
        except (OperationalError, IntegrityError):
            # IntegrityError: a competing request won the unique constraint first; the retry
            # finds its allocation and returns it. OperationalError: lock timeout or deadlock.
            if attempt == ATTEMPTS:
                raise
            time.sleep(0.05 * attempt)
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
    actor: Actor, subject: Subject, version: ProtocolVersion, protocol: Protocol, now: dt.datetime,
) -> tuple[Allocation, bool] | EligibilityAssessment:
    """The locked part. Returns the stored assessment (committed) when the subject is not eligible."""
    with transaction.atomic():
        locked = lock_subject(subject.pk)
        if locked.allocation_id is not None:
            return Allocation.objects.get(pk=locked.allocation_id), False
        subject.status, subject.screening_attempt = locked.status, locked.screening_attempt
        _check_status(subject)
        values = screening_values(subject, protocol)
        _check_consent(values)
        # Judged under the subject lock, so that simultaneous requests for one subject queue
        # here instead of racing each other into the audit ledger.
        assessment = judge_eligibility(actor, subject, "randomization", version, values)
        if assessment.verdict != "eligible":
            statements.insert(assessment)
            record_events(actor, [assessment_entry(assessment)], checked=version)
            return assessment
        site_code = subject.site.code
        try:
            stratum = subject_stratum(protocol, site_code, values)
        except StratificationError as exc:
            raise ActionRefused(str(exc), [{"field": "stratum", "rule": "stratification", "message": str(exc)}],
                                status=422) from None
        slot = lock_next_free_slot(stratum)
        if slot is None:
            raise _no_free_slot(stratum)
        used, total = stratum_usage(slot.rlist_id, stratum)
        if slot.position != used + 1:
            # The list is consumed strictly in order; anything else means the table was tampered with.
            raise ActionRefused(f"stratum {stratum}: next free slot is position {slot.position} but "
                                f"{used} slots are used; randomization stopped, investigate", status=409)
        number = randomization_number(site_code, next_allocation_sequence(subject.site_id))
        allocation = Allocation(subject=subject, slot_id=slot.id, number=number, arm=slot.arm, stratum=stratum,
                                allocated_at=now, user=actor.user, protocol_version=version)
        statements.together([
            statements.inserting(assessment),
            statements.updating_values(ListSlot, slot.id, used_at=now, subject_id=subject.pk),
            statements.inserting(allocation),
            statements.updating_values(Subject, subject.pk, status=SubjectStatus.RANDOMIZED),
            scheduling(subject, trial_date(now), protocol),
        ])
        subject.status = SubjectStatus.RANDOMIZED
        # The arm stays out of the audit event: the ledger row it points to holds it, behind the policy.
        record_events(actor, [assessment_entry(assessment), AuditEntry(
            "subject.randomize", "allocation", allocation.pk, subject_code=subject.code, site_code=site_code,
            changes={"randomization_number": [None, number], "stratum": [None, stratum],
                     "status": [SubjectStatus.SCREENING, SubjectStatus.RANDOMIZED],
                     "list_sha256": [None, slot.list_sha256]},
            protocol_version=f"{subject.protocol_id} v{version.number}")], checked=version)
        _warn_if_low(stratum, slot.position, total, protocol.randomization.low_list_warning_fraction)
    return allocation, True


def _no_free_slot(stratum: str) -> ActionRefused:
    """Why no slot was found: no list is loaded, or the stratum's part of the active list is used up."""
    rlist = RandomizationList.objects.filter(active=True).first()
    if rlist is None:
        return ActionRefused("no randomization list is loaded; the statistician must load the committed list",
                             status=409)
    total = ListSlot.objects.filter(rlist=rlist, stratum=stratum).count()
    return ActionRefused(
        f"stratum {stratum}: all {total} slots of the randomization list are used; the statistician "
        "must generate and commit an extension before anyone else is randomized in this stratum",
        [{"field": "stratum", "rule": "exhausted", "message": f"stratum {stratum} has no free slot"}],
        status=409)


def _warn_if_low(stratum: str, used: int, total: int, fraction: float) -> None:
    """Flag the stratum once when it reaches the protocol's warning fraction; mail after commit."""
    if used < fraction * total:
        return
    rlist = RandomizationList.objects.get(active=True)
    if ListWarning.objects.filter(rlist=rlist, stratum=stratum).exists():
        return
    ListWarning.objects.create(rlist=rlist, stratum=stratum, used=used, total=total, notified_at=timezone.now())
    # Robust: the allocation is committed whatever happens to the mail (the warning row shows on
    # the statistician's page); a failure is logged rather than turned into a failed request.
    transaction.on_commit(lambda: send_low_list_warning(stratum, used, total, fraction), robust=True)
