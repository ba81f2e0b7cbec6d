"""CLASI: Cutaneous Lupus Erythematosus Disease Area and Severity Index (Albrecht 2005, Klein 2011).

Two separate scores from one record (trial sheet §6, data dictionary "CLASI record"):

- activity (CLASI-A, 0-70): erythema 0-3 and scale/hypertrophy 0-2 in each of 13 areas, plus
  once per patient mucous membrane lesions 0-1, recent hair loss 0-1 and non-scarring alopecia 0-3;
- damage (CLASI-D, 0-56): dyspigmentation 0-1 in each area and scarring/atrophy/panniculitis 0-2 in
  the 12 areas other than the scalp, plus scalp scarring alopecia once (0, 3, 4, 5 or 6). When the
  dyspigmentation usually lasts 12 months or more, the dyspigmentation subtotal, and only it, is
  doubled.

The record shape is fixed by the sponsor's data dictionary; for `score_clasi` (the scoring
command, the dictionary's rule) an area left out scores 0 on every item, and the once-per-patient
items and the 12-month flag are likewise 0 / false when left out. Everything else is refused rather
than guessed: a stray key, a value off its scale, a non-integer, a boolean where a number belongs.

A case report form must not score what was not examined, so the record may also list the areas the
assessor marked as not assessed (`not_assessed`, a list of area keys), and `clasi_gaps` says what is
still empty: an area with no item and not marked, an area scored in part, a once-per-patient item.
A form's CLASI-A and CLASI-D (`clasi_totals`) exist only when nothing is empty and every area was
assessed (assumption: an area not assessed leaves both totals unknown; protocol forms/clasi.yaml).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from equipoise.instruments.validation import (
    InstrumentInputError,
    band_of,
    check_bool,
    check_int,
    check_keys,
    check_mapping,
    key_path,
)

AREAS: tuple[str, ...] = (
    "scalp",
    "ears",
    "nose",
    "face",
    "v_neck",
    "neck_shoulders",
    "chest",
    "abdomen",
    "back_buttocks",
    "arms",
    "hands",
    "legs",
    "feet",
)
"""The 13 CLASI areas in the order of the paper form."""

SCALP = "scalp"

ERYTHEMA = (0, 1, 2, 3)  # none, pink, red, dark red / violaceous / crusted
SCALE = (0, 1, 2)  # none, scale, verrucous / hypertrophic
DYSPIGMENTATION = (0, 1)  # absent, present
SCARRING = (0, 1, 2)  # none, scarring, severe atrophic scarring or panniculitis
MUCOUS_MEMBRANE = (0, 1)
RECENT_HAIR_LOSS = (0, 1)  # within the last 30 days
NONSCARRING_ALOPECIA = (0, 1, 2, 3)  # none, diffuse, patchy in one quadrant, in more than one
SCARRING_ALOPECIA = (0, 3, 4, 5, 6)  # none, one quadrant, two, three, whole scalp

AREA_ITEMS: dict[str, tuple[int, ...]] = {
    "erythema": ERYTHEMA,
    "scale": SCALE,
    "dyspigmentation": DYSPIGMENTATION,
    "scarring": SCARRING,
}
SCALP_ITEMS: dict[str, tuple[int, ...]] = {k: v for k, v in AREA_ITEMS.items() if k != "scarring"}
"""The scalp has no per-area scarring item: its scarring is `scarring_alopecia`, scored once."""

PATIENT_ITEMS: dict[str, tuple[int, ...]] = {
    "mucous_membrane": MUCOUS_MEMBRANE,
    "recent_hair_loss": RECENT_HAIR_LOSS,
    "nonscarring_alopecia": NONSCARRING_ALOPECIA,
    "scarring_alopecia": SCARRING_ALOPECIA,
}
LONG_DYSPIGMENTATION = "dyspigmentation_12_months_or_more"
NOT_ASSESSED = "not_assessed"
RECORD_KEYS: tuple[str, ...] = ("regions", *PATIENT_ITEMS, LONG_DYSPIGMENTATION, NOT_ASSESSED)

ACTIVITY_MAX = 70
DAMAGE_MAX = 56

SEVERITY_BANDS: tuple[tuple[int, int, str], ...] = (
    (0, 9, "mild"),
    (10, 20, "moderate"),
    (21, ACTIVITY_MAX, "severe"),
)
"""CLASI-A severity bands, inclusive bounds (trial sheet §6)."""


@dataclass(frozen=True)
class AreaScore:
    """One area's items and its two subtotals.

    `damage` counts dyspigmentation with the record's multiplier (x2 when it lasts 12 months or
    more), so the area damages plus `scarring_alopecia` add up to the CLASI-D total. `scarring` is
    None for the scalp, which has no such item.
    """

    area: str
    erythema: int
    scale: int
    dyspigmentation: int
    scarring: int | None
    activity: int
    damage: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "erythema": self.erythema,
            "scale": self.scale,
            "dyspigmentation": self.dyspigmentation,
            "scarring": self.scarring,
            "activity": self.activity,
            "damage": self.damage,
        }


@dataclass(frozen=True)
class CLASIScore:
    """A scored CLASI record: totals, severity, per-area subtotals and the once-per-patient parts."""

    activity: int
    damage: int
    activity_severity: str
    areas: tuple[AreaScore, ...]
    mucous_membrane: int
    recent_hair_loss: int
    nonscarring_alopecia: int
    scarring_alopecia: int
    dyspigmentation_12_months_or_more: bool
    erythema_subtotal: int
    scale_subtotal: int
    dyspigmentation_subtotal: int
    """Sum of area dyspigmentation after doubling, when doubling applies."""
    scarring_subtotal: int

    def area(self, name: str) -> AreaScore:
        """The score of one area by its key."""
        for a in self.areas:
            if a.area == name:
                return a
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: totals first, then areas in form order, then the parts of each total."""
        return {
            "instrument": "clasi",
            "activity": self.activity,
            "damage": self.damage,
            "activity_severity": self.activity_severity,
            "areas": {a.area: a.to_dict() for a in self.areas},
            "activity_parts": {
                "erythema": self.erythema_subtotal,
                "scale": self.scale_subtotal,
                "mucous_membrane": self.mucous_membrane,
                "recent_hair_loss": self.recent_hair_loss,
                "nonscarring_alopecia": self.nonscarring_alopecia,
            },
            "damage_parts": {
                "dyspigmentation": self.dyspigmentation_subtotal,
                "dyspigmentation_12_months_or_more": self.dyspigmentation_12_months_or_more,
                "scarring": self.scarring_subtotal,
                "scarring_alopecia": self.scarring_alopecia,
            },
        }


