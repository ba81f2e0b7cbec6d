"""Check a randomization list against its commitment and against the rules of its design.

Two independent checks, because they answer different questions:

- `matches_commitment`: are these exactly the bytes whose SHA-256 was committed before the
  trial started? (Catches any edit, however harmless-looking.)
- `structure_problems`: is this a well-formed permuted-block list for the given ratio and
  block sizes? (Lets a reviewer check a list whose generator they do not trust, and tells
  what is wrong when the commitment does not match.)
"""

from __future__ import annotations

import hmac
import re
from collections import Counter
from collections.abc import Mapping, Sequence

from equipoise.randomization.blocks import block_contents, check_design
from equipoise.randomization.listfile import ListEntry, by_stratum, list_sha256

_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


def check_commitment_format(commitment: str) -> str:
    """Return the commitment in lower case, or raise naming the value and the rule."""
    if not _HEX64.match(commitment):
        raise ValueError(
            f"sha256: {commitment!r} is not a SHA-256 digest (64 hexadecimal characters)"
        )
    return commitment.lower()


def matches_commitment(data: bytes, commitment: str) -> bool:
    """True when the SHA-256 of `data` equals the committed hex digest (case-insensitive)."""
    expected = check_commitment_format(commitment)
    return hmac.compare_digest(list_sha256(data), expected)


def structure_problems(
    entries: Sequence[ListEntry],
    ratio: Mapping[str, int],
    block_sizes: Sequence[int],
    strata: Sequence[str] | None = None,
) -> list[str]:
    """Every way the list breaks the permuted-block rules; empty when it is sound.

    Rules: strata appear in sorted order, each in one contiguous run; positions run 1, 2, 3, ...
    within a stratum; blocks run 1, 2, 3, ... and each slot's block_size is constant within its
    block and one of the allowed sizes; every block holds exactly `block_size` slots, each arm
    in proportion to the ratio, except that a stratum's final block may be a prefix of a
    block (no arm beyond its share). Arms must be arms of the ratio. When `strata` is given,
    the list must cover exactly those strata.
    """
    check_design(ratio, block_sizes)
    problems: list[str] = []
    allowed = set(block_sizes)
    order = [e.stratum for i, e in enumerate(entries) if i == 0 or entries[i - 1].stratum != e.stratum]
    repeated = sorted(s for s, n in Counter(order).items() if n > 1)
    for stratum in repeated:
        problems.append(f"stratum {stratum!r}: its slots are not contiguous")
    if order != sorted(order):
        problems.append("strata are not in sorted order")
    grouped = by_stratum(entries)
    if strata is not None:
        missing = sorted(set(strata) - set(grouped))
        unexpected = sorted(set(grouped) - set(strata))
        if missing:
            problems.append(f"strata {missing} have no slots")
        if unexpected:
            problems.append(f"strata {unexpected} are not strata of this design")
    for stratum, rows in grouped.items():
        problems.extend(_stratum_problems(stratum, rows, ratio, allowed))
    return problems


def _stratum_problems(
    stratum: str, rows: list[ListEntry], ratio: Mapping[str, int], allowed: set[int]
) -> list[str]:
    problems: list[str] = []
    where = f"stratum {stratum!r}"
    for expected, entry in enumerate(rows, start=1):
        if entry.position != expected:
            problems.append(f"{where}: position {entry.position} found where {expected} was due")
            break
    for entry in rows:
        if entry.arm not in ratio:
            problems.append(f"{where} position {entry.position}: arm {entry.arm!r} is not in the ratio")
    blocks: dict[int, list[ListEntry]] = {}
    for entry in rows:
        blocks.setdefault(entry.block, []).append(entry)
    numbers = [e.block for i, e in enumerate(rows) if i == 0 or rows[i - 1].block != e.block]
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(f"{where}: blocks run {numbers[:8]}..., not 1, 2, 3, ... each once")
        return problems
    last = numbers[-1]
    for number, slots in blocks.items():
        sizes = {e.block_size for e in slots}
        label = f"{where} block {number}"
        if len(sizes) != 1:
            problems.append(f"{label}: slots disagree on block_size ({sorted(sizes)})")
            continue
        size = sizes.pop()
        if size not in allowed:
            problems.append(f"{label}: size {size} is not an allowed size {sorted(allowed)}")
            continue
        quota = Counter(block_contents(ratio, size))
        counts = Counter(e.arm for e in slots)
        if len(slots) == size and counts != quota:
            problems.append(
                f"{label}: arms {dict(sorted(counts.items()))} do not follow the ratio "
                f"{dict(sorted(quota.items()))}"
            )
        elif len(slots) > size:
            problems.append(f"{label}: {len(slots)} slots in a block of size {size}")
        elif len(slots) < size and number != last:
            problems.append(f"{label}: only {len(slots)} of {size} slots, and it is not the last block")
        elif len(slots) < size and any(counts[a] > quota[a] for a in counts):
            problems.append(
                f"{label}: incomplete final block already exceeds an arm's share "
                f"({dict(sorted(counts.items()))} of {dict(sorted(quota.items()))})"
            )
    return problems
