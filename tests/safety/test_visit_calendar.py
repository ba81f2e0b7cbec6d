"""Visit windows on Paris calendar days, visit status, and pill-count adherence."""

from __future__ import annotations

import datetime as dt

import pytest

from equipoise.protocol.schema import Protocol, Visit
from equipoise.safety.errors import InvalidInput
from equipoise.visits.adherence import adherence, expected_doses
from equipoise.visits.calendar import (
    VisitStatus,
    VisitWindow,
    trial_date,
    visit_status,
    visit_window,
    visit_windows,
)

D = dt.date


@pytest.fixture(scope="module")
def visits(protocol: Protocol) -> list[Visit]:
    return protocol.schedule.visits


@pytest.mark.parametrize(("randomized", "expected"), [
    # Randomized the day before the spring change (2026-03-29).
    (D(2026, 3, 28), {"SCR": (D(2026, 3, 14), D(2026, 2, 28), D(2026, 3, 27)),
                      "W0": (D(2026, 3, 28), D(2026, 3, 28), D(2026, 3, 28)),
                      "W4": (D(2026, 4, 25), D(2026, 4, 18), D(2026, 5, 2)),
                      "W16": (D(2026, 7, 18), D(2026, 7, 11), D(2026, 7, 25)),
                      "W28": (D(2026, 10, 10), D(2026, 10, 3), D(2026, 10, 17))}),
    # Randomized the day before the autumn change (2026-10-25).
    (D(2026, 10, 24), {"W0": (D(2026, 10, 24), D(2026, 10, 24), D(2026, 10, 24)),
                       "W4": (D(2026, 11, 21), D(2026, 11, 14), D(2026, 11, 28)),
                       "W16": (D(2027, 2, 13), D(2027, 2, 6), D(2027, 2, 20)),
                       "W24": (D(2027, 4, 10), D(2027, 4, 3), D(2027, 4, 17))}),
])
def test_windows_land_on_the_right_calendar_days_across_dst(
        visits: list[Visit], randomized: dt.date,
        expected: dict[str, tuple[dt.date, dt.date, dt.date]]) -> None:
    windows = {w.visit_id: w for w in visit_windows(randomized, visits)}
    assert list(windows) == [v.id for v in visits]
    for visit_id, (target, earliest, latest) in expected.items():
        w = windows[visit_id]
        assert (w.target, w.earliest, w.latest) == (target, earliest, latest), visit_id


@pytest.mark.parametrize(("instant", "paris_day"), [
    (dt.datetime(2026, 3, 28, 22, 59, tzinfo=dt.UTC), D(2026, 3, 28)),   # 23:59 CET
    (dt.datetime(2026, 3, 28, 23, 0, tzinfo=dt.UTC), D(2026, 3, 29)),    # 00:00 CET
    (dt.datetime(2026, 3, 29, 21, 59, tzinfo=dt.UTC), D(2026, 3, 29)),   # 23:59 CEST
    (dt.datetime(2026, 3, 29, 22, 0, tzinfo=dt.UTC), D(2026, 3, 30)),    # 00:00 CEST
    (dt.datetime(2026, 10, 24, 21, 59, tzinfo=dt.UTC), D(2026, 10, 24)),  # 23:59 CEST
    (dt.datetime(2026, 10, 24, 22, 0, tzinfo=dt.UTC), D(2026, 10, 25)),   # 00:00 CEST
    (dt.datetime(2026, 10, 25, 22, 59, tzinfo=dt.UTC), D(2026, 10, 25)),  # 23:59 CET
    (dt.datetime(2026, 10, 25, 23, 0, tzinfo=dt.UTC), D(2026, 10, 26)),   # 00:00 CET
])
def test_utc_instant_to_paris_date(instant: dt.datetime, paris_day: dt.date) -> None:
    assert trial_date(instant) == paris_day


def test_late_evening_randomization_in_utc_counts_from_the_paris_day(
        visits: list[Visit]) -> None:
    randomized_at = dt.datetime(2026, 3, 27, 23, 30, tzinfo=dt.UTC)  # 00:30 on 28 March in Paris
    w4 = visit_window(trial_date(randomized_at), visits[2])
    assert (w4.visit_id, w4.target) == ("W4", D(2026, 4, 25))


def test_trial_date_refuses_naive_datetimes() -> None:
    with pytest.raises(InvalidInput) as caught:
        trial_date(dt.datetime(2026, 3, 29, 12, 0))
    assert "naive" in caught.value.rule


def test_window_refuses_a_datetime_for_randomization(visits: list[Visit]) -> None:
    with pytest.raises(InvalidInput) as caught:
        visit_window(dt.datetime(2026, 3, 28, tzinfo=dt.UTC), visits[0])
    assert caught.value.field == "randomization_date"


