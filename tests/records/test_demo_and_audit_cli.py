"""End to end on a real SQLite file: `equipoise demo` twice (no duplicates), then `audit verify`."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _run(args, env):
    return subprocess.run([sys.executable, "-m", "equipoise.cli", *args], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    env = {**os.environ, "EQUIPOISE_MODE": "demo", "EQUIPOISE_VAR": str(var)}
    env.pop("DATABASE_URL", None)
    for args in (["migrate"], ["demo"]):
        result = _run(args, env)
        assert result.returncode == 0, result.stderr
    return env, var


def test_demo_is_idempotent_and_prints_logins(demo_env):
    env, var = demo_env
    again = _run(["demo"], env)
    assert again.returncode == 0, again.stderr
    assert "0 subjects created" in again.stdout
    assert "investigator.tnn" in again.stdout and "statistician" in again.stdout
    with sqlite3.connect(var / "equipoise.sqlite3") as db:
        assert db.execute("select count(*) from records_subject").fetchone()[0] >= 30
        assert db.execute("select count(*) from records_site").fetchone()[0] == 2
        assert db.execute("select count(*) from records_protocolversion").fetchone()[0] == 1


def test_audit_verify_then_tamper(demo_env):
    env, var = demo_env
    ok = _run(["audit", "verify"], env)
    assert ok.returncode == 0 and ok.stdout.strip().endswith("events, chain intact"), ok.stderr
    with sqlite3.connect(var / "equipoise.sqlite3") as db:
        db.execute("UPDATE records_auditevent SET reason = 'rewritten' WHERE sequence = 7")
    broken = _run(["audit", "verify"], env)
    assert broken.returncode == 1 and "event 7" in broken.stderr
