"""Spans of time as people read them: "14 j 23 h", not "359 h 59 min".

A span of a day or more is told in whole days and hours; under a day, in hours and minutes, and
under an hour in minutes, so a reporting clock about to run out still shows its last minutes.
The parts are whole and rounded down: "23 h 59 min left" never becomes "1 d".
"""

from __future__ import annotations

import datetime as dt

from equipoise.protocol.schema import Text


def days_hours(span: dt.timedelta) -> Text:
    """`span` (its size; a negative span reads as its absolute value) in French and English."""
    seconds = abs(int(span.total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    if days:
        return Text(en=f"{days} d {hours} h", fr=f"{days} j {hours} h")
    if hours:
        return Text(en=f"{hours} h {minutes:02d} min", fr=f"{hours} h {minutes:02d}")
    return Text(en=f"{minutes} min", fr=f"{minutes} min")
