"""Randomize one subject: the pure allocator decides, the database records, under one lock.

Order of events, and why:

1. The one cheap refusal first (only an investigator randomizes).
2. One transaction (`atomic(durable=True)`, owned here) takes the chain-head lock first, like
   every write, then reads the protocol version in force: nothing it judges can be superseded
   before it commits. Under that lock it re-reads the subject (an existing allocation is
   returned as it is), reads the screening record once (consent, then the stratum's
   variables), judges eligibility at randomization (a "not eligible" verdict is stored and
   committed alone, then refused with the reasons), and hands the stratum's slots of the
   active list and the ledger's earlier allocations in that stratum to the pure
   `randomization.allocation.BlockListAllocator`. It answers with the next slot, refuses a
   ledger that disagrees with the list (tampering), and says when the stratum's list runs low.
   The action then marks that slot used (only if still free), counts the allocation at the
   site with an `F()` update (numbers without gaps or doubles), stores the verdict, the
   ledger row, the status and the dated visit schedule, and appends both audit events.
   Every writer takes the chain-head lock first, so writes are serialized and cannot deadlock
   on each other; the unique constraints on `Allocation.subject` and `Allocation.slot` back
   the lock up. On SQLite, transactions start IMMEDIATE (settings), so writers queue on the
   database lock from BEGIN.
3. A writer that still meets a lock error (SQLite's busy timeout) retries the whole
   transaction a few times rather than failing the request: nothing was written by the
   attempt that failed.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.db import OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from equipoise.allocation.models import Allocation, ListSlot, ListWarning, RandomizationList
from equipoise.allocation.notifications import send_low_list_warning
from equipoise.protocol.schema import Protocol
from equipoise.randomization.allocation import Allocation as PureAllocation
from equipoise.randomization.allocation import AllocationConflict, allocator_for
from equipoise.randomization.blocks import ListExhausted
from equipoise.randomization.listfile import ListEntry
from equipoise.randomization.minimization import PriorAllocation
from equipoise.randomization.strata import (
    Stratification,
    StratificationError,
    stratification_from_protocol,
)
from equipoise.records.actions.eligibility import (
    assessment_entry,
    judge_eligibility,
    screening_values,
)
from equipoise.records.actions.errors import ActionRefused, FieldError
from equipoise.records.actor import Actor
from equipoise.records.audit import AuditEntry, record_events
from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import (
    AssessmentStage,
    EligibilityAssessment,
    Site,
    Subject,
    SubjectStatus,
)
from equipoise.records.permissions import Do, may
from equipoise.records.protocol_versions import lock_for_write, protocol_of
from equipoise.records.visits_setup import create_schedule
from equipoise.visits.localtime import trial_date

ATTEMPTS = 4


def randomization_number(site_code: str, sequence: int) -> str:
    """`R-TNN-0001`: the site and the site's allocation count; says nothing about the arm."""
    return f"R-{site_code}-{sequence:04d}"


def eligibility_refusal(assessment: EligibilityAssessment) -> ActionRefused:
    """The 422 refusal listing each failed criterion and each missing variable, in words."""
    errors: list[FieldError] = []
    for c in assessment.result.get("criteria", []):
        failed = (c["kind"] == "inclusion" and c["status"] == "not_met") or (
            c["kind"] == "exclusion" and c["status"] == "met")
        if failed:
            errors.append(FieldError(c["id"], "criterion", c["reason"]["en"], message_fr=c["reason"]["fr"]))
    for variable in assessment.result.get("missing", []):
        errors.append(FieldError(variable, "required", f"{variable} is needed to decide eligibility at randomization"))
    verdict = assessment.verdict.replace("_", " ")
    return ActionRefused(f"the subject is not eligible for randomization (verdict: {verdict})", errors, status=422)


def randomize_subject(actor: Actor, subject: Subject, now: dt.datetime | None = None) -> tuple[Allocation, bool]:
    """Allocate `subject` (or return their existing allocation, created False).

    `now` is the allocation time (default: the clock); the visit schedule is dated from its
    Europe/Paris day. Only demonstrations and tests pass another time.
    """
    if not may(actor.role, Do.RANDOMIZE):
        raise ActionRefused("only an investigator randomizes a subject", status=403)
    now = now or timezone.now()
    for attempt in range(1, ATTEMPTS + 1):
        try:
            outcome = _allocate(actor, subject, now)
            break
        except OperationalError:
            if attempt == ATTEMPTS:
                raise
            time.sleep(0.05 * attempt)
    if isinstance(outcome, EligibilityAssessment):
        raise eligibility_refusal(outcome)  # the verdict and its event are committed
    return outcome


def _check_consent(values: dict[str, Any]) -> None:
    if values.get("consent_signed") is not True:
        raise ActionRefused(
            "written informed consent is not recorded as signed on the screening form",
            [FieldError("consent_signed", "required", f"consent_signed is {values.get('consent_signed')!r}; it must be true (IN03)")],
            status=422)


def _check_status(subject: Subject) -> None:
    if subject.status != SubjectStatus.SCREENING:
        raise ActionRefused(f"subject {subject.code} is {subject.status}; only a subject in screening is randomized",
                            [FieldError("status", "state", f"status is {subject.status}")],
                            status=409)


