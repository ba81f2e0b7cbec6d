"""The production smoke test `.ci/run` runs on PostgreSQL (EQUIPOISE_SMOKE=1; skipped otherwise, it is
the slowest test): the README's Deploy commands on a fresh database, `equipoise serve --production`
and `equipoise worker` as separate processes, /health/ green, a sign-in and a screening through
Chromium over HTTPS, an SAE whose 6-hour clock reminder the worker emails (through a real SMTP
server) once its clock is moved forward by setting, then backup, a fresh database, restore, and
`audit verify` intact."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from operations.production import (
    REPO,
    ProductionServer,
    Session,
    equipoise,
    free_port,
    own_database,
    production_env,
)

pytestmark = [pytest.mark.server, pytest.mark.browser,
              pytest.mark.skipif(os.environ.get("EQUIPOISE_SMOKE") != "1",
                                 reason="the production smoke test runs in .ci/run (EQUIPOISE_SMOKE=1)")]
CRASH_TRIAL = Path(__file__).resolve().parent / "crash_trial.py"
SPONSOR = "pharmacovigilance@sponsor.example"


class Mailbox:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) keeping what it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[dict] = []
        mailbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                from email import message_from_bytes, policy

                message = message_from_bytes(envelope.content, policy=policy.default)
                mailbox.messages.append({"to": list(envelope.rcpt_tos), "subject": str(message["Subject"]),
                                         "body": message.get_content()})
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def wait_for(self, pattern: str, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.messages if re.search(pattern, m["subject"])]
            if found:
                return found[0]
            time.sleep(0.3)
        raise AssertionError(f"no mail matching {pattern!r}; received: {[m['subject'] for m in self.messages]}")


def start_worker(env: dict[str, str], log: Path, shift_hours: float = 0) -> subprocess.Popen:
    worker_env = {**env, "EQUIPOISE_CLOCK_SHIFT_HOURS": str(shift_hours)}
    with open(log, "a") as out:
        return subprocess.Popen([str(Path(sys.executable).parent / "equipoise"), "worker", "--interval", "2"],
                                env=worker_env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=60)


def wait_healthy(session: Session, timeout: float = 120) -> tuple[int, dict]:
    deadline = time.monotonic() + timeout
    while True:
        status, _, body = session.get("/health/")
        if status == 200 or time.monotonic() > deadline:
            return status, json.loads(body)
        time.sleep(1)


def sign_in_and_screen(url: str, token: str, shots: Path) -> str:
    from playwright.sync_api import sync_playwright

    from browser.conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(ignore_https_errors=True, locale="fr-FR")
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{url}/login/")
        page.fill("#id_username", "inv_a")
        page.fill("#id_password", "correct-horse-battery")
        page.locator("form[action='/login/'] button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/account/second-factor/.*"))
        page.fill("#otp_code", token)
        page.locator("button[type=submit]").click()
        page.wait_for_url(f"{url}/")
        page.goto(f"{url}/subjects/")
        page.click("form[action='/subjects/new/'] button")
        page.wait_for_url(re.compile(r".*/subjects/TNN-\d{4}/$"))
        code = re.search(r"TNN-\d{4}", page.url).group(0)
        page.locator("a", has_text=re.compile("^Sélection$")).first.click()
        page.fill("#f-screening_date", dt.date.today().isoformat())
        page.fill("#f-age_years", "41")
        page.click("#record-form button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"{url}/subjects/{code}/eligibility/")
        page.locator("button[name=action][value=assess]").click()
        page.wait_for_load_state()
        verdict = page.inner_text("#verdict")
        page.screenshot(path=str(shots / "production-smoke-screening.png"), full_page=True)
        browser.close()
    assert code and verdict
    return code


def test_production_smoke(tmp_path, certificates, static_root):
    mailbox = Mailbox()
    mailbox.controller.start()
    try:
        base = production_env(tmp_path / "var", certificates, static_root)
        base.update({"EQUIPOISE_EMAIL_HOST": "127.0.0.1", "EQUIPOISE_EMAIL_PORT": str(mailbox.port),
                     "EQUIPOISE_SPONSOR_EMAIL": SPONSOR, "EQUIPOISE_FROM_EMAIL": "equipoise@hospital.example"})
        with own_database(base) as env:
            run_smoke(env, tmp_path, mailbox)
    finally:
        mailbox.controller.stop()


def run_smoke(env: dict[str, str], tmp_path: Path, mailbox: Mailbox) -> None:
    # The README's Deploy commands, on a fresh database.
    for args in (["migrate"], ["protocol", "load", "protocols/nct06965244"]):
        done = equipoise(env, *args)
        assert done.returncode == 0, done.stderr
    # Sites, staff with their second factor (recovery codes), eligible patients and a committed list.
    setup = subprocess.run([sys.executable, str(CRASH_TRIAL), "setup", "2"], env={**env, "DJANGO_SETTINGS_MODULE":
                           "equipoise.settings"}, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert setup.returncode == 0, setup.stderr
    trial = json.loads(setup.stdout.strip().splitlines()[-1])
    tokens = trial["tokens"]

    server = ProductionServer(env, tmp_path / "server.log").start()
    worker = start_worker(env, tmp_path / "worker.log")
    try:
        session = Session(server.url)
        status, health = wait_healthy(session)
        assert status == 200 and health["status"] == "ok", health
        assert all(check["ok"] for check in health["checks"].values())

        # The first sponsor administrator, as the README says: a one-time link the server opens.
        first = equipoise(env, "admin", "create-sponsor-admin", "admin", "--email", "it@hospital.example",
                          "--first-name", "Ada", "--last-name", "Martin", "--base-url", server.url)
        assert first.returncode == 0, first.stderr
        link = re.search(r"https://\S+/account/invitation/\S+/", first.stdout).group(0)
        assert Session(server.url).get(link[len(server.url):])[0] == 200

        artifacts = REPO / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        screened = sign_in_and_screen(server.url, tokens.pop(), artifacts)
        assert screened.startswith("TNN-")

        # An SAE on a randomized patient, learned of 30 minutes ago: 23 h 30 min left on its clock.
        session.login("inv_a", second_factor=tokens.pop())
        patient = trial["subjects"][0]
        assert session.post(f"/subjects/{patient}/randomize/", {"confirm": "yes"})[0] == 302
        aware = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)).astimezone()
        drugs = {f"causality_{d}": "not_related" for d in ("lenalidomide", "aspirin", "methotrexate", "folic_acid")}
        status, _ = session.post(f"/treatment/subjects/{patient}/safety/report/", {
            "term": "Pneumonia", "onset_date": aware.date().isoformat(), "grade": "3",
            "seriousness": "hospitalisation", "site_aware_at": aware.isoformat(timespec="minutes"),
            "action_taken": "none", "outcome": "recovering", **drugs})
        assert status == 302
        time.sleep(5)  # two worker rounds at the real time: nothing is due within 6 hours yet
        # The sponsor's safety desk has no account: its mail is in the sites' language, French.
        assert not [m for m in mailbox.messages if "à faire dans les 6 heures" in m["subject"]]

        # The worker restarted with its clock 20 hours ahead: 3 h 30 min left, the reminder goes out once.
        stop(worker)
        worker = start_worker(env, tmp_path / "worker.log", shift_hours=20)
        reminder = mailbox.wait_for(rf"Déclaration de l'EIG au promoteur à faire dans les 6 heures : patient {patient}")
        assert SPONSOR in reminder["to"] and "3 h" in reminder["body"]
        time.sleep(5)
        assert len([m for m in mailbox.messages if "à faire dans les 6 heures" in m["subject"]]) == 1

        # Backup while both run.
        backup = tmp_path / "equipoise.backup"
        made = equipoise(env, "backup", str(backup))
        assert made.returncode == 0, made.stderr
    finally:
        stop(worker)
        server.stop()
    source_events = equipoise(env, "audit", "verify").stdout.strip()
    assert source_events.endswith("chain intact")

    # A fresh database (another PostgreSQL database, or another SQLite file), restore, verify.
    with own_database({**env, "EQUIPOISE_VAR": str(tmp_path / "fresh-var")}) as fresh:
        restored = equipoise(fresh, "restore", str(backup))
        assert restored.returncode == 0, restored.stderr
        assert "ok  audit chain of the restored database" in restored.stdout
        verified = equipoise(fresh, "audit", "verify")
        assert verified.returncode == 0 and verified.stdout.strip() == source_events
        server = ProductionServer(fresh, tmp_path / "server-restored.log").start()
        try:
            again = Session(server.url)
            again.login("inv_a", second_factor=tokens.pop())
            status, _, body = again.get(f"/subjects/{screened}/")
            assert status == 200 and screened.encode() in body
        finally:
            server.stop()
