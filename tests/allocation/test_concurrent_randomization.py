"""Simultaneous randomizations against a running server (`equipoise serve`, its own database).

50 eligible subjects of one stratum randomized by 50 simultaneous requests must take 50 distinct,
consecutive slots from the start of the stratum's list; 10 simultaneous requests for one subject
must give one allocation. The server runs on SQLite (a temporary EQUIPOISE_VAR), or, when
DATABASE_URL names a PostgreSQL server, on a fresh database created on it for this test.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from operations.production import Session, free_port, own_database

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
VENV_BIN = Path(sys.executable).parent
SUBJECTS = 50
SAME_SUBJECT_REQUESTS = 10
STRATUM = "site=TNN|sle=false"

pytestmark = pytest.mark.server


@pytest.fixture
def server_env(tmp_path):
    """Environment of the server and the setup script; a throwaway PostgreSQL database if asked."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "equipoise.settings_test", "EQUIPOISE_VAR": str(tmp_path),
           "EQUIPOISE_PROTOCOLS": str(REPO / "protocols"), "PYTHONUNBUFFERED": "1"}
    with own_database(env) as env:
        yield env


def run_script(env, *args) -> dict:
    done = subprocess.run([sys.executable, str(HERE / "live_trial.py"), *args], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def live(server_env):
    subjects = run_script(server_env, "setup", str(SUBJECTS + 1))["subjects"]
    port = free_port()
    log = open(Path(server_env["EQUIPOISE_VAR"]) / "server.log", "w")
    server = subprocess.Popen([str(VENV_BIN / "equipoise"), "serve", "--port", str(port)], env=server_env,
                              cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/login/", timeout=5)
                break
            except OSError:  # refused, reset or timed out while the server starts (URLError is an OSError)
                if time.monotonic() > deadline or server.poll() is not None:
                    log.flush()
                    pytest.fail("server did not start: " + (Path(log.name).read_text()[-2000:]))
                time.sleep(0.2)
        yield url, subjects, server_env
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


class Browser(Session):
    """One logged-in session of its own (cookie jar, CSRF token), as one investigator's browser."""

    def connected_post(self, path: str, data: dict) -> Callable[[], int]:
        """Open the connection now; the returned call sends the POST and gives its status.

        Connecting before the common start keeps the test about simultaneous requests, not about
        the development server's small listen backlog (50 connects at once overflow it and the
        kernel resets some).
        """
        host, port = urllib.parse.urlsplit(self.base).netloc.split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=120)
        connection.connect()
        headers = {"Cookie": "; ".join(f"{c.name}={c.value}" for c in self.jar), "X-CSRFToken": self.csrf(),
                   "Referer": self.base + path, "Content-Type": "application/x-www-form-urlencoded"}

        def send() -> int:
            try:
                connection.request("POST", path, urllib.parse.urlencode(data), headers)
                return connection.getresponse().status
            finally:
                connection.close()

        return send


def simultaneously(browsers: list[Browser], paths: list[str]) -> list[int | str | None]:
    """POST each path from its browser, all released at the same instant."""
    gate = threading.Barrier(len(browsers))
    statuses: list[int | str | None] = [None] * len(browsers)

    sends = [browser.connected_post(path, {"confirm": "yes"}) for browser, path in zip(browsers, paths, strict=True)]

    def go(i: int) -> None:
        gate.wait()
        try:
            statuses[i] = sends[i]()
        except OSError as exc:  # no answer at all: keep what happened, so a failure says it
            statuses[i] = repr(exc)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(browsers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return statuses


def test_simultaneous_randomizations_take_distinct_consecutive_slots(live):
    url, subjects, env = live
    browsers = [Browser(url) for _ in range(SUBJECTS)]
    for browser in browsers:
        browser.login("inv_a")
    statuses = simultaneously(browsers, [f"/subjects/{code}/randomize/" for code in subjects[:SUBJECTS]])
    assert statuses == [302] * SUBJECTS

    last = subjects[SUBJECTS]
    same = browsers[:SAME_SUBJECT_REQUESTS]
    statuses = simultaneously(same, [f"/subjects/{last}/randomize/"] * SAME_SUBJECT_REQUESTS)
    assert statuses == [302] * SAME_SUBJECT_REQUESTS

    report = run_script(env, "report")
    allocations = report["allocations"]
    assert len(allocations) == SUBJECTS + 1 and report["used_slots"] == SUBJECTS + 1
    assert sorted(a["subject"] for a in allocations) == sorted(subjects)
    assert {a["stratum"] for a in allocations} == {STRATUM}
    assert sorted(a["position"] for a in allocations) == list(range(1, SUBJECTS + 2))
    assert sorted(a["number"] for a in allocations) == [f"R-TNN-{i:04d}" for i in range(1, SUBJECTS + 2)]
    assert all(a["slot_subject"] == a["subject"] for a in allocations)
    arms = report["list_arms"][STRATUM]
    assert all(a["arm"] == arms[a["position"] - 1] for a in allocations)
    assert [a["subject"] for a in allocations].count(last) == 1
    assert report["stored_list_problems"] == []
