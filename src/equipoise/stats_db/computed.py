"""Compute a statistics document once per cut-off and data change, then serve the stored copy.

The key of a result is the protocol version, the page language, the cut-off, the data mark (the
sequence of the last audit event that is not itself a read: downloads, refused accesses and list
views leave events but change no data), the document, and anything else the document prints
(the day it was generated). Every write to trial data appends an audit event in the same
transaction, so a stored result whose mark is the current one was computed from the same data.
Results of older marks are deleted when a newer one is stored.

While data entry goes on, the mark moves every few seconds; recomputing a large trial's analysis
on each of those moves would make every statistics request pay for it. So a result computed less
than `STATS_MAX_AGE` ago for the same document and cut-off is served even though the data moved
on, marked `stale`; the page says so and offers to compute again now (`fresh=True`).
"""

from __future__ import annotations

import datetime as dt
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import AuditEvent
from equipoise.stats_db.models import ComputedResult

# Audit actions that record a read, not a change of trial data.
READ_ACTIONS = (AuditAction.REPORT_DOWNLOAD, AuditAction.REPORT_DSMB, AuditAction.ACCESS_DENIED,
                AuditAction.RANDOMIZATION_LIST_VIEW, AuditAction.EXPORT_ODM, AuditAction.EXPORT_DATASETS)


def data_mark() -> int:
    """The sequence of the last audit event that changed data (0 on an empty trail)."""
    last = (AuditEvent.objects.exclude(action__in=READ_ACTIONS).order_by("-sequence")
            .values_list("sequence", flat=True).first())
    return last or 0


@dataclass(frozen=True)
class Computed:
    body: bytes
    computed_at: dt.datetime
    seconds: float
    data_mark: int
    reused: bool
    stale: bool = False  # computed from data older than the current mark


def computed(parts: tuple[str, ...], cutoff: dt.date, mark: int, compute: Callable[[], bytes], *,
             fresh: bool = False) -> Computed:
    """The stored result for `parts` at `mark`; else, unless `fresh`, the latest one computed less
    than `STATS_MAX_AGE` seconds ago; else `compute()`, stored now."""
    name = "|".join((*parts, cutoff.isoformat()))
    key = f"{name}|{mark}"
    rows = ComputedResult.objects.filter(key__startswith=f"{name}|")
    if not fresh:
        recent = timezone.now() - dt.timedelta(seconds=settings.STATS_MAX_AGE)
        rows = rows.filter(Q(key=key) | Q(computed_at__gte=recent))
    else:
        rows = rows.filter(key=key)
    row = rows.order_by("-data_mark").first()
    if row is not None:
        return Computed(zlib.decompress(bytes(row.body)), row.computed_at, row.seconds, row.data_mark, True,
                        stale=row.data_mark != mark)
    started = time.perf_counter()
    body = compute()
    seconds = time.perf_counter() - started
    now = timezone.now()
    try:
        with transaction.atomic():
            ComputedResult.objects.create(key=key, data_mark=mark, cutoff=cutoff, body=zlib.compress(body, 1),
                                          computed_at=now, seconds=seconds)
            ComputedResult.objects.filter(data_mark__lt=mark).delete()
    except IntegrityError:
        pass  # another request stored the same result meanwhile: same data, same body
    return Computed(body, now, seconds, mark, False)
