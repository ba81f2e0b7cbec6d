"""SAE and SUSAR clocks: exact elapsed hours in UTC, correct Paris display across DST changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equipoise.safety.adverse_events import (
    AdverseEvent,
    ClockKind,
    ClockState,
    clock_status,
    sae_clock,
    susar_clock,
)
from equipoise.safety.errors import InvalidInput
from equipoise.safety.parameters import AeClockHours

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC


def paris(*args: int, fold: int = 0) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS, fold=fold)


def serious(**changes: object) -> AdverseEvent:
    values: dict[str, object] = dict(term="Deep vein thrombosis", grade=3,
                                     onset_date=dt.date(2026, 3, 27),
                                     seriousness=frozenset({"hospitalisation"}),
                                     site_aware_at=paris(2026, 3, 28, 12, 0))
    values.update(changes)
    return AdverseEvent(**values)


def test_sae_deadline_is_24_real_hours_across_spring_change(clock_hours: AeClockHours) -> None:
    # Paris skips 02:00-03:00 on 2026-03-29: 24 h after 12:00 CET is 13:00 CEST, not 12:00.
    status = sae_clock(serious(), paris(2026, 3, 28, 18, 0), clock_hours)
    assert status is not None
    assert status.kind is ClockKind.SAE_TO_SPONSOR
    assert status.deadline == dt.datetime(2026, 3, 29, 11, 0, tzinfo=UTC)
    assert status.deadline - status.started_at == dt.timedelta(hours=24)
    local = status.deadline_local
    assert (local.date(), local.hour, local.minute) == (dt.date(2026, 3, 29), 13, 0)
    assert local.utcoffset() == dt.timedelta(hours=2)
    assert status.started_at_local.utcoffset() == dt.timedelta(hours=1)
    assert status.state is ClockState.DUE
    assert status.time_left == dt.timedelta(hours=18)  # 18:00 CET to 13:00 CEST = 18 real hours


def test_sae_deadline_is_24_real_hours_across_autumn_change(clock_hours: AeClockHours) -> None:
    # Paris repeats 02:00-03:00 on 2026-10-25: 24 h after 12:00 CEST is 11:00 CET.
    ae = serious(onset_date=dt.date(2026, 10, 24), site_aware_at=paris(2026, 10, 24, 12, 0))
    status = sae_clock(ae, paris(2026, 10, 24, 13, 0), clock_hours)
    assert status is not None
    assert status.deadline == dt.datetime(2026, 10, 25, 10, 0, tzinfo=UTC)
    local = status.deadline_local
    assert (local.date(), local.hour) == (dt.date(2026, 10, 25), 11)
    assert local.utcoffset() == dt.timedelta(hours=1)
    assert status.time_left == dt.timedelta(hours=23)


def test_the_repeated_autumn_hour_is_told_apart_by_fold(clock_hours: AeClockHours) -> None:
    first = serious(onset_date=dt.date(2026, 10, 25), site_aware_at=paris(2026, 10, 25, 2, 30))
    second = serious(onset_date=dt.date(2026, 10, 25),
                     site_aware_at=paris(2026, 10, 25, 2, 30, fold=1))
    now = dt.datetime(2026, 10, 25, 3, 0, tzinfo=UTC)
    a, b = sae_clock(first, now, clock_hours), sae_clock(second, now, clock_hours)
    assert a is not None and b is not None
    assert a.deadline == dt.datetime(2026, 10, 26, 0, 30, tzinfo=UTC)
    assert b.deadline - a.deadline == dt.timedelta(hours=1)


def test_due_until_the_deadline_instant_then_overdue(clock_hours: AeClockHours) -> None:
    ae = serious()
    deadline = dt.datetime(2026, 3, 29, 11, 0, tzinfo=UTC)
    at = sae_clock(ae, deadline, clock_hours)
    after = sae_clock(ae, deadline + dt.timedelta(seconds=1), clock_hours)
    assert at is not None and after is not None
    assert (at.state, at.time_left) == (ClockState.DUE, dt.timedelta(0))
    assert after.state is ClockState.OVERDUE
    assert after.time_left == dt.timedelta(seconds=-1)


def test_met_on_time_and_met_late(clock_hours: AeClockHours) -> None:
    now = paris(2026, 4, 2, 9, 0)
    on_time = sae_clock(serious(sponsor_notified_at=paris(2026, 3, 29, 12, 59)), now, clock_hours)
    late = sae_clock(serious(sponsor_notified_at=paris(2026, 3, 29, 13, 1)), now, clock_hours)
    assert on_time is not None and late is not None
    assert (on_time.state, on_time.late, on_time.time_left) == (ClockState.MET, False, None)
    assert (late.state, late.late) == (ClockState.MET, True)


def test_notification_recorded_after_now_does_not_count_yet(clock_hours: AeClockHours) -> None:
    ae = serious(sponsor_notified_at=paris(2026, 3, 29, 10, 0))
    status = sae_clock(ae, paris(2026, 3, 29, 9, 0), clock_hours)
    assert status is not None and status.state is ClockState.DUE


def test_non_serious_event_has_no_clock(clock_hours: AeClockHours) -> None:
    ae = serious(seriousness=frozenset(), grade=1)
    assert sae_clock(ae, paris(2026, 3, 29, 9, 0), clock_hours) is None
    assert susar_clock(ae, paris(2026, 3, 29, 9, 0), clock_hours) is None


def test_fatal_susar_clock_is_7_days_from_expectedness_assessment(clock_hours: AeClockHours) -> None:
    ae = serious(grade=5, seriousness=frozenset({"death"}), related=True, expected=False,
                 expectedness_assessed_at=paris(2026, 3, 25, 10, 0))
    status = susar_clock(ae, paris(2026, 3, 31, 10, 0), clock_hours)
    assert status is not None
    assert status.kind is ClockKind.SUSAR_FATAL_OR_LIFE_THREATENING
    assert status.deadline == dt.datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
    assert status.deadline_local.hour == 11  # 10:00 CET + 168 h lands at 11:00 CEST
    assert status.time_left == dt.timedelta(hours=25)  # 10:00 CEST to 11:00 CEST next day


def test_life_threatening_susar_is_also_7_days(clock_hours: AeClockHours) -> None:
    ae = serious(seriousness=frozenset({"life_threatening"}), grade=4, related=True,
                 expected=False, expectedness_assessed_at=paris(2026, 3, 30, 10, 0))
    status = susar_clock(ae, paris(2026, 3, 30, 11, 0), clock_hours)
    assert status is not None and status.hours == 168


def test_other_susar_clock_is_15_days_across_autumn_change(clock_hours: AeClockHours) -> None:
    ae = serious(related=True, expected=False, onset_date=dt.date(2026, 10, 18),
                 site_aware_at=paris(2026, 10, 19, 9, 0),
                 expectedness_assessed_at=paris(2026, 10, 20, 10, 0))
    status = susar_clock(ae, paris(2026, 11, 5, 9, 0), clock_hours)
    assert status is not None
    assert status.kind is ClockKind.SUSAR_OTHER
    assert status.deadline == dt.datetime(2026, 11, 4, 8, 0, tzinfo=UTC)
    assert status.deadline_local.hour == 9  # 10:00 CEST + 360 h lands at 09:00 CET
    assert status.state is ClockState.OVERDUE
    assert status.time_left == -dt.timedelta(hours=24)


@pytest.mark.parametrize(("related", "expected", "assessed"), [
    (True, True, True), (False, False, True), (None, False, True), (True, None, True),
    (True, False, False)])
def test_no_susar_clock_unless_related_unexpected_and_assessed(
        clock_hours: AeClockHours, related: bool | None, expected: bool | None,
        assessed: bool) -> None:
    ae = serious(related=related, expected=expected,
                 expectedness_assessed_at=paris(2026, 3, 29, 9, 0) if assessed else None)
    assert susar_clock(ae, paris(2026, 3, 30, 9, 0), clock_hours) is None


def test_describe_shows_paris_time_and_offset(clock_hours: AeClockHours) -> None:
    due = sae_clock(serious(), paris(2026, 3, 28, 18, 30), clock_hours)
    assert due is not None
    text = due.describe()
    assert "2026-03-29 13:00" in text.en and "UTC+02:00" in text.en
    assert "17 h 30 min left" in text.en
    assert "reste 17 h 30" in text.fr
    overdue = sae_clock(serious(), paris(2026, 3, 29, 14, 5), clock_hours)
    assert overdue is not None and "by 1 h 05 min" in overdue.describe().en
    late = sae_clock(serious(sponsor_notified_at=paris(2026, 3, 29, 14, 0)),
                     paris(2026, 3, 30, 9, 0), clock_hours)
    assert late is not None and "(en retard)" in late.describe().fr


@pytest.mark.parametrize("field", ["now", "site_aware_at"])
def test_naive_datetimes_are_refused_by_name(clock_hours: AeClockHours, field: str) -> None:
    naive = dt.datetime(2026, 3, 29, 12, 0)
    ae = serious(site_aware_at=naive) if field == "site_aware_at" else serious()
    now = naive if field == "now" else paris(2026, 3, 29, 12, 0)
    with pytest.raises(InvalidInput) as caught:
        sae_clock(ae, now, clock_hours)
    assert caught.value.field == field
    assert "naive" in str(caught.value)


def test_serious_event_without_awareness_time_cannot_start_a_clock(
        clock_hours: AeClockHours) -> None:
    with pytest.raises(InvalidInput) as caught:
        sae_clock(serious(site_aware_at=None), paris(2026, 3, 29, 12, 0), clock_hours)
    assert caught.value.field == "site_aware_at"


def test_clock_refuses_completion_before_start() -> None:
    start = dt.datetime(2026, 3, 29, 12, 0, tzinfo=UTC)
    with pytest.raises(InvalidInput) as caught:
        clock_status(ClockKind.SAE_TO_SPONSOR, 24, start, start + dt.timedelta(hours=1),
                     completed_at=start - dt.timedelta(hours=1))
    assert caught.value.field == "completed_at"


@settings(max_examples=300, deadline=None)
@given(moment=st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31),
                           timezones=st.just(PARIS)),
       hours=st.sampled_from([24, 168, 360]))
def test_any_deadline_is_exactly_the_hours_later_in_real_time(moment: dt.datetime,
                                                              hours: int) -> None:
    status = clock_status(ClockKind.SAE_TO_SPONSOR, hours, moment, moment)
    elapsed = status.deadline.timestamp() - moment.timestamp()
    assert elapsed == hours * 3600
    assert status.deadline_local.astimezone(UTC) == status.deadline
