"""The audit trail's hash chain, as pure functions (no Django), so it can be checked offline.

Each event's hash is SHA-256 over the previous event's hash and the canonical JSON of the
event's own columns (sequence included), so editing, deleting or reordering any row breaks
the chain from that row on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64

HASHED_FIELDS = (
    "sequence", "at", "username", "role", "site_code", "action", "object_type", "object_id",
    "subject_code", "form_id", "changes", "reason", "protocol_version", "request_id",
)


def canonical(event: Mapping[str, Any]) -> str:
    return json.dumps(
        {k: event[k] for k in HASHED_FIELDS}, sort_keys=True, ensure_ascii=False,
        separators=(",", ":"), default=str,
    )


def event_hash(prev_hash: str, event: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + "\n" + canonical(event)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    count: int
    intact: bool
    first_bad_sequence: int | None = None
    problem: str = ""

    def __str__(self) -> str:
        if self.intact:
            return f"{self.count} events, chain intact"
        return f"chain broken at event {self.first_bad_sequence}: {self.problem}"


def verify_chain(
    events: Iterable[Mapping[str, Any]], head_sequence: int | None = None, head_hash: str | None = None
) -> ChainReport:
    """Walk events in stored order; report the first one that no longer matches.

    `head_*` is the chain head recorded at the last append; it catches removal of the newest rows.
    """
    prev = GENESIS
    expected_sequence = 1
    count = 0
    for event in events:
        seq = event["sequence"]
        if seq != expected_sequence:
            missing = "missing or reordered" if seq > expected_sequence else "out of order"
            return ChainReport(count, False, expected_sequence,
                               f"expected sequence {expected_sequence}, found {seq} (events {missing})")
        if event["prev_hash"] != prev:
            return ChainReport(count, False, seq, "previous-hash link does not match the event before it")
        if event_hash(prev, event) != event["hash"]:
            return ChainReport(count, False, seq, "content no longer matches its hash (edited)")
        prev = event["hash"]
        expected_sequence += 1
        count += 1
    if head_sequence is not None and (head_sequence != count or (head_hash or GENESIS) != prev):
        return ChainReport(count, False, count + 1,
                           f"the chain head records {head_sequence} events but {count} remain (newest deleted)")
    return ChainReport(count, True)
