"""Visit dates, windows and status, counted in Europe/Paris calendar days from randomization.

Windows are computed on `datetime.date` values, never on datetimes: day 28 after a randomization
on 2026-03-28 is 2026-04-25 whatever happens to the clocks on 2026-03-29. An instant (when a
form was saved, when someone logged in) becomes a trial date through `trial_date` first.

A visit's status on a given day:

- upcoming: its window has not opened;
- due: the window is open and the visit is not done;
- overdue: the window has closed, the visit is not done and nobody recorded it as missed;
- missed: the site recorded that it will not happen (an explicit state, never inferred);
- done_in_window / done_out_of_window: done, judged against the window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from equipoise.safety.errors import InvalidInput
from equipoise.visits.localtime import trial_date

__all__ = ["VisitDays", "VisitStatus", "VisitWindow", "trial_date", "visit_status",
           "visit_window", "visit_windows"]


class VisitDays(Protocol):
    """What a scheduled visit needs to be placed on the calendar (e.g. `schema.Visit`)."""

    @property
    def id(self) -> str: ...
    @property
    def target_day(self) -> int: ...
    @property
    def earliest_day(self) -> int: ...
    @property
    def latest_day(self) -> int: ...


@dataclass(frozen=True)
class VisitWindow:
    visit_id: str
    target: dt.date
    earliest: dt.date
    latest: dt.date

    def contains(self, day: dt.date) -> bool:
        return self.earliest <= day <= self.latest


class VisitStatus(StrEnum):
    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"
    MISSED = "missed"
    DONE_IN_WINDOW = "done_in_window"
    DONE_OUT_OF_WINDOW = "done_out_of_window"


def _require_date(field: str, value: object) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InvalidInput(field, value,
                           "must be a calendar date; convert instants with trial_date() first")
    return value


def visit_window(randomization_date: dt.date, visit: VisitDays) -> VisitWindow:
    """The calendar window of one visit, days counted from randomization (day 0)."""
    day0 = _require_date("randomization_date", randomization_date)
    if not visit.earliest_day <= visit.target_day <= visit.latest_day:
        raise InvalidInput(f"visits[{visit.id}]", (visit.earliest_day, visit.target_day,
                                                   visit.latest_day),
                           "earliest_day <= target_day <= latest_day")
    return VisitWindow(
        visit_id=visit.id,
        target=day0 + dt.timedelta(days=visit.target_day),
        earliest=day0 + dt.timedelta(days=visit.earliest_day),
        latest=day0 + dt.timedelta(days=visit.latest_day),
    )


def visit_windows(randomization_date: dt.date, visits: Iterable[VisitDays]) -> list[VisitWindow]:
    """Windows of every scheduled visit, in schedule order."""
    return [visit_window(randomization_date, v) for v in visits]


def visit_status(window: VisitWindow, today: dt.date, done_on: dt.date | None = None,
                 missed: bool = False) -> VisitStatus:
    """Status of a visit on `today` (a Paris calendar date).

    A visit cannot be both done and missed, nor done on a day after `today`.
    """
    _require_date("today", today)
    if done_on is not None:
        _require_date("done_on", done_on)
        if missed:
            raise InvalidInput("missed", missed, f"visit {window.visit_id} is recorded as done on "
                                                 f"{done_on}; it cannot also be missed")
        if done_on > today:
            raise InvalidInput("done_on", done_on, f"must not be after today ({today})")
        return VisitStatus.DONE_IN_WINDOW if window.contains(done_on) else VisitStatus.DONE_OUT_OF_WINDOW
    if missed:
        return VisitStatus.MISSED
    if today < window.earliest:
        return VisitStatus.UPCOMING
    if today <= window.latest:
        return VisitStatus.DUE
    return VisitStatus.OVERDUE