def activity_severity(activity: int) -> str:
    """Band a CLASI-A total: mild 0-9, moderate 10-20, severe 21-70."""
    return band_of("activity", activity, SEVERITY_BANDS)


def _area_items(area: str, raw: Any) -> dict[str, int]:
    """Validate one area's object and fill the items left out with 0."""
    items = SCALP_ITEMS if area == SCALP else AREA_ITEMS
    entry = check_mapping(key_path("regions", area), raw, "a JSON object of CLASI items")
    note = "the scalp's scarring is scored once as scarring_alopecia" if area == SCALP else ""
    check_keys(entry, items, prefix=("regions", area), note=note)
    return {
        name: check_int(key_path("regions", area, name), entry[name], scale) if name in entry else 0
        for name, scale in items.items()
    }


def area_items(area: str) -> tuple[str, ...]:
    """The items scored in one area, in form order (the scalp has no scarring item)."""
    return tuple(SCALP_ITEMS if area == SCALP else AREA_ITEMS)


def item_paths() -> tuple[str, ...]:
    """Every item of a record by its key path (`regions.scalp.erythema`, ..., `scarring_alopecia`)."""
    return (*(f"regions.{area}.{item}" for area in AREAS for item in area_items(area)),
            *PATIENT_ITEMS, LONG_DYSPIGMENTATION)


def not_assessed_areas(record: Mapping[str, Any]) -> tuple[str, ...]:
    """The areas a record marks as not assessed, checked: known areas, once each, none also scored."""
    raw = record.get(NOT_ASSESSED, [])
    if not isinstance(raw, list) or not all(isinstance(a, str) for a in raw):
        raise InstrumentInputError(NOT_ASSESSED, raw, ("a list of CLASI area keys",), "type")
    for area in raw:
        if area not in AREAS:
            raise InstrumentInputError(NOT_ASSESSED, area, AREAS, "not a CLASI area")
        if raw.count(area) > 1:
            raise InstrumentInputError(NOT_ASSESSED, area, AREAS, "listed twice")
        scored = record.get("regions", {}).get(area) if isinstance(record.get("regions"), Mapping) else None
        if scored:
            raise InstrumentInputError(key_path("regions", area), dict(scored), ("no item: the area is marked not assessed",),
                                       "scored and marked not assessed")
    return tuple(a for a in AREAS if a in raw)


