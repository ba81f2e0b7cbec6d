"""`equipoise backup` and `equipoise restore` on the database the environment names (SQLite, or
PostgreSQL when DATABASE_URL is set): a manifest that describes the copy, a restore into a fresh
database that verifies, and refusals that change nothing."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from operations.production import REPO, equipoise, own_database

pytestmark = pytest.mark.server
LIVE_TRIAL = REPO / "tests" / "allocation" / "live_trial.py"


def settings_env(var) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EQUIPOISE_", "DJANGO_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "equipoise.settings_test", "EQUIPOISE_VAR": str(var),
                "EQUIPOISE_PROTOCOLS": str(REPO / "protocols")})
    return env


@pytest.fixture
def source(tmp_path):
    with own_database(settings_env(tmp_path / "source")) as env:
        done = subprocess.run([sys.executable, str(LIVE_TRIAL), "setup", "4"], env=env, cwd=REPO,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        yield env


@pytest.fixture
def fresh(tmp_path):
    with own_database(settings_env(tmp_path / "fresh")) as env:
        yield env


def events(env) -> str:
    return equipoise(env, "audit", "verify").stdout.strip()


def test_backup_then_restore_into_a_fresh_database(source, fresh, tmp_path):
    dest = tmp_path / "trial.backup"
    made = equipoise(source, "backup", str(dest))
    assert made.returncode == 0, made.stderr
    manifest = json.loads((tmp_path / "trial.backup.manifest.json").read_text())
    assert manifest["format"] == "equipoise-backup/1" and manifest["bytes"] == dest.stat().st_size
    assert manifest["engine"] == ("postgresql" if "DATABASE_URL" in source else "sqlite")
    assert manifest["protocol_versions"][0]["protocol"] == "nct06965244"
    assert manifest["counts"]["records.Subject"] == 4 and manifest["counts"]["allocation.ListSlot"] > 4
    assert manifest["audit_verification"]["intact"] and manifest["audit_head"]["sequence"] >= 8
    assert manifest["sha256"] in made.stdout
    assert equipoise(source, "backup", str(dest)).returncode == 2  # never overwritten

    restored = equipoise(fresh, "restore", str(dest))
    assert restored.returncode == 0, restored.stderr
    assert "ok  SHA-256 of trial.backup matches the manifest" in restored.stdout
    assert "ok  audit chain of the restored database: " in restored.stdout
    assert "4 subjects" in restored.stdout
    assert events(fresh) == events(source) == manifest["audit_verification"]["report"]

    again = equipoise(fresh, "restore", str(dest))
    assert again.returncode == 1 and "already holds trial data" in again.stderr
    assert equipoise(fresh, "restore", "--replace", str(dest)).returncode == 0


def test_a_damaged_file_is_refused_and_nothing_changes(source, fresh, tmp_path):
    dest = tmp_path / "trial.backup"
    assert equipoise(source, "backup", str(dest)).returncode == 0
    data = bytearray(dest.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dest.write_bytes(bytes(data))
    refused = equipoise(fresh, "restore", str(dest))
    assert refused.returncode == 1 and "is not the manifest's" in refused.stderr and "SHA-256" in refused.stderr
    assert "0 events" in events(fresh) or equipoise(fresh, "audit", "verify").returncode != 0


def test_a_backup_whose_chain_does_not_verify_is_refused(source, fresh, tmp_path):
    """An event rewritten in the database (outside the application) before the backup: the copy's
    checksum is right, its chain is not; backup says so, restore refuses it."""
    if "DATABASE_URL" in source:
        import psycopg

        with psycopg.connect(source["DATABASE_URL"], autocommit=True) as conn:
            conn.execute("UPDATE records_auditevent SET reason = 'rewritten' WHERE sequence = 3")
    else:
        with sqlite3.connect(tmp_path / "source" / "equipoise.sqlite3") as db:
            db.execute("UPDATE records_auditevent SET reason = 'rewritten' WHERE sequence = 3")
    dest = tmp_path / "tampered.backup"
    made = equipoise(source, "backup", str(dest))
    assert made.returncode == 1 and "chain broken at event 3" in made.stdout
    refused = equipoise(fresh, "restore", str(dest))
    assert refused.returncode == 1
    assert "the audit chain of the backup does not verify: chain broken at event 3" in refused.stderr


def test_a_backup_without_its_manifest_is_refused(source, fresh, tmp_path):
    dest = tmp_path / "trial.backup"
    assert equipoise(source, "backup", str(dest)).returncode == 0
    (tmp_path / "trial.backup.manifest.json").unlink()
    refused = equipoise(fresh, "restore", str(dest))
    assert refused.returncode == 1 and "the manifest is missing" in refused.stderr
