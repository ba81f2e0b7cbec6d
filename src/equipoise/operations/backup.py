"""`equipoise backup DEST`: a consistent copy of the live database, and its manifest.

SQLite: the online backup API copies the database page by page while it runs (writers wait only
for each step), then the copy is made self-contained (rollback journal instead of WAL).
PostgreSQL: `pg_dump --format=custom` from a snapshot exported by a repeatable-read transaction
that reads the manifest's figures too, so the dump and the manifest describe the same instant.

The manifest (`DEST.manifest.json`) holds the time, the engine, the protocol versions, the rows of
every table, the audit chain head and its verification, and the SHA-256 of the file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from equipoise.operations.database_copy import (
    audit_head,
    database_alias,
    protocol_versions,
    row_counts,
    verify_chain_on,
)

FORMAT = "equipoise-backup/1"


class BackupError(Exception):
    pass


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe(alias: str) -> dict[str, Any]:
    """What the manifest says about the database behind `alias`."""
    report = verify_chain_on(alias)
    return {"protocol_versions": protocol_versions(alias), "counts": row_counts(alias),
            "audit_head": audit_head(alias),
            "audit_verification": {"intact": report.intact, "events": report.count, "report": str(report)}}


def pg_environment(settings: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """libpq connection arguments and environment for pg_dump / pg_restore / createdb."""
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            args += [flag, str(settings[key])]
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    return args, env


def _sqlite_copy(tmp: Path) -> dict[str, Any]:
    connection.ensure_connection()
    target = sqlite3.connect(tmp)
    try:
        connection.connection.backup(target, pages=1024)
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
    with database_alias("backup_copy", NAME=f"file:{tmp}?mode=ro", OPTIONS={}) as alias:
        return describe(alias)


def _postgresql_dump(tmp: Path) -> dict[str, Any]:
    args, env = pg_environment(connection.settings_dict)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        done = subprocess.run(["pg_dump", *args, "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                               f"--file={tmp}", connection.settings_dict["NAME"]],
                              env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        return describe("default")


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest: dict[str, Any]


def backup(dest: Path) -> Backup:
    dest = dest.resolve()
    if dest.exists():
        raise BackupError(f"{dest} exists already: choose a new file name (a backup is never overwritten)")
    if not dest.parent.is_dir():
        raise BackupError(f"{dest.parent} is not a directory")
    tmp = dest.with_name(f".{dest.name}.partial")
    tmp.unlink(missing_ok=True)
    started = dt.datetime.now(dt.UTC)
    try:
        if connection.vendor == "sqlite":
            facts = _sqlite_copy(tmp)
        elif connection.vendor == "postgresql":
            facts = _postgresql_dump(tmp)
        else:
            raise BackupError(f"no backup method for a {connection.vendor} database")
        checksum = sha256_of(tmp)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    manifest = {"format": FORMAT, "created_at": started.isoformat(timespec="seconds"), "engine": connection.vendor,
                "file": dest.name, "bytes": dest.stat().st_size, "sha256": checksum, **facts}
    manifest_path(dest).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return Backup(dest, manifest)
