"""Filling in a new subject's screening blood tests through the page, shared by the browser tests."""

import re


def fill_screening_labs(page) -> None:
    """From a subject's page, open the screening blood tests and save them (neutrophils with a
    French decimal comma)."""
    page.locator("section.visit").first.locator("a", has_text=re.compile("Bilan sanguin|Blood tests")).click()
    page.fill("#f-lab_date", "2026-01-05")
    page.fill("#f-lab_neutrophils_g_l", "2,5")
    page.fill("#f-lab_platelets_g_l", "210")
    page.click("#record-form button[type=submit]")
    page.wait_for_load_state()
