"""The blinded assessor fills in a full CLASI on a tablet: live totals and body-map shading while
tapping, then saving, and the same totals on the subject page with the trajectory figure."""

from __future__ import annotations

import datetime as dt

import pytest

from browser.sign_in import log_in
from clasi_page.clasi_testing import FULL_RECORD
from equipoise.instruments.clasi import AREAS, PATIENT_ITEMS, score_clasi
from equipoise.records.models import FormRecord
from equipoise.web.body_map import PALETTE

pytestmark = pytest.mark.browser

TABLET = {"width": 1024, "height": 768}


@pytest.fixture(autouse=True)
def protocols_root(settings):
    from pathlib import Path

    settings.PROTOCOLS_DIR = Path(__file__).resolve().parents[2] / "protocols"


@pytest.fixture
def viewport() -> dict[str, int]:
    return TABLET


@pytest.fixture
def subject(people, actor_of):
    from equipoise.records.actions.subjects import create_subject
    from equipoise.records.roles import Role
    from equipoise.records.visits_setup import create_schedule

    subject = create_subject(actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN"), people["site_a"], "nct06965244")
    create_schedule(subject, dt.date(2026, 3, 2))
    return subject


def tap(page, name: str, value: int) -> None:
    page.locator(f'label[for="c-{name.replace(".", "-")}-{value}"]').click()


def test_assessor_fills_a_full_clasi_on_a_tablet(live_server, page, browser_errors, artifacts_dir, people, subject):
    base = live_server.url
    log_in(page, base, "assessor_a")
    visit = subject.visits.get(visit_id="W0")
    url = f"{base}/subjects/{subject.code}/visits/{visit.pk}/forms/clasi/"
    page.goto(url)
    assert page.locator("#clasi-a-total").inner_text() == "0"
    assert page.locator('input[type="radio"]:checked').count() == 0  # nothing chosen for the assessor
    page.locator("#f-assessment_date").fill("2026-03-02")

    # One tap already updates the totals and the body map.
    tap(page, "regions.chest.erythema", 2)
    assert page.locator("#clasi-a-total").inner_text() == "2"
    assert page.locator("#clasi-area-chest").get_attribute("fill") == PALETTE[2]
    assert page.locator("#clasi-severity").inner_text() == "—"  # no severity while areas are empty
    assert page.locator("#clasi-status").inner_text().startswith("Incomplet : 12 zone(s) encore vide(s)")

    # Touch targets are at least 44 CSS pixels each way.
    box = page.locator('label[for="c-regions-arms-scale-1"]').bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44

    for area, items in FULL_RECORD["regions"].items():
        for item, value in items.items():
            tap(page, f"regions.{area}.{item}", value)
    for name in PATIENT_ITEMS:
        tap(page, name, FULL_RECORD[name])
    page.locator("#f-dyspigmentation_12_months_or_more").check()

    expected = score_clasi(FULL_RECORD)
    assert (expected.activity, expected.damage) == (29, 21)
    assert page.locator("#clasi-a-total").inner_text() == "29"
    assert page.locator("#clasi-d-total").inner_text() == "21"
    assert page.locator("#clasi-severity").inner_text() == "sévère"
    assert page.locator("#clasi-status").inner_text() == "Toutes les zones sont remplies."
    for area in AREAS:
        shape = page.locator(f"#clasi-area-{area}")
        activity = expected.area(area).activity
        assert shape.get_attribute("fill") == PALETTE[activity], area
        assert shape.locator("title").text_content().endswith(f" {activity}"), area
        assert page.locator(f'[data-area-activity="{area}"]').inner_text() == str(activity)
    # The grid stays within its column, clear of the totals and body map beside it.
    grid = page.locator("#clasi-grid").bounding_box()
    side = page.locator(".clasi-side").bounding_box()
    assert grid["x"] + grid["width"] <= side["x"]
    assert page.evaluate("() => document.scrollingElement.scrollWidth <= innerWidth")
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts_dir / "clasi-entry.png"), full_page=True)

    page.locator("#clasi-save").click()
    page.wait_for_url(url)
    assert "CLASI enregistré" in page.locator(".messages").inner_text()
    record = FormRecord.objects.get(visit=visit, form_id="clasi")
    assert record.data == {"clasi_record": FULL_RECORD, "assessment_date": "2026-03-02", "assessor": "assessor_a"}
    assert record.derived == {"clasi_a": 29, "clasi_d": 21}
    assert page.locator("#clasi-a-total").inner_text() == "29"

    page.goto(f"{base}/subjects/{subject.code}/")
    row = page.locator('#clasi-totals tr[data-visit="W0"]')
    assert row.locator(".clasi-a").inner_text() == "29" and row.locator(".clasi-d").inner_text() == "21"
    figure = page.locator("#clasi-trajectory")
    figure.scroll_into_view_if_needed()
    page.wait_for_function("() => document.getElementById('clasi-trajectory').complete")
    assert figure.evaluate("img => img.naturalWidth") > 0
    page.screenshot(path=str(artifacts_dir / "clasi-subject-page.png"), full_page=True)
    assert browser_errors == []


