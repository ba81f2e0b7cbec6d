"""`equipoise restore SRC`: check a backup, then put it in place of the (fresh) live database.

Refused, changing nothing, when: the manifest is missing or of another engine, the file's SHA-256
is not the manifest's, the copy's audit chain does not verify, or its chain head or row counts are
not the manifest's. The copy is checked where it lies (SQLite, read-only) or restored first into a
scratch database that is dropped afterwards (PostgreSQL). The live database must hold no audit
event unless `replace` is given. After restoring, the live database's chain is verified again.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection

from equipoise.operations.backup import describe, manifest_path, pg_environment, sha256_of
from equipoise.operations.database_copy import database_alias
from equipoise.records.models import AuditEvent


class RestoreRefused(Exception):
    pass


@dataclass
class Verification:
    lines: list[str] = field(default_factory=list)

    def ok(self, line: str) -> None:
        self.lines.append(f"ok  {line}")


def read_manifest(src: Path) -> dict[str, Any]:
    path = manifest_path(src)
    if not src.is_file():
        raise RestoreRefused(f"{src}: no such file")
    if not path.is_file():
        raise RestoreRefused(f"{path}: the manifest is missing; a backup is restored only with its manifest")
    try:
        return json.loads(path.read_text())
    except ValueError as exc:
        raise RestoreRefused(f"{path}: not a readable manifest ({exc})") from None


def compare(manifest: dict[str, Any], facts: dict[str, Any], where: str, check: Verification) -> None:
    verification = facts["audit_verification"]
    if not verification["intact"]:
        raise RestoreRefused(f"the audit chain of {where} does not verify: {verification['report']}")
    check.ok(f"audit chain of {where}: {verification['report']}")
    if facts["audit_head"] != manifest["audit_head"]:
        raise RestoreRefused(f"the audit chain head of {where} ({facts['audit_head']}) is not the manifest's "
                             f"({manifest['audit_head']})")
    check.ok(f"audit chain head: event {facts['audit_head']['sequence']}, hash {facts['audit_head']['hash'][:16]}..."
             " as in the manifest")
    differing = sorted(k for k in set(facts["counts"]) | set(manifest["counts"])
                       if facts["counts"].get(k) != manifest["counts"].get(k))
    if differing:
        shown = ", ".join(f"{k} {manifest['counts'].get(k)} -> {facts['counts'].get(k)}" for k in differing[:5])
        raise RestoreRefused(f"row counts of {where} differ from the manifest: {shown}")
    check.ok(f"row counts of {len(facts['counts'])} tables as in the manifest "
             f"({facts['counts'].get('records.Subject', 0)} subjects, "
             f"{facts['counts'].get('records.AuditEvent', 0)} audit events)")


def _restore_sqlite(src: Path, manifest: dict[str, Any], check: Verification) -> None:
    with database_alias("restore_check", NAME=f"file:{src}?mode=ro", OPTIONS={}) as alias:
        compare(manifest, describe(alias), "the backup", check)
    connection.close()
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        source.close()
        target.close()


def _restore_postgresql(src: Path, manifest: dict[str, Any], check: Verification) -> None:
    settings = connection.settings_dict
    args, env = pg_environment(settings)
    scratch = f"{settings['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{scratch}"')
    try:
        done = subprocess.run(["pg_restore", *args, "--no-owner", "--exit-on-error", "--dbname", scratch, str(src)],
                              env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RestoreRefused(f"the dump does not restore: {done.stderr.strip()[:500]}")
        with database_alias("restore_check", NAME=scratch) as alias:
            compare(manifest, describe(alias), "the backup", check)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    connection.close()
    done = subprocess.run(["pg_restore", *args, "--no-owner", "--clean", "--if-exists", "--single-transaction",
                           "--exit-on-error", "--dbname", settings["NAME"], str(src)],
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RestoreRefused(f"pg_restore into {settings['NAME']} failed (nothing changed): {done.stderr.strip()[:500]}")


def live_has_events() -> bool:
    from django.db import DatabaseError

    try:
        return AuditEvent.objects.exists()
    except DatabaseError:  # no tables yet: a fresh database
        connection.close()
        return False


def restore(src: Path, *, replace: bool = False) -> Verification:
    src = src.resolve()
    manifest = read_manifest(src)
    check = Verification()
    if manifest.get("engine") != connection.vendor:
        raise RestoreRefused(f"this backup is of a {manifest.get('engine')} database; the live database is "
                             f"{connection.vendor}")
    checksum = sha256_of(src)
    if checksum != manifest.get("sha256"):
        raise RestoreRefused(f"{src.name}: SHA-256 {checksum} is not the manifest's {manifest.get('sha256')}: "
                             "the file is damaged or was changed")
    check.ok(f"SHA-256 of {src.name} matches the manifest ({checksum[:16]}...)")
    if not replace and live_has_events():
        raise RestoreRefused("the live database already holds trial data (audit events): restore into a fresh "
                             "database, or give --replace to overwrite it")
    if connection.vendor == "sqlite":
        _restore_sqlite(src, manifest, check)
    else:
        _restore_postgresql(src, manifest, check)
    compare(manifest, describe("default"), "the restored database", check)
    return check
