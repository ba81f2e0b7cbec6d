"""Create a subject's visit rows from the protocol schedule."""

from __future__ import annotations

import datetime as dt

from equipoise.records.models import Subject, Visit
from equipoise.records.protocol_versions import current_version, protocol_of


def ensure_screening_visit(subject: Subject) -> Visit:
    protocol = protocol_of(current_version(subject.protocol_id))
    screening = next(v for v in protocol.schedule.visits if v.kind == "screening")
    visit, _ = Visit.objects.get_or_create(
        subject=subject, visit_id=screening.id, scheduled=True, defaults={"sequence": 0}
    )
    return visit


def create_schedule(subject: Subject, randomized_on: dt.date) -> list[Visit]:
    """Visits after screening, dated from the randomization day (calendar dates: DST cannot shift them)."""
    protocol = protocol_of(current_version(subject.protocol_id))
    visits = []
    for index, v in enumerate(sorted(protocol.schedule.visits, key=lambda v: v.target_day)):
        if v.kind == "screening":
            continue
        visit, _ = Visit.objects.update_or_create(
            subject=subject, visit_id=v.id, scheduled=True,
            defaults={
                "sequence": index,
                "target_date": randomized_on + dt.timedelta(days=v.target_day),
                "earliest_date": randomized_on + dt.timedelta(days=v.earliest_day),
                "latest_date": randomized_on + dt.timedelta(days=v.latest_day),
            },
        )
        visits.append(visit)
    return visits
