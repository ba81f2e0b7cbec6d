"""The randomization list file: one JSON object per line, one line per slot.

Format (stable, because its SHA-256 is the commitment a sponsor signs before the first patient)::

    {"stratum":"site=SLS|sle=false","position":1,"block":1,"block_size":4,"arm":"methotrexate"}

- keys always in the order stratum, position, block, block_size, arm;
- compact separators, UTF-8 without escaping non-ASCII, each line ending in a single "\\n";
- strata in sorted order, and within a stratum positions 1, 2, 3, ... in order;
- `position` and `block` count from 1 within the stratum; `block_size` is the size the block
  was drawn with (the same on every slot of the block).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

KEYS = ("stratum", "position", "block", "block_size", "arm")


class ListFormatError(ValueError):
    """A list file line that does not follow the format; the message names the line and key."""


@dataclass(frozen=True)
class ListEntry:
    """One slot of a randomization list."""

    stratum: str
    position: int
    block: int
    block_size: int
    arm: str

    def to_line(self) -> str:
        record = {key: getattr(self, key) for key in KEYS}
        return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def dump_list(entries: Iterable[ListEntry]) -> bytes:
    """Serialize entries in the given order (the generator already sorts them)."""
    return "".join(entry.to_line() for entry in entries).encode("utf-8")


def list_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _text(record: dict[str, object], key: str, line_no: int) -> str:
    value = record[key]
    if not isinstance(value, str):
        raise ListFormatError(f"line {line_no}: {key}: {value!r} is not a string")
    if not value:
        raise ListFormatError(f"line {line_no}: {key}: must not be empty")
    return value


def _count(record: dict[str, object], key: str, line_no: int) -> int:
    value = record[key]
    # bool is an int subclass in Python; a JSON true is never a valid position
    if not isinstance(value, int) or isinstance(value, bool):
        raise ListFormatError(f"line {line_no}: {key}: {value!r} is not an integer")
    if value < 1:
        raise ListFormatError(f"line {line_no}: {key}: {value!r} must be at least 1")
    return value


def parse_list(data: bytes) -> list[ListEntry]:
    """Read a list file's bytes; raise `ListFormatError` at the first malformed line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ListFormatError(f"byte {exc.start}: the list is not UTF-8 text") from exc
    if text and not text.endswith("\n"):
        raise ListFormatError("the last line does not end with a newline")
    entries: list[ListEntry] = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ListFormatError(f"line {line_no}: not valid JSON ({exc.msg})") from exc
        if not isinstance(record, dict) or tuple(record) != KEYS:
            got = list(record) if isinstance(record, dict) else type(record).__name__
            raise ListFormatError(
                f"line {line_no}: keys must be exactly {list(KEYS)} in that order (got {got})"
            )
        entries.append(
            ListEntry(
                stratum=_text(record, "stratum", line_no),
                position=_count(record, "position", line_no),
                block=_count(record, "block", line_no),
                block_size=_count(record, "block_size", line_no),
                arm=_text(record, "arm", line_no),
            )
        )
    return entries


def by_stratum(entries: Sequence[ListEntry]) -> dict[str, list[ListEntry]]:
    """Group entries by stratum, keeping each stratum's order."""
    grouped: dict[str, list[ListEntry]] = {}
    for entry in entries:
        grouped.setdefault(entry.stratum, []).append(entry)
    return grouped
