"""The CLASI trajectory figure: series, baseline, CLASI-50 level and the W16 mark."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest

from equipoise.web.trajectory import (
    TrajectoryPoint,
    assessment_study_day,
    response_level,
    trajectory_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
POINTS = [
    TrajectoryPoint("SCR", -14, 18, 6),
    TrajectoryPoint("W0", 0, 20, 7),
    TrajectoryPoint("W4", 28, 15, 7),
    TrajectoryPoint("W16", 112, 9, 8),
]


def ids(svg: str) -> set[str]:
    return {el.get("id") for el in ET.fromstring(svg).iter() if el.get("id")}


def test_figure_has_both_series_baseline_response_line_and_primary_mark():
    svg = trajectory_svg(POINTS, baseline_a=20, primary_day=112, primary_label="W16", language="en")
    assert {"clasi-a", "clasi-d", "baseline", "response-line", "primary-mark", "primary-label"} <= ids(svg)
    assert "Baseline CLASI-A = 20" in svg and "CLASI-50 threshold ≤ 10" in svg
    assert "W16" in svg and "CLASI-A (activity)" in svg and "CLASI-D (damage)" in svg
    for value in ("18", "20", "15", "9"):
        assert f">{value}<" in svg, value


def test_french_labels():
    svg = trajectory_svg(POINTS, baseline_a=20, primary_day=112, primary_label="W16", language="fr")
    assert "CLASI-A initial = 20" in svg and "Seuil CLASI-50" in svg and "Jour d'étude" in svg


def test_without_baseline_there_is_no_baseline_or_response_line():
    svg = trajectory_svg(POINTS[:1], baseline_a=None, primary_day=112, primary_label="W16", language="en")
    found = ids(svg)
    assert "clasi-a" in found and "primary-mark" in found
    assert "baseline" not in found and "response-line" not in found


def test_baseline_of_zero_has_no_response_line():
    svg = trajectory_svg([TrajectoryPoint("W0", 0, 0, 0)], baseline_a=0, primary_day=112,
                         primary_label="W16", language="en")
    assert "baseline" in ids(svg) and "response-line" not in ids(svg)


def test_no_points_says_so():
    svg = trajectory_svg([], baseline_a=None, primary_day=112, primary_label="W16", language="en")
    assert "empty-note" in ids(svg) and "No CLASI recorded yet" in svg


def test_output_is_deterministic():
    def draw() -> str:
        return trajectory_svg(POINTS, baseline_a=20, primary_day=112, primary_label="W16")

    assert draw() == draw()


@pytest.mark.parametrize("baseline, level", [(20, 10.0), (7, 3.5), (70, 35.0)])
def test_response_level_is_half_of_baseline(baseline, level):
    assert response_level(baseline) == level
    assert response_level(10, Fraction(70, 100)) == pytest.approx(3.0)


def test_study_day_is_the_day_the_assessment_was_made():
    """The assessment's own date first, then the day the visit was done; never a nominal day."""
    day0 = dt.date(2026, 3, 2)
    assert assessment_study_day(assessed=dt.date(2026, 6, 26), done=dt.date(2026, 6, 25), randomized_on=day0) == 116
    assert assessment_study_day(assessed=None, done=dt.date(2026, 6, 25), randomized_on=day0) == 115
    assert assessment_study_day(assessed=dt.date(2026, 2, 20), done=None, randomized_on=day0) == -10
    assert assessment_study_day(assessed=None, done=None, randomized_on=day0) is None
    assert assessment_study_day(assessed=dt.date(2026, 4, 1), done=None, randomized_on=None) is None
