"""Create a subject's visit rows from the protocol schedule."""

from __future__ import annotations

import datetime as dt

from equipoise.protocol.schema import Protocol
from equipoise.records import statements
from equipoise.records.models import Subject, Visit
from equipoise.records.protocol_versions import current_version, protocol_of


def ensure_screening_visit(subject: Subject) -> Visit:
    """The screening visit of the current attempt, and the (not yet dated) baseline visit.

    The baseline visit exists before randomization so that the randomization CLASI-A (IN05) can be
    scored on it; allocation gives it and the later visits their dates.
    """
    protocol = protocol_of(current_version(subject.protocol_id))
    for v in protocol.schedule.visits:
        if v.kind == "screening":
            visit, _ = Visit.objects.get_or_create(
                subject=subject, visit_id=v.id, scheduled=True, attempt=subject.screening_attempt,
                defaults={"sequence": 0},
            )
        elif v.kind == "baseline":
            Visit.objects.get_or_create(subject=subject, visit_id=v.id, scheduled=True, attempt=1,
                                        defaults={"sequence": 1})
    return visit


def screening_visit(subject: Subject) -> Visit:
    protocol = protocol_of(current_version(subject.protocol_id))
    screening = next(v for v in protocol.schedule.visits if v.kind == "screening")
    return Visit.objects.get(subject=subject, visit_id=screening.id, scheduled=True, attempt=subject.screening_attempt)


def baseline_visit(subject: Subject) -> Visit:
    protocol = protocol_of(current_version(subject.protocol_id))
    baseline = next(v for v in protocol.schedule.visits if v.kind == "baseline")
    return Visit.objects.get(subject=subject, visit_id=baseline.id, scheduled=True, attempt=1)


def scheduling(subject: Subject, randomized_on: dt.date, protocol: Protocol | None = None) -> statements.Write:
    """The one statement that writes the visits from baseline on, dated from the randomization day
    (calendar dates: DST cannot shift them). Visits that exist already (the baseline, created at
    screening) get their dates."""
    protocol = protocol or protocol_of(current_version(subject.protocol_id))
    rows = [
        {"subject_id": subject.pk, "visit_id": v.id, "scheduled": True, "attempt": 1, "sequence": index,
         "target_date": randomized_on + dt.timedelta(days=v.target_day),
         "earliest_date": randomized_on + dt.timedelta(days=v.earliest_day),
         "latest_date": randomized_on + dt.timedelta(days=v.latest_day)}
        for index, v in enumerate(sorted(protocol.schedule.visits, key=lambda v: v.target_day))
        if v.kind != "screening"
    ]
    return statements.upserting_many(Visit, rows, constraint="one_scheduled_visit",
                                     update=["sequence", "target_date", "earliest_date", "latest_date"])


def create_schedule(subject: Subject, randomized_on: dt.date, protocol: Protocol | None = None) -> None:
    statements.together([scheduling(subject, randomized_on, protocol)])
