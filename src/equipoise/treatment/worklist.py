"""One subject's visit calendar and pregnancy tests, computed at a given Paris `today` (the site
worklist reads the same facts for many subjects at once: `treatment.site_worklist`).

Statuses come from `visits.calendar.visit_status` over the dated visit rows; pregnancy tests due
from `safety.pregnancy.pregnancy_test_status` over the test calendar that starts at the first
dispensing (women of childbearing potential only, as recorded at screening). Nothing here is
arm-revealing: visits, forms and pregnancy tests are the same in both arms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from equipoise.protocol.schema import Protocol
from equipoise.records.models import FormRecord, FormState, Subject, Visit
from equipoise.safety.parameters import PregnancyRules
from equipoise.safety.pregnancy import (
    PregnancyTestStatus,
    pregnancy_test_due_dates,
    pregnancy_test_status,
)
from equipoise.treatment.facts import (
    PREGNANCY_FORM,
    counts_as_negative,
    drug_state,
    first_dispensing,
    patient_facts,
    pregnancy_tests,
    subject_protocol,
)
from equipoise.visits.calendar import VisitStatus, VisitWindow, visit_status


@dataclass(frozen=True)
class VisitRow:
    subject: Subject
    visit: Visit
    label: str
    status: VisitStatus | None  # None: not dated yet (before randomization)


def visit_label(protocol: Protocol, visit: Visit, lang: str) -> str:
    if not visit.scheduled:
        return f"{'Visite non programmée' if lang.startswith('fr') else 'Unscheduled visit'} {visit.attempt}"
    return protocol.visit(visit.visit_id).label.get(lang)


def status_of(visit: Visit, today: dt.date) -> VisitStatus | None:
    if visit.target_date is None or visit.earliest_date is None or visit.latest_date is None:
        return None
    window = VisitWindow(visit.visit_id, visit.target_date, visit.earliest_date, visit.latest_date)
    return visit_status(window, today, visit.done_date, visit.missed)


def subject_calendar(subject: Subject, today: dt.date, lang: str) -> list[VisitRow]:
    protocol = subject_protocol(subject)
    return [VisitRow(subject, v, visit_label(protocol, v, lang), status_of(v, today))
            for v in subject.visits.order_by("sequence", "id")]


def expected_forms(protocol: Protocol, visit: Visit, childbearing: bool) -> list[str]:
    """Forms the schedule expects at a scheduled visit; no pregnancy test where none is needed."""
    if not visit.scheduled:
        return []
    return [f for f in protocol.visit(visit.visit_id).forms if childbearing or f != PREGNANCY_FORM]


def missing_forms(subject: Subject, visit: Visit, protocol: Protocol, childbearing: bool) -> list[str]:
    """Expected forms of a done visit that are not saved yet or still in draft."""
    states = dict(FormRecord.objects.filter(visit=visit).values_list("form_id", "state"))
    return [f for f in expected_forms(protocol, visit, childbearing)
            if states.get(f) not in (FormState.COMPLETE, FormState.LOCKED)]


def treatment_end(subject: Subject, protocol, first_dose: dt.date) -> dt.date | None:
    """The last day on study drug, once known: a stop, the end-of-treatment visit done, or the end
    of the patient's participation, whichever comes first; None while treatment goes on."""
    ends = []
    stopped = drug_state(subject, dt.date.max).stopped
    if stopped is not None and stopped.effective_on >= first_dose:
        ends.append(stopped.effective_on)
    eot = [v.id for v in protocol.schedule.visits if v.kind == "end_of_treatment"]
    done = subject.visits.filter(visit_id__in=eot, scheduled=True, done_date__isnull=False).first()
    if done is not None and done.done_date is not None:
        ends.append(done.done_date)
    if subject.participation_ended_on is not None:
        ends.append(subject.participation_ended_on)
    return min(ends) if ends else None


def pregnancy_status(subject: Subject, today: dt.date) -> PregnancyTestStatus | None:
    """Where a woman of childbearing potential on treatment stands on her monthly tests."""
    if not patient_facts(subject).woman_of_childbearing_potential:
        return None
    first = first_dispensing(subject)
    if first is None:
        return None
    protocol = subject_protocol(subject)
    rules = PregnancyRules.from_safety(protocol.safety)
    last_dose = treatment_end(subject, protocol, first.dispensed_on)
    until = today + dt.timedelta(days=rules.test_max_days_before_prescription)
    dues = pregnancy_test_due_dates(first.dispensed_on, last_dose, rules, until=None if last_dose else until)
    taken = [t.taken_on for t in pregnancy_tests(subject)
             if counts_as_negative(t, rules.test_threshold_miu_ml)]
    return pregnancy_test_status(today, dues, taken, rules)