def test_monitor_sees_the_assessment_read_only(live_server, page, browser_errors, people, subject, actor_of):
    from equipoise.records.actions.forms import save_form
    from equipoise.records.roles import Role

    visit = subject.visits.get(visit_id="W0")
    save_form(actor_of(people["assessor_a"], Role.BLINDED_ASSESSOR, "TNN"), subject, visit, "clasi",
              {"clasi_record": FULL_RECORD, "assessment_date": "2026-03-02", "assessor": "assessor_a"})
    log_in(page, live_server.url, "monitor")
    page.goto(f"{live_server.url}/subjects/{subject.code}/visits/{visit.pk}/forms/clasi/")
    assert page.locator("#clasi-read-only").is_visible()
    assert page.locator("#clasi-a-total").inner_text() == "29"
    assert page.locator("#clasi-area-nose").get_attribute("fill") == PALETTE[5]
    assert page.locator("#c-regions-nose-erythema-3").is_checked()
    assert page.locator("#c-regions-nose-erythema-3").is_disabled()
    assert page.locator("#clasi-save").count() == 0
    assert browser_errors == []


def test_an_untouched_area_blocks_completion_and_not_assessed_is_accepted(
        live_server, page, browser_errors, artifacts_dir, people, subject):
    base = live_server.url
    log_in(page, base, "assessor_a")
    visit = subject.visits.get(visit_id="W0")
    url = f"{base}/subjects/{subject.code}/visits/{visit.pk}/forms/clasi/"
    page.goto(url)
    page.locator("#f-assessment_date").fill("2026-03-02")
    # Everything scored except the feet, which nobody touched.
    for area, items in FULL_RECORD["regions"].items():
        if area != "feet":
            for item, value in items.items():
                tap(page, f"regions.{area}.{item}", value)
    for name in PATIENT_ITEMS:
        tap(page, name, FULL_RECORD[name])
    assert page.locator("#clasi-status").inner_text() == "Incomplet : 1 zone(s) encore vide(s)"
    assert page.locator("#clasi-severity").inner_text() == "—"
    page.locator("#clasi-save").click()
    page.wait_for_url(url)
    record = FormRecord.objects.get(visit=visit, form_id="clasi")
    assert record.derived == {"clasi_a": None, "clasi_d": None}
    page.locator('form[action$="/complete/"] input[name=confirm]').check()
    page.locator('form[action$="/complete/"] button').click()
    page.wait_for_url(url)
    assert "Pieds" in page.locator(".messages").inner_text()
    record.refresh_from_db()
    assert record.state == "draft"
    page.screenshot(path=str(artifacts_dir / "clasi-incomplete-refused.png"), full_page=True)

    # Ticking "not assessed" greys the area out and lets the assessment be completed, with no total.
    page.locator('label[for="na-feet"]').click()
    assert page.locator("#row-feet").get_attribute("class").startswith("not-assessed")
    assert page.locator("#c-regions-feet-erythema-0").is_disabled()
    assert page.locator("#clasi-status").inner_text() == "Pas de total : une zone n'a pas été évaluée."
    page.locator("#reason").fill("pieds non examinés")
    page.locator("#clasi-save").click()
    page.wait_for_url(url)
    page.locator('form[action$="/complete/"] input[name=confirm]').check()
    page.locator('form[action$="/complete/"] button').click()
    page.wait_for_url(url)
    record.refresh_from_db()
    assert record.state == "complete"
    assert record.data["clasi_record"]["not_assessed"] == ["feet"]
    assert record.derived == {"clasi_a": None, "clasi_d": None}
    assert page.locator("#clasi-status").inner_text() == "Pas de total : une zone n'a pas été évaluée."
    page.screenshot(path=str(artifacts_dir / "clasi-not-assessed-complete.png"), full_page=True)
    assert browser_errors == []
