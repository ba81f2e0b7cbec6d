"""Protocol deviations: a date outside its visit window is confirmed and recorded, never silent.

Assumption (protocols/nct06965244/schedule.yaml): any date outside the visit's protocol window
(earliest_date..latest_date) asks for confirmation and is recorded as a deviation; the window
itself is the protocol's, so the rule changes with an amendment.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import Visit
from equipoise.treatment.actions.refusals import refusal, version_of
from equipoise.treatment.models import ProtocolDeviation

OUTSIDE_WINDOW = "outside_window"


def days_outside(visit: Visit, day: dt.date) -> int:
    """How many days `day` falls before the window (negative) or after it (positive); 0 inside."""
    if visit.earliest_date is not None and day < visit.earliest_date:
        return (day - visit.earliest_date).days
    if visit.latest_date is not None and day > visit.latest_date:
        return (day - visit.latest_date).days
    return 0


def require_confirmation(visit: Visit, day: dt.date, what: str, confirmed: bool) -> int:
    """Refuse a date outside the window unless confirmed; return the days outside (0 inside)."""
    off = days_outside(visit, day) if visit.scheduled else 0
    if off and not confirmed:
        side = "after" if off > 0 else "before"
        side_fr = "après" if off > 0 else "avant"
        raise refusal(
            "confirm_outside_window", day, "confirm",
            f"{what} on {day} is {abs(off)} day(s) {side} the window of visit {visit.visit_id} "
            f"({visit.earliest_date} to {visit.latest_date}): tick the confirmation to record it as a deviation",
            f"{what} le {day} : {abs(off)} jour(s) {side_fr} la fenêtre de la visite {visit.visit_id} "
            f"({visit.earliest_date} au {visit.latest_date}) ; cochez la confirmation pour l'enregistrer "
            "comme déviation", status=409)
    return off


def record_window_deviation(actor: Actor, visit: Visit, day: dt.date, what: str, off: int) -> ProtocolDeviation:
    """Store the confirmed out-of-window date as a deviation, with its audit event (caller's transaction)."""
    version, label = version_of(visit.subject)
    side = "late" if off > 0 else "early"
    deviation = ProtocolDeviation.objects.create(
        subject=visit.subject, visit=visit, kind=OUTSIDE_WINDOW, occurred_on=day,
        detail=f"{what} on {day}: {abs(off)} day(s) {side} (window {visit.earliest_date} to {visit.latest_date})",
        recorded_by=actor.user, recorded_at=timezone.now(), protocol_version=version)
    record_event(actor, AuditAction.DEVIATION_RECORD, "deviation", deviation.pk, subject_code=visit.subject.code,
                 site_code=visit.subject.site.code, changes={"kind": [None, OUTSIDE_WINDOW],
                                                             "detail": [None, deviation.detail]},
                 protocol_version=label)
    return deviation