def _allocate(actor: Actor, subject: Subject, now: dt.datetime) -> tuple[Allocation, bool] | EligibilityAssessment:
    """The transaction. Returns the stored assessment (committed) when the subject is not eligible."""
    with transaction.atomic(durable=True):
        # The head locked here is handed to the audit writer below: nothing between appends an event.
        head, version = lock_for_write(subject.protocol_id)
        protocol = protocol_of(version)
        if protocol.randomization.method != "permuted_blocks":
            raise ActionRefused(f"randomization.method {protocol.randomization.method!r} is not served by a list",
                                status=409)
        existing = Allocation.objects.filter(subject_id=subject.pk).first()
        if existing is not None:
            return existing, False
        subject.refresh_from_db(fields=["status", "screening_attempt"])
        _check_status(subject)
        values = screening_values(subject, protocol)
        _check_consent(values)
        assessment = judge_eligibility(actor, subject, AssessmentStage.RANDOMIZATION, version, values)
        if assessment.verdict != "eligible":
            assessment.save(force_insert=True)
            record_events(actor, [assessment_entry(assessment)], head=head)
            return assessment
        site = subject.site
        stratification = stratification_from_protocol(protocol, [site.code])
        try:
            levels = stratification.subject_levels(site.code, values)
        except StratificationError as exc:
            raise ActionRefused(str(exc), [FieldError("stratum", "stratification", str(exc))],
                                status=422) from None
        stratum = stratification.label(levels)
        rlist = RandomizationList.objects.filter(active=True, protocol_version__protocol_id=subject.protocol_id).first()
        if rlist is None:
            raise ActionRefused("no randomization list is loaded; the statistician must load the committed list",
                                status=409)
        decided = _decide(protocol, rlist, stratification, levels, stratum)
        slot = decided.slot
        assert slot is not None  # a block list always names the slot it gives
        taken = ListSlot.objects.filter(rlist=rlist, stratum=stratum, position=slot.position, used_at__isnull=True)
        slot_id = taken.values_list("id", flat=True).first()
        if slot_id is None or taken.update(used_at=now, subject=subject) != 1:
            raise _tampered(f"stratum {stratum}: slot {slot.position} is marked used but no allocation took it")
        Site.objects.filter(pk=site.pk).update(allocation_sequence=F("allocation_sequence") + 1)
        sequence = Site.objects.values_list("allocation_sequence", flat=True).get(pk=site.pk)
        number = randomization_number(site.code, sequence)
        assessment.save(force_insert=True)
        allocation = Allocation.objects.create(
            subject=subject, slot_id=slot_id, number=number, arm=decided.arm, stratum=stratum,
            allocated_at=now, user=actor.user, protocol_version=version)
        Subject.objects.filter(pk=subject.pk).update(status=SubjectStatus.RANDOMIZED)
        subject.status = SubjectStatus.RANDOMIZED
        create_schedule(subject, trial_date(now), protocol)
        # The arm stays out of the audit event: the ledger row it points to holds it, behind the policy.
        record_events(actor, [assessment_entry(assessment), AuditEntry(
            AuditAction.SUBJECT_RANDOMIZE, "allocation", allocation.pk, subject_code=subject.code,
            site_code=site.code,
            changes={"randomization_number": [None, number], "stratum": [None, stratum],
                     "status": [SubjectStatus.SCREENING, SubjectStatus.RANDOMIZED],
                     "list_sha256": [None, rlist.sha256]},
            protocol_version=str(version))], head=head)
        if decided.low_list:
            _warn_low(rlist, stratum, slot.position, slot.position + (decided.slots_left or 0),
                      protocol.randomization.low_list_warning_fraction)
    return allocation, True


def _decide(protocol: Protocol, rlist: RandomizationList, stratification: Stratification,
            levels: dict[str, str], stratum: str) -> PureAllocation:
    """Ask the pure allocator: the site's strata of the list, and the stratum's ledger so far."""
    entries = [ListEntry(*row) for row in ListSlot.objects.filter(rlist=rlist, stratum__in=stratification.strata())
               .order_by("stratum", "position").values_list("stratum", "position", "block", "block_size", "arm")]
    # The ledger in list order: each recorded arm is checked against its slot in the list.
    history = [PriorAllocation(levels, arm) for arm in Allocation.objects.filter(
        slot__rlist=rlist, stratum=stratum).order_by("slot__position").values_list("arm", flat=True)]
    try:
        allocator = allocator_for(protocol, stratification, entries)
        return allocator.allocate(levels, history, rng=_NoDraws())
    except ListExhausted:
        total = sum(1 for e in entries if e.stratum == stratum)
        raise ActionRefused(
            f"stratum {stratum}: all {total} slots of the randomization list are used; the statistician "
            "must generate and commit an extension before anyone else is randomized in this stratum",
            [FieldError("stratum", "exhausted", f"stratum {stratum} has no free slot")],
            status=409) from None
    except AllocationConflict as exc:
        raise _tampered(str(exc)) from None
    except ValueError as exc:  # the loaded list has no slots for this site's strata
        raise ActionRefused(f"stratum {stratum}: {exc}", [FieldError("stratum", "exhausted", str(exc))], status=409) from None


class _NoDraws:
    """The random source handed to a block-list allocator, which draws nothing: a draw is a bug."""

    def random(self) -> float:
        raise AssertionError("a block list allocates without random draws")


def _tampered(detail: str) -> ActionRefused:
    # The list is consumed strictly in order and the ledger matches it; anything else means the
    # tables were edited outside the application.
    return ActionRefused(f"{detail}; randomization stopped, investigate", status=409)


def _warn_low(rlist: RandomizationList, stratum: str, used: int, total: int, fraction: float) -> None:
    """Flag the stratum once when the allocator says its list runs low; mail after commit."""
    if ListWarning.objects.filter(rlist=rlist, stratum=stratum).exists():
        return
    ListWarning.objects.create(rlist=rlist, stratum=stratum, used=used, total=total, notified_at=timezone.now())
    # Robust: the allocation is committed whatever happens to the mail (the warning row shows on
    # the statistician's page); a failure is logged rather than turned into a failed request.
    transaction.on_commit(lambda: send_low_list_warning(stratum, used, total, fraction), robust=True)
