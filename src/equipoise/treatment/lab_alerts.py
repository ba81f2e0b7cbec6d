"""Lab alerts of a subject, computed on read from the saved labs forms.

Each saved labs record is run through the label rules (`safety.lab_alerts.lab_alerts`) for the
study drug of the subject's arm. What a reader sees goes through the blinding policy: a user who
may not see the arm gets `blinded_view` (the arm-neutral findings only, no drug, no action).
"""

from __future__ import annotations

from dataclasses import dataclass

from equipoise.allocation.blinding import may_see_arm
from equipoise.records.access import Rights
from equipoise.records.models import FormRecord, Subject
from equipoise.safety.lab_alerts import BlindedLabAlert, LabAlert, blinded_view, lab_alerts
from equipoise.safety.parameters import LabLimits
from equipoise.treatment.facts import lab_records, subject_protocol, subject_regimen


@dataclass(frozen=True)
class RecordAlerts:
    """The alerts raised by one labs record (full or blinded, as the reader may see them)."""

    record: FormRecord
    sample_date: str | None
    alerts: tuple[LabAlert, ...] | tuple[BlindedLabAlert, ...]


def subject_lab_alerts(subject: Subject, rights: Rights) -> list[RecordAlerts]:
    """Alerts per labs record, newest sample first; records without an alert are left out."""
    regimen = subject_regimen(subject)
    if regimen is None:
        return []
    limits = LabLimits.from_safety(subject_protocol(subject).safety)
    out = []
    for lab in lab_records(subject):
        alerts = lab_alerts(lab.values, regimen.study_drug.id, limits)
        shown = alerts if may_see_arm(rights) else blinded_view(alerts)
        if shown:
            out.append(RecordAlerts(lab.record, lab.sample_date, shown))
    return sorted(out, key=lambda r: (r.sample_date or "", r.record.pk), reverse=True)
