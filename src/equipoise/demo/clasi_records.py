"""CLASI records with a chosen activity total, for demonstration follow-up."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

AREAS = ["scalp", "ears", "nose", "face", "v_neck", "neck_shoulders", "chest", "abdomen",
         "back_buttocks", "arms", "hands", "legs", "feet"]


def clasi_record(rng: random.Random, activity: int, damage_seed: int) -> dict[str, Any]:
    """A record whose CLASI-A is exactly `activity` (0-65 from the areas), with stable damage."""
    activity = max(0, min(65, activity))
    regions: dict[str, dict[str, int]] = {area: {"erythema": 0, "scale": 0, "dyspigmentation": 0, "scarring": 0}
                                          for area in AREAS}
    del regions["scalp"]["scarring"]  # the scalp's scarring is scarring_alopecia
    order = AREAS[:]
    rng.shuffle(order)
    remaining = activity
    while remaining > 0:
        for area in order:
            if remaining == 0:
                break
            item = "erythema" if regions[area]["erythema"] < 3 and (regions[area]["scale"] >= 2 or rng.random() < 0.6) \
                else "scale"
            limit = 3 if item == "erythema" else 2
            if regions[area][item] < limit:
                regions[area][item] += 1
                remaining -= 1
    damage = random.Random(damage_seed)
    for area in ("face", "ears", "v_neck", "arms"):
        regions[area]["dyspigmentation"] = damage.randint(0, 1)
        regions[area]["scarring"] = damage.randint(0, 2)
    # Every area is scored (zeros included): the form never scores an empty area.
    return {"regions": regions,
            "mucous_membrane": 0, "recent_hair_loss": 0, "nonscarring_alopecia": 0,
            "scarring_alopecia": damage.choice([0, 0, 3]), "dyspigmentation_12_months_or_more": damage.random() < 0.3}


def clasi_form(rng: random.Random, activity: int, damage_seed: int, on: dt.date | None,
               assessor: str) -> dict[str, Any]:
    """The CLASI form's data: the record, the day of the assessment (when known) and who made it."""
    return {"assessment_date": on.isoformat() if on else None, "assessor": assessor,
            "clasi_record": clasi_record(rng, activity, damage_seed)}
