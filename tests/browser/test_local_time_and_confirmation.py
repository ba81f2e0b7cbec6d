"""Picking a Paris time and confirming an irreversible act, in a real browser (issue 14, items 3-4).

The investigator reports a serious adverse event the site learned of on a summer morning, with
Chromium's own date-and-time picker and no offset typed: the event keeps the UTC instant, its page
shows the Paris time back and its overdue clock in days and hours. Then she ends the patient's
participation: the browser will not send the form until the confirmation box is ticked, and once
it is, a message says what was done.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from browser.sign_in import log_in
from browser.test_dispensing import woman_on_lenalidomide

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_paris_time_is_picked_stored_in_utc_and_an_end_of_participation_is_confirmed(
        live_server, page, people, actor_of, browser_errors, artifacts_dir):
    page.set_default_timeout(60_000)  # a shared, loaded machine: slow, not wrong
    base = live_server.url
    subject, _ = woman_on_lenalidomide(people, actor_of)
    log_in(page, base, "inv_a")

    page.goto(f"{base}/treatment/subjects/{subject.code}/safety/")
    assert page.get_attribute("#site_aware_at", "type") == "datetime-local"
    page.fill("#term", "Thrombose veineuse profonde")
    page.fill("#onset_date", "2026-07-14")
    page.fill("#grade", "3")
    page.check("input[name=seriousness][value=hospitalisation]")
    page.fill("#site_aware_at", "2026-07-15T09:30")  # what the picker sends: Paris wall-clock time
    for select in page.locator("select[id^=causality_]").all():
        select.select_option("not_related")
    page.click("#ae-form button.primary")
    page.wait_for_load_state()

    event = subject.adverse_events.get()
    assert event.site_aware_at == dt.datetime(2026, 7, 15, 7, 30, tzinfo=dt.UTC)  # summer: UTC+2
    page.goto(f"{base}/treatment/adverse-events/{event.pk}/")
    facts = page.inner_text("dl.facts")
    assert "15/07/2026 à 09:30 (UTC+02:00)" in facts
    assert re.search(r"en retard depuis le 16/07/2026 à 09:30 .*, de \d+ j \d+ h\.", page.inner_text("#clocks"))
    page.screenshot(path=str(artifacts_dir / "local-time-adverse-event-fr.png"), full_page=True)

    # Ending the participation asks first: unticked, the browser keeps the form and nothing changes.
    page.goto(f"{base}/subjects/{subject.code}/")
    page.click("#end-participation summary")
    page.select_option("#ep-outcome", "lost_to_follow_up")
    page.fill("#ep-reason", "ne répond plus aux appels")
    confirm = page.locator("#end-participation input[name=confirm]")
    assert "quitte l'étude à cette date" in page.inner_text("#end-participation .confirm")
    page.click("#end-participation button")
    assert confirm.evaluate("box => !box.validity.valid")
    subject.refresh_from_db()
    assert subject.status == "randomized"
    page.screenshot(path=str(artifacts_dir / "confirm-end-participation-fr.png"), full_page=True)

    confirm.check()
    page.click("#end-participation button")
    page.wait_for_load_state()
    assert "Fin de participation enregistrée" in page.inner_text(".messages")
    subject.refresh_from_db()
    assert subject.status == "lost_to_follow_up"
    assert not browser_errors
