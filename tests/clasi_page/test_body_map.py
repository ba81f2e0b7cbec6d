"""The body map SVG: 13 area groups, each shaded by its activity, with a legend and titles."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from clasi_testing import FULL_RECORD

from equipoise.instruments.clasi import AREAS, score_clasi
from equipoise.web.body_map import AREA_ACTIVITY_MAX, AREA_LABELS, DRAW_ORDER, PALETTE, body_map_svg

SVG = "{http://www.w3.org/2000/svg}"


def areas_of(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {g.get("data-area"): g for g in root.iter(f"{SVG}g") if "clasi-area" in (g.get("class") or "")}


def test_every_area_is_drawn_once_and_painted_in_order():
    assert sorted(DRAW_ORDER) == sorted(AREAS) and len(DRAW_ORDER) == 13
    groups = areas_of(body_map_svg(None))
    assert sorted(groups) == sorted(AREAS)
    for area, group in groups.items():
        assert group.get("id") == f"clasi-area-{area}"
        assert len([child for child in group if child.tag != f"{SVG}title"]) >= 1, area


def test_fills_follow_each_area_activity():
    score = score_clasi(FULL_RECORD)
    groups = areas_of(body_map_svg(score, language="en"))
    for area in AREAS:
        activity = score.area(area).activity
        assert groups[area].get("fill") == PALETTE[activity], area
        assert groups[area].get("data-activity") == str(activity)
        assert f"level-{activity}" in groups[area].get("class")
    # The record has areas at 0, 1, 2, 4 and 5, so several distinct shades show.
    assert len({g.get("fill") for g in groups.values()}) == len({score.area(a).activity for a in AREAS})


def test_no_score_leaves_every_area_unshaded():
    groups = areas_of(body_map_svg(None))
    assert {g.get("fill") for g in groups.values()} == {PALETTE[0]}


def test_palette_covers_every_possible_area_activity():
    assert AREA_ACTIVITY_MAX == 5 and len(PALETTE) == AREA_ACTIVITY_MAX + 1 and len(set(PALETTE)) == 6


@pytest.mark.parametrize("language, word", [("fr", "activité"), ("en", "activity")])
def test_titles_name_the_area_and_its_activity(language, word):
    score = score_clasi({"regions": {"chest": {"erythema": 3, "scale": 1}}})
    svg = body_map_svg(score, language=language)
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text and root.find(f"{SVG}desc").text
    chest = areas_of(svg)["chest"]
    assert chest.find(f"{SVG}title").text == f"{AREA_LABELS['chest'][language]}: {word} 4"


def test_legend_has_one_swatch_per_level_with_the_palette():
    root = ET.fromstring(body_map_svg(None, language="en"))
    swatches = {r.get("data-level"): r.get("fill") for r in root.iter(f"{SVG}rect") if r.get("data-level")}
    assert swatches == {str(level): colour for level, colour in enumerate(PALETTE)}


def test_svg_carries_no_script_or_inline_style():
    svg = body_map_svg(score_clasi(FULL_RECORD))
    assert "<script" not in svg and "style=" not in svg
