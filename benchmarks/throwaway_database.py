"""A throwaway database for a benchmark run: a temporary SQLite file, or a fresh PostgreSQL
database created on the server of a given URL and dropped afterwards. Never touches real data."""

from __future__ import annotations

import os
import tempfile
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@contextmanager
def throwaway_database(database_url: str = "", keep: str = "") -> Iterator[None]:
    """Point Django's settings at a new, empty database for the duration of the block, then set up Django.

    With `keep` (PostgreSQL only), the database of that name is used instead, created when missing and
    left in place afterwards, so a slow setup (a grown trial) can be reused by the next run."""
    with tempfile.TemporaryDirectory(prefix="equipoise-bench-") as var_dir:
        os.environ["DJANGO_SETTINGS_MODULE"] = "equipoise.settings_test"
        os.environ["EQUIPOISE_VAR"] = var_dir
        os.environ["EQUIPOISE_PROTOCOLS"] = str(REPO / "protocols")
        os.environ.pop("DATABASE_URL", None)
        admin = None
        if database_url:
            import psycopg

            parts = urllib.parse.urlsplit(database_url)
            name = keep or f"equipoise_bench_{uuid.uuid4().hex[:10]}"
            admin = parts._replace(path="/postgres").geturl()
            with psycopg.connect(admin, autocommit=True) as conn:
                exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
                if not (keep and exists):
                    conn.execute(f'CREATE DATABASE "{name}"')
            os.environ["DATABASE_URL"] = parts._replace(path=f"/{name}").geturl()
        try:
            import django
            from django.core.management import call_command

            django.setup()
            call_command("migrate", interactive=False, verbosity=0)
            yield
        finally:
            from django.db import connections

            connections.close_all()
            if admin and not keep:
                import psycopg

                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
