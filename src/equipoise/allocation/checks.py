"""Startup check: every stored list must still hash to the SHA-256 the statistician committed.

The slots are serialized exactly as the list file was (`randomization.listfile.dump_list`), so any
edit of an arm, a position, a block or a stratum in the database - however it was made - changes
the digest and stops the system from starting (`manage check`, `runserver`, `equipoise serve`).
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import DatabaseError

from equipoise.randomization.listfile import ListEntry, dump_list, list_sha256
from equipoise.randomization.verification import matches_commitment


def stored_list_bytes(rlist: Any) -> bytes:
    """The list file bytes rebuilt from the slot rows, in list-file order (stratum, position)."""
    from equipoise.allocation.models import ListSlot

    rows = (ListSlot.objects.filter(rlist=rlist).order_by("stratum", "position")
            .values_list("stratum", "position", "block", "block_size", "arm"))
    return dump_list(ListEntry(*row) for row in rows.iterator(chunk_size=2000))


def verify_stored_lists() -> list[str]:
    """One sentence per stored list whose slots no longer match its commitment; empty when sound."""
    from equipoise.allocation.models import RandomizationList

    problems = []
    for rlist in RandomizationList.objects.order_by("id"):
        data = stored_list_bytes(rlist)
        if not matches_commitment(data, rlist.sha256):
            problems.append(
                f"randomization list {rlist.pk} ({'active' if rlist.active else 'inactive'}): its "
                f"{data.count(b'\n')} stored slots hash to {list_sha256(data)}, not to the committed "
                f"{rlist.sha256}; the list was altered after loading"
            )
    return problems


def stored_lists_check(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Django system check: an Error per altered list, so `check` and `runserver` refuse to go on."""
    try:
        problems = verify_stored_lists()
    except DatabaseError:
        # Tables not migrated yet: nothing stored to verify (migrate itself runs checks first).
        return []
    return [checks.Error(p, hint="restore the list from the committed file, or investigate who changed it",
                         id="allocation.E001") for p in problems]
