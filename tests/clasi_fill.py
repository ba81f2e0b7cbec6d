"""Test helper: a CLASI record with every item the test leaves out scored 0 explicitly.

A case report form never scores an empty item, so a test that means "nothing elsewhere" must say so.
"""

from __future__ import annotations

from typing import Any

from equipoise.instruments.clasi import AREAS, PATIENT_ITEMS, area_items


def scored_everywhere(record: dict[str, Any]) -> dict[str, Any]:
    """`record` with every area and once-per-patient item it leaves out set to 0 (areas marked not
    assessed stay so)."""
    skipped = set(record.get("not_assessed", []))
    regions = {area: {item: record.get("regions", {}).get(area, {}).get(item, 0) for item in area_items(area)}
               for area in AREAS if area not in skipped}
    return {**{name: 0 for name in PATIENT_ITEMS}, **record, "regions": regions}