@dataclass(frozen=True)
class CLASIGaps:
    """What a CLASI record still lacks before it can be completed."""

    empty_areas: tuple[str, ...]
    """Areas with no item filled and not marked as not assessed."""
    partial_areas: tuple[tuple[str, tuple[str, ...]], ...]
    """Areas scored in part: (area, the items still empty)."""
    missing_patient_items: tuple[str, ...]
    not_assessed: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """Every area scored or marked not assessed, every once-per-patient item filled."""
        return not (self.empty_areas or self.partial_areas or self.missing_patient_items)

    @property
    def scorable(self) -> bool:
        """Complete and every area assessed: only then do CLASI-A and CLASI-D exist."""
        return self.complete and not self.not_assessed

    def problems(self) -> list[tuple[str, str]]:
        """(key path, what is missing) for each gap, in form order."""
        out = [(key_path("regions", a), "empty: score the area or mark it not assessed") for a in self.empty_areas]
        out += [(key_path("regions", a, i), "empty") for a, items in self.partial_areas for i in items]
        out += [(name, "empty") for name in self.missing_patient_items]
        return out


def clasi_gaps(record: Mapping[str, Any]) -> CLASIGaps:
    """What `record` still lacks (see the module docstring). Validates the record first."""
    score_clasi(record)
    not_assessed = not_assessed_areas(record)
    regions = record.get("regions", {})
    empty, partial = [], []
    for area in AREAS:
        if area in not_assessed:
            continue
        filled = regions.get(area, {})
        missing = tuple(i for i in area_items(area) if i not in filled)
        if len(missing) == len(area_items(area)):
            empty.append(area)
        elif missing:
            partial.append((area, missing))
    return CLASIGaps(
        empty_areas=tuple(empty), partial_areas=tuple(partial),
        missing_patient_items=tuple(n for n in PATIENT_ITEMS if n not in record), not_assessed=not_assessed,
    )


def clasi_totals(record: Mapping[str, Any]) -> CLASIScore | None:
    """The score of a case report form's record, or None while anything is empty or not assessed."""
    return score_clasi(record) if clasi_gaps(record).scorable else None


def score_clasi(record: Mapping[str, Any]) -> CLASIScore:
    """Score one CLASI record (data dictionary shape) into activity and damage.

    Raises `InstrumentInputError` naming the first offending key, its value and the allowed values.
    """
    record = check_mapping("record", record, "a JSON object (CLASI record)")
    check_keys(record, RECORD_KEYS)
    regions = check_mapping(
        "regions", record.get("regions", {}), "a JSON object keyed by CLASI area"
    )
    check_keys(regions, AREAS, prefix=("regions",))
    if NOT_ASSESSED in record:
        not_assessed_areas(record)

    patient = {
        name: check_int(name, record[name], scale) if name in record else 0
        for name, scale in PATIENT_ITEMS.items()
    }
    long_dyspigmentation = (
        check_bool(LONG_DYSPIGMENTATION, record[LONG_DYSPIGMENTATION])
        if LONG_DYSPIGMENTATION in record
        else False
    )
    multiplier = 2 if long_dyspigmentation else 1

    areas = []
    for area in AREAS:
        items = _area_items(area, regions[area]) if area in regions else {}
        erythema = items.get("erythema", 0)
        scale = items.get("scale", 0)
        dyspigmentation = items.get("dyspigmentation", 0)
        scarring = None if area == SCALP else items.get("scarring", 0)
        areas.append(
            AreaScore(
                area=area,
                erythema=erythema,
                scale=scale,
                dyspigmentation=dyspigmentation,
                scarring=scarring,
                activity=erythema + scale,
                damage=dyspigmentation * multiplier + (scarring or 0),
            )
        )

    erythema_subtotal = sum(a.erythema for a in areas)
    scale_subtotal = sum(a.scale for a in areas)
    dyspigmentation_subtotal = sum(a.dyspigmentation for a in areas) * multiplier
    scarring_subtotal = sum(a.scarring or 0 for a in areas)
    activity = (
        erythema_subtotal
        + scale_subtotal
        + patient["mucous_membrane"]
        + patient["recent_hair_loss"]
        + patient["nonscarring_alopecia"]
    )
    damage = dyspigmentation_subtotal + scarring_subtotal + patient["scarring_alopecia"]
    return CLASIScore(
        activity=activity,
        damage=damage,
        activity_severity=activity_severity(activity),
        areas=tuple(areas),
        mucous_membrane=patient["mucous_membrane"],
        recent_hair_loss=patient["recent_hair_loss"],
        nonscarring_alopecia=patient["nonscarring_alopecia"],
        scarring_alopecia=patient["scarring_alopecia"],
        dyspigmentation_12_months_or_more=long_dyspigmentation,
        erythema_subtotal=erythema_subtotal,
        scale_subtotal=scale_subtotal,
        dyspigmentation_subtotal=dyspigmentation_subtotal,
        scarring_subtotal=scarring_subtotal,
    )


__all__ = [
    "ACTIVITY_MAX",
    "AREAS",
    "DAMAGE_MAX",
    "AreaScore",
    "CLASIGaps",
    "CLASIScore",
    "clasi_gaps",
    "clasi_totals",
    "InstrumentInputError",
    "activity_severity",
    "score_clasi",
]
