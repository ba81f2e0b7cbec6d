"""Shared values for the CLASI page tests: a complete CLASI record and its POST fields."""

from __future__ import annotations

import datetime as dt

RANDOMIZED_ON = dt.date(2026, 3, 2)

FULL_RECORD = {
    "regions": {
        "scalp": {"erythema": 2, "scale": 1, "dyspigmentation": 1},
        "ears": {"erythema": 1, "scale": 0, "dyspigmentation": 0, "scarring": 1},
        "nose": {"erythema": 3, "scale": 2, "dyspigmentation": 1, "scarring": 2},
        "face": {"erythema": 2, "scale": 1, "dyspigmentation": 1, "scarring": 1},
        "v_neck": {"erythema": 1, "scale": 0, "dyspigmentation": 0, "scarring": 0},
        "neck_shoulders": {"erythema": 0, "scale": 0, "dyspigmentation": 0, "scarring": 0},
        "chest": {"erythema": 2, "scale": 2, "dyspigmentation": 1, "scarring": 0},
        "abdomen": {"erythema": 0, "scale": 0, "dyspigmentation": 0, "scarring": 0},
        "back_buttocks": {"erythema": 1, "scale": 1, "dyspigmentation": 0, "scarring": 1},
        "arms": {"erythema": 3, "scale": 1, "dyspigmentation": 1, "scarring": 0},
        "hands": {"erythema": 1, "scale": 0, "dyspigmentation": 0, "scarring": 0},
        "legs": {"erythema": 0, "scale": 1, "dyspigmentation": 0, "scarring": 2},
        "feet": {"erythema": 0, "scale": 0, "dyspigmentation": 0, "scarring": 0},
    },
    "mucous_membrane": 1,
    "recent_hair_loss": 1,
    "nonscarring_alopecia": 2,
    "scarring_alopecia": 4,
    "dyspigmentation_12_months_or_more": True,
}
"""Every item filled. By hand: CLASI-A = 16 erythema + 9 scale + 1 + 1 + 2 = 29 (severe);
CLASI-D = 5 dyspigmentation x 2 + 7 scarring + 4 scarring alopecia = 21."""


def fields_of(record: dict) -> dict[str, str]:
    """The entry page's POST fields for a record, as the browser sends them."""
    post = {f"regions.{area}.{item}": str(value)
            for area, items in record.get("regions", {}).items() for item, value in items.items()}
    for name in ("mucous_membrane", "recent_hair_loss", "nonscarring_alopecia", "scarring_alopecia"):
        if name in record:
            post[name] = str(record[name])
    if record.get("dyspigmentation_12_months_or_more"):
        post["dyspigmentation_12_months_or_more"] = "true"
    return post
