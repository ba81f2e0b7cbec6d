"""Times people pick and spans they read: Paris wall-clock time in, UTC stored; "14 j 23 h" out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

from equipoise.visits.durations import days_hours
from equipoise.visits.localtime import NotALocalTime, from_local_input, local_input_value


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


@pytest.mark.parametrize(("picked", "instant"), [
    ("2026-01-15T09:30", utc(2026, 1, 15, 8, 30)),     # winter, UTC+1
    ("2026-07-15T09:30", utc(2026, 7, 15, 7, 30)),     # summer, UTC+2
    ("2026-03-29T01:59", utc(2026, 3, 29, 0, 59)),     # the last winter minute before the spring change
    ("2026-03-29T03:00", utc(2026, 3, 29, 1, 0)),      # the first summer minute
    ("2026-10-25T02:30", utc(2026, 10, 25, 0, 30)),    # the autumn hour seen twice: its first (summer) pass
    ("2026-10-25T03:30", utc(2026, 10, 25, 2, 30)),
    ("2026-07-15T09:30:45", utc(2026, 7, 15, 7, 30, 45)),
    ("2026-07-15T09:30+00:00", utc(2026, 7, 15, 9, 30)),  # an offset given by a script is kept
])
def test_a_picked_paris_time_is_its_utc_instant(picked, instant):
    assert from_local_input(picked) == instant
    assert from_local_input(picked).tzinfo == dt.UTC


@pytest.mark.parametrize(("typed", "reason"), [
    ("2026-03-29T02:30", "skipped"),
    ("2026-07-15", "format"),
    ("15/07/2026 09:30", "format"),
    ("", "format"),
])
def test_what_is_not_a_paris_wall_clock_time_is_refused_with_its_reason(typed, reason):
    with pytest.raises(NotALocalTime) as refused:
        from_local_input(typed)
    assert refused.value.reason == reason


def test_an_instant_fills_the_picker_in_paris_time_and_reads_back_the_same():
    for instant in (utc(2026, 1, 15, 8, 30), utc(2026, 7, 15, 7, 30)):
        shown = local_input_value(instant)
        assert shown == "2026-01-15T09:30" if instant.month == 1 else shown == "2026-07-15T09:30"
        assert from_local_input(shown) == instant
    assert local_input_value(None) == ""


@pytest.mark.parametrize(("span", "fr", "en"), [
    (dt.timedelta(hours=359, minutes=59), "14 j 23 h", "14 d 23 h"),
    (dt.timedelta(days=1), "1 j 0 h", "1 d 0 h"),
    (dt.timedelta(hours=23, minutes=59, seconds=59), "23 h 59", "23 h 59 min"),
    (dt.timedelta(hours=3, minutes=5), "3 h 05", "3 h 05 min"),
    (dt.timedelta(minutes=42), "42 min", "42 min"),
    (-dt.timedelta(days=2, hours=1), "2 j 1 h", "2 d 1 h"),
])
def test_a_span_reads_in_days_and_hours(span, fr, en):
    assert days_hours(span).fr == fr and days_hours(span).en == en


def test_the_duration_filter_speaks_the_page_language():
    template = Template("{% load local_time %}{{ span|duration }}|{{ none|duration }}|{{ moment|local_input }}")
    context = {"span": dt.timedelta(hours=359, minutes=59), "none": None, "moment": utc(2026, 7, 15, 7, 30)}
    with translation.override("fr"):
        assert template.render(Context(context)) == "14 j 23 h||2026-07-15T09:30"
    with translation.override("en"):
        assert template.render(Context(context)) == "14 d 23 h||2026-07-15T09:30"


def test_a_reporting_clock_tells_its_lateness_in_days_and_hours():
    from equipoise.safety.adverse_events import ClockKind, clock_status

    aware = utc(2026, 7, 1, 7, 30)  # 09:30 in Paris
    late = clock_status(ClockKind.SAE_TO_SPONSOR, 24, aware, aware + dt.timedelta(hours=24 + 359, minutes=59))
    assert late.describe().en.endswith("overdue since 2026-07-02 09:30 Paris time (UTC+02:00), by 14 d 23 h.")
    assert late.describe().fr.endswith("en retard depuis le 02/07/2026 à 09:30 heure de Paris (UTC+02:00), de 14 j 23 h.")
    due = clock_status(ClockKind.SAE_TO_SPONSOR, 24, aware, aware + dt.timedelta(hours=20, minutes=30))
    assert due.describe().en.endswith("3 h 30 min left.") and due.describe().fr.endswith("reste 3 h 30.")
