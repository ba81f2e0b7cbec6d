"""A refused adverse-event report in a real browser (issue 13 item 3): the investigator, in French,
makes one mistake (a grade of 7) among a dozen answers; the page comes back with every answer as
typed (text, dates, ticked boxes, chosen options), the error beside the grade in French, and
nothing saved. Correcting only the grade reports the event."""

from __future__ import annotations

import pytest

from browser.sign_in import log_in
from browser.test_dispensing import speak, woman_on_lenalidomide

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_refused_adverse_event_report_keeps_every_answer(
        live_server, page, people, actor_of, browser_errors, artifacts_dir):
    from equipoise.treatment.models import AdverseEvent

    page.set_default_timeout(60_000)  # a shared, loaded machine: slow, not wrong
    base = live_server.url
    subject, _ = woman_on_lenalidomide(people, actor_of)
    log_in(page, base, "inv_a")
    speak(page, "fr")
    page.goto(f"{base}/treatment/subjects/{subject.code}/safety/")
    onset = page.input_value("#onset_date")
    page.fill("#term", "Thrombose veineuse profonde")
    page.fill("#grade", "7")
    page.check("#ae-form input[name=seriousness][value=hospitalisation]")
    page.check("#ae-form input[name=special_interest][value=thrombosis]")
    page.select_option("#causality_lenalidomide", "related")
    page.select_option("#causality_aspirin", "not_related")
    page.select_option("#action_taken", "drug_interrupted")
    page.select_option("#outcome", "recovering")
    aware = page.input_value("#site_aware_at")
    page.click("#ae-form button.primary")
    page.wait_for_load_state()

    assert not AdverseEvent.objects.exists()
    assert "Rien n'a été enregistré" in page.inner_text(".refusal-summary")
    assert "n'est pas un grade CTCAE v5" in page.inner_text("#ae-form [data-field=grade]")
    assert page.input_value("#term") == "Thrombose veineuse profonde" and page.input_value("#grade") == "7"
    assert page.input_value("#onset_date") == onset and page.input_value("#site_aware_at") == aware
    assert page.is_checked("#ae-form input[name=seriousness][value=hospitalisation]")
    assert not page.is_checked("#ae-form input[name=seriousness][value=death]")
    assert page.is_checked("#ae-form input[name=special_interest][value=thrombosis]")
    assert page.input_value("#causality_lenalidomide") == "related"
    assert page.input_value("#causality_aspirin") == "not_related"
    assert page.input_value("#action_taken") == "drug_interrupted" and page.input_value("#outcome") == "recovering"
    page.screenshot(path=str(artifacts_dir / "ae-report-refused-fr.png"), full_page=True)

    page.fill("#grade", "3")
    page.click("#ae-form button.primary")
    page.wait_for_load_state()
    assert "Événement indésirable déclaré." in page.inner_text(".messages")
    event = AdverseEvent.objects.get()
    assert (event.term, event.grade, event.seriousness, event.causality["lenalidomide"]) == (
        "Thrombose veineuse profonde", 3, ["hospitalisation"], "related")
    # The refused post answers 400 on purpose; the browser logs that status, and nothing else went wrong.
    assert [e for e in browser_errors if "status of 400" not in e] == []
