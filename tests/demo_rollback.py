"""The demo trial seeded in one transaction that a test module keeps and rolls back at the end."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

from django.db import transaction
from django.test import override_settings


@contextlib.contextmanager
def demo_kept_for_the_module(day: dt.date, protocols_dir: Path) -> Iterator[None]:
    from equipoise.demo.seed import seed_demo

    with override_settings(PROTOCOLS_DIR=protocols_dir):
        atomic = transaction.atomic()
        # Marked as a test case's block, as Django's TestCase marks its own, so that the actions'
        # durable transactions run inside it (they refuse any other enclosing transaction).
        atomic._from_testcase = True
        atomic.__enter__()
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                seed_demo(day, progress=lambda _: None)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
