"""Start Django for command-line handlers that need the database."""

from __future__ import annotations

import os


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "equipoise.settings")
    import django

    django.setup()
