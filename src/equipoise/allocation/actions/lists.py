"""Load the statistician's committed list into the database as slots."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from equipoise.allocation.models import ListSlot, RandomizationList
from equipoise.allocation.stratum import configured_stratification
from equipoise.randomization.listfile import ListFormatError, list_sha256, parse_list
from equipoise.randomization.strata import StratificationError
from equipoise.randomization.verification import (
    check_commitment_format,
    matches_commitment,
    structure_problems,
)
from equipoise.records.actions.errors import ActionRefused, FieldError
from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction
from equipoise.records.protocol_versions import protocol_of, version_for_write
from equipoise.records.roles import Role


def _refuse(field: str, rule: str, message: str, status: int = 400) -> ActionRefused:
    return ActionRefused(message, [FieldError(field, rule, message)], status=status)


def load_list(
    actor: Actor, protocol_id: str, data: bytes, commitment: str, report: Mapping[str, Any] | None = None
) -> RandomizationList:
    """Store `data` as the active list after checking it against the statistician's commitment.

    Refuses: a commitment that is not a SHA-256, bytes that do not hash to it, a report whose
    own sha256 disagrees, a list whose strata are not the protocol's factors crossed with the
    configured sites or whose blocks break the design, and a second active list.
    """
    if actor.role != Role.STATISTICIAN:
        raise ActionRefused("only the statistician loads the randomization list", status=403)
    try:
        commitment = check_commitment_format(commitment)
    except ValueError as exc:
        raise _refuse("sha256", "format", str(exc)) from None
    if not matches_commitment(data, commitment):
        raise _refuse("sha256", "commitment",
                      f"sha256: the file hashes to {list_sha256(data)}, not to the committed {commitment}",
                      status=409)
    if report is not None and report.get("sha256") not in (None, commitment):
        raise _refuse("report.sha256", "commitment",
                      f"report.sha256: {report.get('sha256')!r} is not the committed {commitment}")
    try:
        entries = parse_list(data)
    except ListFormatError as exc:
        raise _refuse("file", "format", str(exc)) from None
    with transaction.atomic(durable=True):
        version = version_for_write(protocol_id)
        protocol = protocol_of(version)
        design = protocol.randomization
        if design.method != "permuted_blocks":
            raise _refuse("randomization.method", "method",
                          f"randomization.method: {design.method!r} allocates without a list", status=409)
        try:
            strata = configured_stratification(protocol).strata()
        except StratificationError as exc:
            raise _refuse("sites", "stratification", str(exc), status=409) from None
        problems = structure_problems(entries, design.ratio, design.block_sizes, strata)
        if problems:
            raise ActionRefused(
                "the list does not fit the protocol and the configured sites: " + "; ".join(problems[:5]),
                [FieldError("file", "structure", p) for p in problems], status=422)
        if RandomizationList.objects.filter(active=True).exists():
            raise _refuse("list", "one_active",
                          "a randomization list is already active; a second one is refused", status=409)
        rlist = RandomizationList.objects.create(
            protocol_version=version, sha256=commitment, report=dict(report or {}),
            loaded_at=timezone.now(), loaded_by=actor.user, active=True,
        )
        ListSlot.objects.bulk_create(
            [ListSlot(rlist=rlist, stratum=e.stratum, position=e.position, block=e.block,
                      block_size=e.block_size, arm=e.arm) for e in entries],
            batch_size=1000,
        )
        record_event(actor, AuditAction.RANDOMIZATION_LIST_LOAD, "randomization_list", rlist.pk, site_code="",
                     changes={"sha256": [None, commitment], "slots": [None, len(entries)],
                              "strata": [None, len(strata)]},
                     protocol_version=str(version))
    return rlist


def record_list_view(actor: Actor, rlist: RandomizationList) -> None:
    """The statistician opened the concealed list: who looked, and when, is kept in the audit trail."""
    if actor.role != Role.STATISTICIAN:
        raise ActionRefused("only the statistician reads the randomization list", status=403)
    with transaction.atomic(durable=True):
        record_event(actor, AuditAction.RANDOMIZATION_LIST_VIEW, "randomization_list", rlist.pk, site_code="")
