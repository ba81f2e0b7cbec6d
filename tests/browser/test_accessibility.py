"""Accessibility: axe-core on the main pages of every role, and one form used with the keyboard alone.

axe-core comes from the project's own package-lock.json (`make browser` runs `npm ci`); nothing is
downloaded here. It is injected into each page (the browser context bypasses the page's CSP for
that script only: the pages themselves keep their policy) and the test fails on any violation
axe rates serious or critical, listing the rule, the impact and the elements.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser.conftest import DESKTOP, REPO

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map(n => n.target.join(" "))}));
}"""

# The main pages of each demo role: the home page's links are followed by the working-day tests;
# these are the pages each role lives on, plus one subject's pages and one form.
PAGES = {
    "investigator.tnn": ["/", "/subjects/", "{subject}", "{form}", "/worklist/", "/treatment/worklist/",
                         "/treatment/safety/", "/screening-log/"],
    "assessor.tnn": ["/", "/subjects/", "/worklist/"],
    "pharmacist.tnn": ["/", "/treatment/worklist/", "{treatment}"],
    "datamanager": ["/", "/data/locking/", "/data/queries/", "/audit/", "{form}"],
    "monitor": ["/", "/data/verification/", "/data/queries/", "{form}"],
    "statistician": ["/", "/stats/", "/randomization/"],
    "sponsor": ["/", "/administration/sites/", "/administration/users/", "/exports/", "/account/"],
}


@pytest.fixture
def demo(settings, tmp_path):
    from django.utils import timezone

    from equipoise.demo.people import demo_password
    from equipoise.demo.seed import seed_demo
    from equipoise.visits.localtime import trial_date

    settings.VAR_DIR = tmp_path
    seed_demo(trial_date(timezone.now()), progress=lambda _line: None)
    return demo_password()


@pytest.fixture
def axe_page(browser):
    """A French tab whose context lets the injected axe script run under the pages' CSP."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make browser` (npm ci installs axe-core from package-lock.json)")
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR", bypass_csp=True)
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    yield tab
    context.close()


def sign_in(page, base: str, username: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("form[action='/login/'] button[type=submit]").click()
    page.wait_for_url(f"{base}/")


def violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]


def sample_urls() -> dict[str, str]:
    """One randomized subject of the first site, its subject page, treatment page and a saved form."""
    from django.urls import reverse

    from equipoise.records.models import FormRecord, SubjectStatus

    record = (FormRecord.objects.filter(subject__site__code="TNN", subject__status=SubjectStatus.RANDOMIZED,
                                        form_id="labs").select_related("subject").first())
    assert record is not None, "the demo has a randomized patient with blood tests at TNN"
    code = record.subject.code
    return {"subject": reverse("subject", args=[code]), "treatment": reverse("subject-treatment", args=[code]),
            "form": reverse("form", kwargs={"code": code, "visit_pk": record.visit_id, "form_id": "labs"})}


def test_the_main_pages_of_every_role_have_no_serious_accessibility_violation(live_server, axe_page, demo):
    base, samples, found = live_server.url, sample_urls(), []
    for username, paths in PAGES.items():
        sign_in(axe_page, base, username, demo)
        for path in paths:
            url = path.format(**samples)
            response = axe_page.goto(base + url)
            assert response is not None and response.status == 200, (username, url)
            assert axe_page.locator("html").get_attribute("lang") == "fr", url
            found += [f"{username} {url}: {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}"
                      for v in violations(axe_page)]
    for path in ("/login/", "/trials/nct06965244/"):
        axe_page.context.clear_cookies()
        axe_page.goto(base + path)
        found += [f"anonymous {path}: {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}"
                  for v in violations(axe_page)]
    assert not found, "\n".join(found)


def tab_to(page, matches: str, presses: int = 120) -> None:
    """Press Tab until the focused element satisfies the JavaScript test `matches` (on `el`)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => Boolean({matches}))(document.activeElement)"):
            return
    pytest.fail(f"nothing matching {matches} is reachable with Tab")


def test_a_form_is_filled_and_sent_with_the_keyboard_alone(live_server, page, people):
    """The investigator signs in, creates a patient, opens the blood tests form and saves it: Tab,
    typing and Enter only, no mouse and no URL typed after the login page."""
    from equipoise.records.models import FormRecord

    base = live_server.url
    page.goto(f"{base}/login/")
    tab_to(page, "el.id === 'id_username'")
    page.keyboard.type("inv_a")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password"
    page.keyboard.type("correct-horse-battery")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")
    tab_to(page, "el.tagName === 'A' && el.getAttribute('href') === '/subjects/'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/subjects/")
    tab_to(page, "el.tagName === 'BUTTON' && el.form && el.form.getAttribute('action') === '/subjects/new/'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/subjects/TNN-0001/$"))
    tab_to(page, "el.tagName === 'A' && /[/]forms[/]labs[/]$/.test(el.getAttribute('href'))")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/forms/labs/$"))
    tab_to(page, "el.id === 'f-lab_platelets_g_l'")
    page.keyboard.type("210")
    tab_to(page, "el.tagName === 'BUTTON' && el.form && el.form.id === 'record-form'")
    page.keyboard.press("Enter")
    page.wait_for_selector("#form-state")
    assert FormRecord.objects.get(subject__code="TNN-0001", form_id="labs").data["lab_platelets_g_l"] == 210


def test_axe_comes_from_the_projects_lock_file():
    lock = (REPO / "package-lock.json").read_text(encoding="utf-8")
    assert '"node_modules/axe-core"' in lock and '"integrity": "sha512-' in lock
    assert Path(AXE).is_file()
