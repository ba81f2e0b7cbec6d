"""A working day per role, in French, starting from the home page and following its links.

The trial is the demo (`equipoise demo`: two sites, patients at every stage, built through the
actions), so the home page has real work on it: overdue visits, forms missing, clocks, queries.
"""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings, tmp_path):
    from django.utils import timezone

    from equipoise.demo.people import demo_password
    from equipoise.demo.seed import seed_demo
    from equipoise.visits.localtime import trial_date

    settings.VAR_DIR = tmp_path
    seed_demo(trial_date(timezone.now()), progress=lambda _line: None)
    return demo_password()


def log_in(page, base, username, password):
    page.set_default_timeout(60_000)  # the demo trial's pages, on a shared machine
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("form[action='/login/'] button[type=submit]").click()
    page.wait_for_url(f"{base}/")


def home_line(page, text: str):
    """The link of the home line reading `text`, and its count."""
    link = page.locator(".due-lines a", has_text=text).first
    return link, int(link.locator(".due-count").inner_text())


def go_home(page):
    page.locator("nav a", has_text="Accueil").click()
    page.wait_for_load_state()
    assert "À faire" in page.inner_text("h1")


def test_investigator_day(live_server, page, demo, browser_errors):
    base = live_server.url
    log_in(page, base, "investigator.tnn", demo)
    assert "À faire" in page.inner_text("h1")
    page.screenshot(path="/tmp/ux/home-investigator-fr.png", full_page=True)

    link, overdue = home_line(page, "Visites en retard")
    link.click()
    page.wait_for_url(re.compile(r".*/treatment/worklist/#overdue-visits$"))
    if overdue:
        page.locator("#overdue-visits a").first.click()
        page.wait_for_url(re.compile(r".*/treatment/subjects/TNN-\d{4}/$"))

    go_home(page)
    link, missing = home_line(page, "Formulaires manquants aux visites faites")
    link.click()
    page.wait_for_url(re.compile(r".*/treatment/worklist/#missing-forms$"))
    assert missing > 0  # the demo leaves forms to complete at done visits
    if missing:
        page.locator("#missing-forms tbody a[href*='/forms/']").first.click()
        page.wait_for_url(re.compile(r".*/forms/[a-z_]+/$"))
        assert page.locator("main form").count() >= 1  # the form, ready to fill

    go_home(page)
    home_line(page, "Délais de déclaration EIG et SUSAR en cours")[0].click()
    page.wait_for_url(re.compile(r".*/treatment/safety/$"))

    go_home(page)
    page.locator("#recruitment a").first.click()
    page.wait_for_url(re.compile(r".*/subjects/\?site=TNN&status=randomized$"))
    assert page.locator("#subjects tbody tr").count() >= 1
    page.screenshot(path="/tmp/ux/subjects-investigator-fr.png", full_page=True)
    assert not browser_errors


def test_data_manager_day(live_server, page, demo, browser_errors):
    base = live_server.url
    log_in(page, base, "datamanager", demo)
    page.screenshot(path="/tmp/ux/home-dm-fr.png", full_page=True)
    for text in ("Requêtes ouvertes depuis moins de 7 jours", "Formulaires complets en attente de verrouillage"):
        link, _count = home_line(page, text)
        link.click()
        page.wait_for_load_state()
        assert page.locator("h1").count() == 1
        go_home(page)
    home_line(page, "Visites en retard")[0].click()
    page.wait_for_url(re.compile(r".*/treatment/worklist/#overdue-visits$"))
    page.locator("nav a", has_text="À faire").click()
    page.wait_for_url(re.compile(r".*/worklist/$"))
    assert page.locator("#drafts").count() == 1
    page.screenshot(path="/tmp/ux/worklist-dm-fr.png", full_page=True)
    assert not browser_errors


def test_blinded_assessor_day(live_server, page, demo, browser_errors):
    base = live_server.url
    log_in(page, base, "assessor.tnn", demo)
    assert page.locator("nav a[href^='/treatment/']").count() == 0
    link, overdue = home_line(page, "Visites en retard")
    link.click()
    page.wait_for_url(re.compile(r".*/subjects/\?next=overdue$"))
    assert overdue == 0 or page.locator("#subjects tbody a").count() >= 1  # subjects with overdue visits
    page.locator("button", has_text="EN").click()
    page.wait_for_load_state()
    page.screenshot(path="/tmp/ux/subjects-assessor-en.png", full_page=True)
    assert not browser_errors
