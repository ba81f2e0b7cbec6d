"""What randomization reads under its locks, one hand-written statement each.

Allocation runs about a dozen statements in one transaction; these gather what the ORM
would fetch in several queries each (`records.statements` explains why the write path
avoids building statements through the ORM). Each statement's text is built once per database vendor.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from functools import partial

from django.db import connection

from equipoise.allocation.models import Allocation, ListSlot, RandomizationList
from equipoise.records import statements
from equipoise.records.models import Site, Subject, SubjectStatus


@dataclass(frozen=True)
class LockedSubject:
    status: str
    screening_attempt: int
    allocation_id: int | None


@functools.cache
def _lock_subject_sql(vendor: str) -> str:
    su, al = partial(statements.column, Subject), partial(statements.column, Allocation)
    lock = " FOR UPDATE OF s" if connection.features.has_select_for_update_of else ""
    return (f"SELECT s.{su('status')}, s.{su('screening_attempt')}, a.{al('id')} FROM {statements.table(Subject)} s "
            f"LEFT JOIN {statements.table(Allocation)} a ON a.{al('subject')} = s.{su('id')} "
            f"WHERE s.{su('id')} = %s{lock}")


def lock_subject(subject_pk: int) -> LockedSubject:
    """Lock the subject's row; its status, screening attempt and allocation, if any."""
    rows = statements.query(_lock_subject_sql(connection.vendor), [subject_pk], [
        Subject._meta.get_field("status"), Subject._meta.get_field("screening_attempt"), Allocation._meta.pk])
    locked = LockedSubject(*rows[0])
    if locked.allocation_id is None and locked.status != SubjectStatus.SCREENING:
        # On PostgreSQL a request that waited for the lock sees the subject row as the winner left
        # it, but the joined allocation as of before the wait; a statement of its own sees it.
        allocation = statements.fetch_values(Allocation, ["id"], subject_id=subject_pk)
        locked = LockedSubject(locked.status, locked.screening_attempt, allocation[0] if allocation else None)
    return locked


@dataclass(frozen=True)
class FreeSlot:
    id: int
    position: int
    arm: str
    rlist_id: int
    list_sha256: str


@functools.cache
def _next_free_slot_sql(vendor: str) -> str:
    sl, rl = partial(statements.column, ListSlot), partial(statements.column, RandomizationList)
    lock = " FOR UPDATE OF s" if connection.features.has_select_for_update_of else ""
    return (f"SELECT s.{sl('id')}, s.{sl('position')}, s.{sl('arm')}, l.{rl('id')}, l.{rl('sha256')} "
            f"FROM {statements.table(ListSlot)} s JOIN {statements.table(RandomizationList)} l "
            f"ON l.{rl('id')} = s.{sl('rlist')} "
            f"WHERE l.{rl('active')} = %s AND s.{sl('stratum')} = %s AND s.{sl('used_at')} IS NULL "
            f"ORDER BY s.{sl('position')} LIMIT 1{lock}")


def lock_next_free_slot(stratum: str) -> FreeSlot | None:
    """Lock the first unused slot of the stratum in the active list.

    None when the stratum has no free slot or no list is active (the caller tells which).
    """
    rows = statements.query(
        _next_free_slot_sql(connection.vendor), [True, stratum],
        [ListSlot._meta.pk, ListSlot._meta.get_field("position"), ListSlot._meta.get_field("arm"),
         RandomizationList._meta.pk, RandomizationList._meta.get_field("sha256")])
    return FreeSlot(*rows[0]) if rows else None


@functools.cache
def _stratum_usage_sql(vendor: str) -> str:
    sl = partial(statements.column, ListSlot)
    return (f"SELECT COUNT({sl('used_at')}), COUNT(*) FROM {statements.table(ListSlot)} "
            f"WHERE {sl('rlist')} = %s AND {sl('stratum')} = %s")


def stratum_usage(rlist_id: int, stratum: str) -> tuple[int, int]:
    """(used, total) slots of the stratum. A statement of its own, run once the slot is locked: on
    PostgreSQL it then sees every allocation committed while this request waited for the lock."""
    count = ListSlot._meta.get_field("position")
    (used, total), = statements.query(_stratum_usage_sql(connection.vendor), [rlist_id, stratum], [count, count])
    return used, total


@functools.cache
def _next_allocation_sequence_sql(vendor: str) -> str:
    si = partial(statements.column, Site)
    return (f"UPDATE {statements.table(Site)} SET {si('allocation_sequence')} = {si('allocation_sequence')} + 1 "
            f"WHERE {si('id')} = %s RETURNING {si('allocation_sequence')}")


def next_allocation_sequence(site_id: int) -> int:
    """Count one more allocation at the site and return the count; the row lock numbers without gaps."""
    rows = statements.query(_next_allocation_sequence_sql(connection.vendor), [site_id],
                            [Site._meta.get_field("allocation_sequence")])
    return rows[0][0]
