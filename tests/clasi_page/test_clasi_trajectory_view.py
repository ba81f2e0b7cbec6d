"""`/subjects/<code>/clasi-trajectory.svg` and the CLASI card of the subject page."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from clasi_testing import FULL_RECORD, RANDOMIZED_ON

from clasi_fill import scored_everywhere
from equipoise.records.actions.forms import save_form
from equipoise.records.models import AuditEvent
from equipoise.records.roles import Role


def on_day(day: int) -> str:
    return (RANDOMIZED_ON + dt.timedelta(days=day)).isoformat()


@pytest.fixture
def assessed(people, actor_of, subject):
    """CLASI at W0 (29), W4 (20) and W16 (12). The W4 visit is not marked done; its CLASI was made
    on day 31. W16 was done three days late (day 115) and its CLASI made on day 116."""
    actor = actor_of(people["assessor_a"], Role.BLINDED_ASSESSOR, "TNN")
    later = scored_everywhere({"regions": {"arms": {"erythema": 3, "scale": 2}, "chest": {"erythema": 2, "scale": 1},
                                           "face": {"erythema": 3, "scale": 2}, "legs": {"erythema": 3, "scale": 2},
                                           "nose": {"erythema": 1, "scale": 1}}})
    save_form(actor, subject, subject.visits.get(visit_id="W0"), "clasi",
              {"clasi_record": FULL_RECORD, "assessment_date": on_day(0)})
    save_form(actor, subject, subject.visits.get(visit_id="W4"), "clasi",
              {"clasi_record": later, "assessment_date": on_day(31)})
    w16 = subject.visits.get(visit_id="W16")
    w16.done_date = w16.target_date + dt.timedelta(days=3)
    w16.save()
    save_form(actor, subject, w16, "clasi", {"assessment_date": on_day(116), "clasi_record": scored_everywhere(
        {"regions": {"arms": {"erythema": 3, "scale": 2}, "face": {"erythema": 3, "scale": 2},
                     "chest": {"erythema": 1, "scale": 1}}})})
    return subject


def test_trajectory_is_an_svg_with_baseline_response_line_and_w16(people, client_for, assessed):
    response = client_for(people["assessor_a"], "en").get(f"/subjects/{assessed.code}/clasi-trajectory.svg")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response["Cache-Control"] == "no-store"
    assert "script-src" not in response["Content-Security-Policy"]
    svg = response.content.decode()
    root = ET.fromstring(svg)
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    assert {"clasi-a", "clasi-d", "baseline", "response-line", "primary-mark"} <= ids
    assert "Baseline CLASI-A = 29" in svg and "CLASI-50 threshold ≤ 14.5" in svg
    # Tick labels name each visit over the day its CLASI was made, not the visit's nominal day
    # (W4 is nominally day 28) nor the day the visit was marked done (W16 on day 115).
    texts = [el.text for el in root.iter("{http://www.w3.org/2000/svg}text")]
    ticks = list(zip(texts, texts[1:], strict=False))
    assert ("W0", "0") in ticks and ("W4", "31") in ticks and ("W16", "116") in ticks
    assert ("W4", "28") not in ticks and ("W16", "115") not in ticks
    for total in ("29", "20", "12"):
        assert total in texts, total


def test_trajectory_respects_site_scoping(people, client_for, assessed):
    before = AuditEvent.objects.filter(action="access.denied").count()
    assert client_for(people["inv_b"]).get(f"/subjects/{assessed.code}/clasi-trajectory.svg").status_code == 404
    assert AuditEvent.objects.filter(action="access.denied").count() == before + 1
    assert client_for(people["monitor"]).get(f"/subjects/{assessed.code}/clasi-trajectory.svg").status_code == 200


def test_subject_without_clasi_gets_an_empty_figure(people, client_for, subject):
    svg = client_for(people["inv_a"], "en").get(f"/subjects/{subject.code}/clasi-trajectory.svg").content.decode()
    assert "No CLASI recorded yet" in svg


def test_subject_page_lists_the_totals_and_shows_the_figure(people, client_for, assessed):
    body = client_for(people["assessor_a"]).get(f"/subjects/{assessed.code}/").content.decode()
    rows = re.findall(r'<tr data-visit="(\w+)">.*?class="clasi-a">(\d+)</td><td class="clasi-d">(\d+)</td>', body)
    assert rows == [("W0", "29", "21"), ("W4", "20", "0"), ("W16", "12", "0")]
    assert f'<img id="clasi-trajectory" src="/subjects/{assessed.code}/clasi-trajectory.svg"' in body
