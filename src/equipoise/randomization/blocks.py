"""Stratified permuted blocks with randomly varying block sizes, reproducible from a seed.

Algorithm `equipoise-permuted-blocks-v1`, written down so anyone can regenerate a list
from its seed with a few lines of Python and check it against the committed SHA-256:

1. Each stratum has its own generator: `random.Random(n)` (CPython's MT19937), where `n` is
   the SHA-256 digest, read as a big-endian integer, of the UTF-8 bytes
   `"equipoise-permuted-blocks-v1" NUL seed NUL stratum-label`. A stratum's list therefore does
   not depend on which other strata exist or the order they are listed in.
2. Only `getrandbits` is used: `below(n)` draws `k = n.bit_length()` bits and retries until the
   value is `< n`, so the stream does not rest on any higher-level `random` method.
3. Until the stratum holds at least `slots_per_stratum` slots: draw a block size
   `sizes[below(len(sizes))]` from the sorted distinct allowed sizes; fill the block with each
   arm (arms sorted by id) repeated `size / sum(ratio) * ratio[arm]` times; shuffle it by
   Fisher-Yates from the last index down (`j = below(i + 1)`; swap i and j).

Lists end on a block boundary, so a stratum may hold a few more slots than asked for: a block cut
short would leave that stratum's arms unbalanced by construction.

The seed reproduces the list: keep it (and the generation report, which contains it) as
confidential as the list itself; publish only the SHA-256 commitment.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from equipoise.randomization.listfile import ListEntry, dump_list, list_sha256

ALGORITHM = "equipoise-permuted-blocks-v1"


class ListExhausted(LookupError):
    """Every slot of the stratum's list is used; more slots must be generated and committed."""


def check_design(ratio: Mapping[str, int], block_sizes: Sequence[int]) -> None:
    """Reject a ratio/block-size pair no block could honour; messages name the value and rule."""
    if len(ratio) < 2:
        raise ValueError(f"ratio: {dict(ratio)} needs at least two arms")
    for arm, weight in ratio.items():
        if not isinstance(weight, int) or weight < 1:
            raise ValueError(f"ratio.{arm}: {weight!r} must be a whole number of at least 1")
    if not block_sizes:
        raise ValueError("block_sizes: at least one block size is needed")
    unit = sum(ratio.values())
    for size in block_sizes:
        if not isinstance(size, int) or size < 1 or size % unit:
            raise ValueError(
                f"block_sizes: {size!r} must be a positive multiple of the ratio total {unit}"
            )


def stratum_rng(seed: str, stratum: str) -> random.Random:
    """The generator of one stratum (step 1 of the algorithm)."""
    material = "\x00".join((ALGORITHM, seed, stratum)).encode("utf-8")
    return random.Random(int.from_bytes(hashlib.sha256(material).digest(), "big"))


def below(rng: random.Random, n: int) -> int:
    """A uniform integer in [0, n) from `getrandbits` by rejection (step 2)."""
    if n < 1:
        raise ValueError(f"n: {n} must be at least 1")
    bits = n.bit_length()
    while True:
        value = rng.getrandbits(bits)
        if value < n:
            return value


def block_contents(ratio: Mapping[str, int], size: int) -> list[str]:
    """The unshuffled arms of one block: arms sorted by id, each in proportion to its ratio."""
    per_unit = size // sum(ratio.values())
    return [arm for arm in sorted(ratio) for _ in range(ratio[arm] * per_unit)]


def stratum_list(
    stratum: str,
    ratio: Mapping[str, int],
    block_sizes: Sequence[int],
    seed: str,
    min_slots: int,
) -> list[ListEntry]:
    """The list of one stratum: whole blocks until at least `min_slots` slots (step 3)."""
    check_design(ratio, block_sizes)
    if min_slots < 1:
        raise ValueError(f"slots_per_stratum: {min_slots} must be at least 1")
    rng = stratum_rng(seed, stratum)
    sizes = sorted(set(block_sizes))
    entries: list[ListEntry] = []
    block = 0
    while len(entries) < min_slots:
        block += 1
        size = sizes[below(rng, len(sizes))]
        arms = block_contents(ratio, size)
        for i in range(len(arms) - 1, 0, -1):
            j = below(rng, i + 1)
            arms[i], arms[j] = arms[j], arms[i]
        for arm in arms:
            entries.append(ListEntry(stratum, len(entries) + 1, block, size, arm))
    return entries


def generate_list(
    strata: Sequence[str],
    ratio: Mapping[str, int],
    block_sizes: Sequence[int],
    seed: str,
    slots_per_stratum: int,
) -> list[ListEntry]:
    """The whole list: every stratum's slots, strata in sorted order."""
    if not seed:
        raise ValueError("seed: must not be empty")
    if not strata:
        raise ValueError("strata: at least one stratum is needed")
    if len(set(strata)) != len(strata):
        raise ValueError(f"strata: {list(strata)} lists a stratum more than once")
    entries: list[ListEntry] = []
    for stratum in sorted(strata):
        entries.extend(stratum_list(stratum, ratio, block_sizes, seed, slots_per_stratum))
    return entries


def generation_report(
    entries: Sequence[ListEntry],
    *,
    ratio: Mapping[str, int],
    block_sizes: Sequence[int],
    slots_per_stratum: int,
    protocol_id: str | None = None,
    protocol_sha256: str | None = None,
) -> dict[str, Any]:
    """What was generated and how, with the SHA-256 of the serialized list (the commitment).

    This is the public report: it carries no seed (anyone holding the seed rebuilds the list);
    the seed goes only to the statistician's sealed record (`randomization.sealed`).
    """
    data = dump_list(entries)
    per_stratum: dict[str, dict[str, int]] = {}
    for entry in entries:
        counts = per_stratum.setdefault(entry.stratum, {arm: 0 for arm in sorted(ratio)})
        counts[entry.arm] += 1
    blocks = Counter((e.stratum, e.block) for e in entries)
    return {
        "method": "permuted_blocks",
        "algorithm": ALGORITHM,
        "prng": "random.Random (MT19937) per stratum, seeded with SHA-256(algorithm NUL seed NUL stratum)",
        "protocol": protocol_id,
        "protocol_sha256": protocol_sha256,
        "parameters": {
            "ratio": {arm: ratio[arm] for arm in sorted(ratio)},
            "block_sizes": sorted(set(block_sizes)),
            "slots_per_stratum": slots_per_stratum,
            "strata": sorted(per_stratum),
        },
        "slots": len(entries),
        "blocks": len(blocks),
        "counts_per_stratum": per_stratum,
        "counts_per_arm": {
            arm: sum(c[arm] for c in per_stratum.values()) for arm in sorted(ratio)
        },
        "sha256": list_sha256(data),
    }


def next_slot(stratum_entries: Sequence[ListEntry], used: int) -> ListEntry:
    """The slot the next subject of a stratum takes, given how many of its slots are used.

    The database layer counts `used` under its row lock; this function only indexes the list,
    so the same rule serves the web, the API and simulations.
    """
    if used < 0:
        raise ValueError(f"used: {used} must not be negative")
    if used >= len(stratum_entries):
        stratum = stratum_entries[0].stratum if stratum_entries else "?"
        raise ListExhausted(
            f"stratum {stratum!r}: all {len(stratum_entries)} slots are used; "
            "generate and commit an extension before randomizing again"
        )
    return stratum_entries[used]
