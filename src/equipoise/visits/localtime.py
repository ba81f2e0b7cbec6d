"""The trial's clock: aware datetimes in, Europe/Paris calendar dates out.

Two kinds of time meet in a trial. Deadlines (an SAE reported within 24 hours) are elapsed time
and are computed on UTC instants, so a daylight-saving change cannot stretch or shrink them.
Visit windows and "within 3 days" rules are calendar days as the French sites live them, so they
are computed on `datetime.date` values in Europe/Paris. This module is the only bridge between
the two: it refuses naive datetimes (whose meaning depends on the server's zone) and converts an
instant to the Paris calendar date or wall-clock time.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from equipoise.safety.errors import InvalidInput

TRIAL_TIMEZONE = ZoneInfo("Europe/Paris")


def require_aware(field: str, value: object) -> dt.datetime:
    """Return `value` if it is a timezone-aware datetime; otherwise name the field and refuse.

    A naive datetime is ambiguous (server time? Paris? UTC?), and guessing would silently shift
    a regulatory deadline by one or two hours.
    """
    if not isinstance(value, dt.datetime):
        raise InvalidInput(field, value, "must be a timezone-aware datetime")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise InvalidInput(field, value, "naive datetime refused: attach a time zone (e.g. UTC)")
    return value


def as_utc(field: str, value: object) -> dt.datetime:
    """The same instant expressed in UTC, so that arithmetic on it is exact elapsed time."""
    return require_aware(field, value).astimezone(dt.UTC)


def to_trial_time(moment: dt.datetime, zone: ZoneInfo = TRIAL_TIMEZONE) -> dt.datetime:
    """Wall-clock time at the sites for display (UTC+1 in winter, UTC+2 in summer)."""
    return require_aware("moment", moment).astimezone(zone)


def trial_date(moment: dt.datetime, zone: ZoneInfo = TRIAL_TIMEZONE) -> dt.date:
    """The Europe/Paris calendar date of an instant: 2026-03-28T23:30Z is 2026-03-29 in Paris."""
    return to_trial_time(moment, zone).date()


class NotALocalTime(ValueError):
    """What a person typed in a date-and-time picker is not a wall-clock time at the sites.

    `reason` is "format" (not YYYY-MM-DDTHH:MM) or "skipped" (the hour the clocks jump over on
    the last Sunday of March, which no Paris clock ever shows).
    """

    def __init__(self, text: str, reason: str):
        super().__init__(f"{text!r}: {reason}")
        self.text = text
        self.reason = reason


def from_local_input(text: str, zone: ZoneInfo = TRIAL_TIMEZONE) -> dt.datetime:
    """The UTC instant of a wall-clock time at the sites, as a `datetime-local` picker sends it.

    "2026-01-15T09:30" is 08:30 UTC (winter, UTC+1); "2026-07-15T09:30" is 07:30 UTC (summer,
    UTC+2). Nobody types an offset: one given anyway (from the API or a script) is kept as is.
    In the autumn hour that happens twice, the first one (summer time) is taken: for a reporting
    clock that is the earlier start, never a later deadline than the truth.
    """
    raw = text.strip()
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise NotALocalTime(raw, "format") from None
    if len(raw) < len("YYYY-MM-DDTHH:MM"):
        raise NotALocalTime(raw, "format")  # a bare date is not a time of day
    if moment.tzinfo is not None:
        return moment.astimezone(dt.UTC)
    local = moment.replace(tzinfo=zone, fold=0)
    back = local.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
    if back != moment:
        raise NotALocalTime(raw, "skipped")
    return local.astimezone(dt.UTC)


def local_input_value(moment: dt.datetime | None, zone: ZoneInfo = TRIAL_TIMEZONE) -> str:
    """An instant as a `datetime-local` picker's value at the sites ("2026-03-29T09:30"); "" for none."""
    if moment is None:
        return ""
    return to_trial_time(moment, zone).strftime("%Y-%m-%dT%H:%M")


def wall_clock(moment: dt.datetime, language: str) -> str:
    """An instant as the sites' wall-clock time, written as each language writes it:
    "29/03/2026 à 13:30" in French, "2026-03-29 13:30" in English."""
    local = to_trial_time(moment)
    return f"{local:%d/%m/%Y} à {local:%H:%M}" if language.startswith("fr") else f"{local:%Y-%m-%d %H:%M}"


def utc_offset(moment: dt.datetime) -> str:
    """The sites' offset from UTC at that instant ("UTC+02:00" in summer, "UTC+01:00" in winter)."""
    offset = to_trial_time(moment).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"
