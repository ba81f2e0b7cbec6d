"""Pain and itch numeric rating scales: 0 (none) to 10 (worst imaginable), last 24 hours.

Keys are those of protocols/nct06965244/forms/pain_itch_nrs.yaml. Both are required on the form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from equipoise.instruments.validation import check_int, check_keys, check_mapping, require

NRS_SCALE = tuple(range(0, 11))
ITEMS: tuple[str, ...] = ("pain_nrs", "itch_nrs")


@dataclass(frozen=True)
class PainItchScore:
    """The two ratings, checked; nothing is summed (they are separate endpoints)."""

    pain_nrs: int
    itch_nrs: int

    def to_dict(self) -> dict[str, Any]:
        return {"instrument": "pain_itch_nrs", **asdict(self)}


def check_nrs(key: str, value: Any) -> int:
    """Return one 0-10 rating, or raise naming the key."""
    return check_int(key, value, NRS_SCALE)


def score_pain_itch(data: Mapping[str, Any]) -> PainItchScore:
    """Validate a pain/itch record and return its two ratings."""
    data = check_mapping("record", data, "a JSON object with pain_nrs and itch_nrs")
    check_keys(data, ITEMS)
    return PainItchScore(
        pain_nrs=check_nrs("pain_nrs", require(data, "pain_nrs", NRS_SCALE)),
        itch_nrs=check_nrs("itch_nrs", require(data, "itch_nrs", NRS_SCALE)),
    )
