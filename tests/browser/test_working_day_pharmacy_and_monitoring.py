"""A working day of the pharmacist and of the monitor, in French, from the home page and its links.

The trial is the demo (`equipoise demo`), as in `test_working_day`. Home lines are found by where
they lead (their link), and their counts are read before and after the work, so the test follows
the page as a person would and checks that the home page moved with what was done.
"""

from __future__ import annotations

import re

import pytest

from browser.test_working_day import demo, go_home, log_in  # noqa: F401  (the demo fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def home_link(page, href: str):
    """The home line leading to `href`, and its count."""
    link = page.locator(f".due-lines a[href='{href}']").first
    return link, int(link.locator(".due-count").inner_text())


def messages(page) -> str:
    return page.inner_text(".messages") if page.locator(".messages").count() else ""


def test_pharmacist_day(live_server, page, demo, browser_errors, artifacts_dir):  # noqa: F811
    from equipoise.treatment.models import Dispensing, TabletReturn

    base = live_server.url
    log_in(page, base, "pharmacist.tnn", demo)
    assert "À faire" in page.inner_text("h1")
    page.screenshot(path=str(artifacts_dir / "home-pharmacist-fr.png"), full_page=True)

    # The visits due now: the patient coming in this week, whose tablets come back to be counted.
    link, due = home_link(page, "/treatment/worklist/#due-visits")
    assert due >= 1  # the demo has a patient at TNN whose week-4 visit is open
    link.click()
    page.wait_for_url(re.compile(r".*/treatment/worklist/#due-visits$"))
    page.locator("#due-visits tbody a").first.click()
    page.wait_for_url(re.compile(r".*/treatment/subjects/TNN-\d{4}/$"))
    code = page.url.rstrip("/").rsplit("/", 1)[1]
    count_form = page.locator("form[id^=return-form-]").first
    assert count_form.count() == 1, "a dispensing whose return is still to be counted"
    dispensing = Dispensing.objects.get(pk=int(count_form.get_attribute("id").rsplit("-", 1)[1]))
    assert dispensing.prescription.subject.code == code
    count_form.locator("input[name=tablets_returned]").fill("2")
    if count_form.locator("input[name=auxiliary_returned]").count():
        count_form.locator("input[name=auxiliary_returned]").fill("1")
    count_form.locator("button").click()
    page.wait_for_load_state()
    assert "compté" in messages(page).lower(), messages(page)
    row = page.inner_text("#prescriptions")
    assert "%" in row  # the adherence of the counted dispensing
    counted = TabletReturn.objects.get(dispensing=dispensing)
    assert counted.tablets_returned == 2 and counted.counted_by.username == "pharmacist.tnn"
    page.screenshot(path=str(artifacts_dir / "treatment-pharmacist-fr.png"), full_page=True)

    # Then the other lines of the day: forms missing at done visits, pregnancy tests due.
    go_home(page)
    link, missing = home_link(page, "/treatment/worklist/#missing-forms")
    link.click()
    page.wait_for_url(re.compile(r".*/treatment/worklist/#missing-forms$"))
    assert page.locator("#missing-forms").count() == 1
    go_home(page)
    link, _tests = home_link(page, "/treatment/worklist/#pregnancy-tests")
    link.click()
    page.wait_for_url(re.compile(r".*/treatment/worklist/#pregnancy-tests$"))
    assert page.locator("#pregnancy-tests").count() == 1
    # Nothing for the pharmacist that is not theirs: no locking, verification or audit pages.
    nav = page.inner_text("nav")
    assert "Verrouillage" not in nav and "Vérification" not in nav and "Audit" not in nav
    assert not browser_errors


def test_monitor_day(live_server, page, demo, browser_errors, artifacts_dir):  # noqa: F811
    from equipoise.records.models import AuditEvent, DataQuery, SourceVerification

    base = live_server.url
    log_in(page, base, "monitor", demo)
    page.screenshot(path=str(artifacts_dir / "home-monitor-fr.png"), full_page=True)
    link, awaiting = home_link(page, "/data/verification/")
    assert awaiting > 0  # the demo's completed forms, none verified yet
    link.click()
    page.wait_for_url(re.compile(r".*/data/verification/$"))
    assert "Vérification des données source" in page.inner_text("h1")
    page.screenshot(path=str(artifacts_dir / "verification-monitor-fr.png"), full_page=True)

    # Open the oldest form awaiting verification, compare, mark it verified.
    page.locator("#awaiting-verification tbody a").first.click()
    page.wait_for_url(re.compile(r".*/forms/[a-z_]+/$"))
    form_url = page.url
    assert "Pas encore vérifié sur les documents source." in page.inner_text("#source-verification")
    page.locator("#source-verification button").click()
    page.wait_for_load_state()
    assert "marqué comme vérifié sur les documents source" in messages(page)
    assert "Vérifié sur les documents source par monitor" in page.inner_text("#source-verification")
    verified = SourceVerification.objects.get()
    assert AuditEvent.objects.filter(action="form.source_verify", object_id=str(verified.record_id)).count() == 1

    # A discrepancy with the source on the same form: a query to the site.
    query_form = page.locator("form[action$='/query/']")
    query_form.locator("select[name=field]").select_option(index=0)
    query_form.locator("input[name=text]").fill("Valeur différente du dossier source, merci de vérifier.")
    query_form.locator("button").click()
    page.wait_for_load_state()
    assert page.url == form_url
    assert DataQuery.objects.filter(text__startswith="Valeur différente").count() == 1

    # Home again: one form fewer awaits verification, and the new query shows in its age bucket.
    go_home(page)
    assert home_link(page, "/data/verification/")[1] == awaiting - 1
    link, fresh = home_link(page, "/data/queries/?age=fresh")
    assert fresh >= 1
    link.click()
    page.wait_for_url(re.compile(r".*/data/queries/\?age=fresh$"))
    assert "Valeur différente du dossier source" in page.inner_text("#aged-queries")
    page.screenshot(path=str(artifacts_dir / "query-ageing-monitor-fr.png"), full_page=True)
    nav = page.inner_text("nav")
    assert "Verrouillage des données" not in nav  # locking is the data manager's
    assert not browser_errors
