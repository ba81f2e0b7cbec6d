"""Reporting clocks of stored adverse events, computed on read at a given `now`.

Nothing about a clock is stored: the start (site awareness, expectedness assessment), the
completion (sponsor or authorities notified) and the protocol's hours are, and
`safety.adverse_events.sae_clock` / `susar_clock` turn them into a state at `now`. So a clock
can never be stale, and the same function answers the dashboard, the subject page and the
`safety notify-due` command.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.safety.adverse_events import AdverseEvent as PureEvent
from equipoise.safety.adverse_events import (
    ClockState,
    ClockStatus,
    pregnancy_report_clock,
    sae_clock,
    susar_clock,
)
from equipoise.safety.parameters import AeClockHours
from equipoise.treatment.models import AdverseEvent, PregnancyReport, PregnancyReportStatus


def pure_event(ae: AdverseEvent) -> PureEvent:
    """The stored event as the pure rules see it."""
    return PureEvent(
        term=ae.term, grade=ae.grade, onset_date=ae.onset_date, end_date=ae.end_date,
        seriousness=frozenset(ae.seriousness), special_interest=frozenset(ae.special_interest),
        site_aware_at=ae.site_aware_at, related=ae.related_to_study_drug, expected=ae.expected,
        expectedness_assessed_at=ae.expectedness_assessed_at, sponsor_notified_at=ae.sponsor_notified_at,
        authorities_notified_at=ae.authorities_notified_at)


def clock_hours(protocol_id: str) -> AeClockHours:
    return AeClockHours.from_safety(protocol_of(current_version(protocol_id)).safety)


def event_clocks(ae: AdverseEvent, now: dt.datetime, hours: AeClockHours) -> list[ClockStatus]:
    """The SAE clock and, once the sponsor judged it a SUSAR, the authorities' clock."""
    event = pure_event(ae)
    return [c for c in (sae_clock(event, now, hours), susar_clock(event, now, hours)) if c is not None]


@dataclass(frozen=True)
class ClockRow:
    """One running clock of one event, for listing."""

    event: AdverseEvent
    clock: ClockStatus

    @property
    def overdue(self) -> bool:
        return self.clock.state is ClockState.OVERDUE


def running_clocks(events: Iterable[AdverseEvent], now: dt.datetime) -> list[ClockRow]:
    """Every due or overdue clock of `events` at `now`, most urgent (earliest deadline) first."""
    hours_of = cache(clock_hours)  # read once per protocol in this list
    rows = []
    for ae in events:
        for clock in event_clocks(ae, now, hours_of(ae.subject.protocol_id)):
            if clock.state is not ClockState.MET:
                rows.append(ClockRow(ae, clock))
    return sorted(rows, key=lambda r: (r.clock.deadline, r.event.pk))


def serious_events(site_ids: Iterable[int] | None = None):
    """Serious events (the only ones with clocks), optionally limited to some sites."""
    qs = AdverseEvent.objects.exclude(seriousness=[]).select_related("subject", "subject__site")
    if site_ids is not None:
        qs = qs.filter(subject__site_id__in=list(site_ids))
    return qs.order_by("site_aware_at", "id")


@dataclass(frozen=True)
class PregnancyReportRow:
    """An open pregnancy report and its sponsor clock at `now`."""

    report: PregnancyReport
    clock: ClockStatus


def open_pregnancy_reports(now: dt.datetime, *, site_ids: Iterable[int] | None = None,
                           subject_id: int | None = None) -> list[PregnancyReportRow]:
    """Every open pregnancy report (of some sites, or of one subject), oldest first, with its clock."""
    qs = (PregnancyReport.objects.filter(status=PregnancyReportStatus.OPEN)
          .select_related("subject", "subject__site").order_by("opened_at", "id"))
    if site_ids is not None:
        qs = qs.filter(subject__site_id__in=list(site_ids))
    if subject_id is not None:
        qs = qs.filter(subject_id=subject_id)
    hours_of = cache(clock_hours)  # read once per protocol in this list
    return [PregnancyReportRow(report, pregnancy_report_clock(
        report.opened_at, now, hours_of(report.subject.protocol_id), report.sponsor_notified_at)) for report in qs]
