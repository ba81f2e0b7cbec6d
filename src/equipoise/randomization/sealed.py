"""The statistician's sealed record of a generated list: the secret seed and what it reproduces.

The public generation report (`blocks.generation_report`) carries the method, the parameters,
the counts and the SHA-256 commitment, and may circulate. The seed must not: anyone holding it
rebuilds the whole list and knows every future allocation. It goes only into the sealed record,
a separate file created with owner-only permissions (0600) by the statistician who generates
the list, next to the list itself (which is equally concealed).

The sealed record holds everything needed to rebuild the list bit for bit (seed, strata, ratio,
block sizes as given, slots per stratum), so `reproduces` lets the statistician check, at any
time, that the committed list is exactly the one the seed produces.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from equipoise.randomization.blocks import generate_list
from equipoise.randomization.listfile import dump_list, list_sha256

OWNER_ONLY = 0o600
SEALED_KEYS = ("seed", "sha256", "strata", "ratio", "block_sizes", "slots_per_stratum")


class SealedRecordError(ValueError):
    """A sealed record that cannot be trusted or read: names the file and the rule broken."""


def sealed_record(
    *, seed: str, sha256: str, strata: Sequence[str], ratio: Mapping[str, int], block_sizes: Sequence[int],
    slots_per_stratum: int,
) -> dict[str, Any]:
    """What the statistician keeps sealed: the seed and the exact inputs it was used with."""
    return {
        "seed": seed,
        "sha256": sha256,
        "strata": sorted(strata),
        "ratio": {arm: ratio[arm] for arm in sorted(ratio)},
        "block_sizes": list(block_sizes),
        "slots_per_stratum": slots_per_stratum,
    }


def write_sealed(path: Path, record: Mapping[str, Any], *, overwrite: bool = False) -> None:
    """Write `record` to `path`, readable and writable by its owner only, whatever the umask.

    The file is created with mode 0600 from the start (never written first and restricted after),
    and an existing file is refused unless `overwrite`.
    """
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
    fd = os.open(path, flags, OWNER_ONLY)
    try:
        os.fchmod(fd, OWNER_ONLY)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            fd = -1
            handle.write(json.dumps(dict(record), indent=2, ensure_ascii=False) + "\n")
    finally:
        if fd != -1:
            os.close(fd)


def read_sealed(path: Path) -> dict[str, Any]:
    """Read a sealed record; refuse one that others than its owner may read or change."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError as exc:
        raise SealedRecordError(f"{path}: cannot be read ({exc.strerror})") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SealedRecordError(
            f"{path}: permissions {mode:o} let others read it; a sealed record must be 600 (owner only)")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SealedRecordError(f"{path}: not a readable sealed record ({exc})") from exc
    missing = [k for k in SEALED_KEYS if k not in record] if isinstance(record, dict) else list(SEALED_KEYS)
    if missing:
        raise SealedRecordError(f"{path}: sealed record lacks {', '.join(missing)}")
    return record


def reproduces(record: Mapping[str, Any], data: bytes) -> bool:
    """True when the seed and inputs of `record` generate exactly the bytes `data`."""
    entries = generate_list(record["strata"], record["ratio"], record["block_sizes"], record["seed"],
                            record["slots_per_stratum"])
    rebuilt = dump_list(entries)
    return rebuilt == data and list_sha256(rebuilt) == record["sha256"]