@pytest.fixture
def w4(visits: list[Visit]) -> VisitWindow:
    return visit_window(D(2026, 3, 28), visits[2])  # W4: 18 April .. 2 May, target 25 April


@pytest.mark.parametrize(("today", "status"), [
    (D(2026, 4, 17), VisitStatus.UPCOMING),
    (D(2026, 4, 18), VisitStatus.DUE),
    (D(2026, 5, 2), VisitStatus.DUE),
    (D(2026, 5, 3), VisitStatus.OVERDUE),
])
def test_status_of_a_visit_not_done(w4: VisitWindow, today: dt.date, status: VisitStatus) -> None:
    assert visit_status(w4, today) is status


@pytest.mark.parametrize(("done_on", "status"), [
    (D(2026, 4, 17), VisitStatus.DONE_OUT_OF_WINDOW),
    (D(2026, 4, 18), VisitStatus.DONE_IN_WINDOW),
    (D(2026, 5, 2), VisitStatus.DONE_IN_WINDOW),
    (D(2026, 5, 3), VisitStatus.DONE_OUT_OF_WINDOW),
])
def test_status_of_a_done_visit(w4: VisitWindow, done_on: dt.date, status: VisitStatus) -> None:
    assert visit_status(w4, D(2026, 5, 10), done_on=done_on) is status


def test_missed_is_recorded_never_inferred(w4: VisitWindow) -> None:
    assert visit_status(w4, D(2026, 5, 10)) is VisitStatus.OVERDUE
    assert visit_status(w4, D(2026, 5, 10), missed=True) is VisitStatus.MISSED
    assert visit_status(w4, D(2026, 4, 20), missed=True) is VisitStatus.MISSED


def test_contradictory_visit_records_are_refused(w4: VisitWindow) -> None:
    with pytest.raises(InvalidInput) as both:
        visit_status(w4, D(2026, 5, 10), done_on=D(2026, 4, 25), missed=True)
    assert both.value.field == "missed"
    with pytest.raises(InvalidInput) as future:
        visit_status(w4, D(2026, 4, 20), done_on=D(2026, 4, 25))
    assert future.value.field == "done_on"


# --- adherence -------------------------------------------------------------------------------


def test_expected_doses_daily_counts_both_ends() -> None:
    assert expected_doses(D(2026, 3, 28), D(2026, 4, 24), "daily") == 28


@pytest.mark.parametrize(("first", "last", "weekday", "doses"), [
    (D(2026, 3, 28), D(2026, 4, 24), "monday", 4),    # any 28 days hold 4 Mondays
    (D(2026, 3, 30), D(2026, 3, 30), "monday", 1),    # a Monday itself
    (D(2026, 3, 31), D(2026, 4, 5), "monday", 0),     # Tuesday to Sunday
    (D(2026, 3, 30), D(2026, 4, 6), "monday", 2),
])
def test_expected_doses_weekly_counts_the_named_weekday(first: dt.date, last: dt.date,
                                                        weekday: str, doses: int) -> None:
    assert expected_doses(first, last, "weekly", weekday) == doses


def test_weekly_without_weekday_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        expected_doses(D(2026, 3, 28), D(2026, 4, 24), "weekly")
    assert caught.value.field == "weekday"


def test_adherence_full_partial_and_over() -> None:
    full = adherence(dispensed=30, returned=2, expected_doses=28, tablets_per_dose=1)
    assert (full.taken_tablets, full.percent, full.overuse) == (28, 100.0, False)
    partial = adherence(dispensed=30, returned=16, expected_doses=28, tablets_per_dose=1)
    assert (partial.percent, partial.overuse) == (50.0, False)
    # Methotrexate 15 mg = 6 tablets of 2.5 mg, 4 weekly doses: 24 expected; 30 taken is overuse.
    over = adherence(dispensed=30, returned=0, expected_doses=4, tablets_per_dose=6)
    assert over.ratio == pytest.approx(1.25)
    assert (over.percent, over.overuse) == (100.0, True)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"dispensed": 10, "returned": 11}, "returned"),
    ({"dispensed": -1, "returned": 0}, "dispensed"),
    ({"dispensed": 10, "returned": 1.5}, "returned"),
    ({"dispensed": 10, "returned": 0, "expected_doses": 0}, "expected_doses"),
    ({"dispensed": 10, "returned": 0, "tablets_per_dose": 0}, "tablets_per_dose"),
])
def test_impossible_counts_are_refused(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {"expected_doses": 28, "tablets_per_dose": 1, **kwargs}
    with pytest.raises(InvalidInput) as caught:
        adherence(**args)
    assert caught.value.field == field
