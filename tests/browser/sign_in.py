"""Signing in through the real login page, shared by the browser tests."""

# The password the `people` personas of tests/conftest.py share.
PERSONA_PASSWORD = "correct-horse-battery"


def log_in(page, base: str, username: str, password: str = PERSONA_PASSWORD) -> None:
    """Sign in through the real login page and wait for the subject list."""
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("form[action='/login/'] button[type=submit]").click()
    page.wait_for_url(f"{base}/")
