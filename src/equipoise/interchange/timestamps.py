"""Date-times as the interchange files give them: UTC, to the second, with a `Z`."""

from __future__ import annotations

import datetime as dt


def utc_stamp(at: dt.datetime) -> str:
    """`2026-03-01T09:30:00Z` for an aware date-time."""
    return at.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
