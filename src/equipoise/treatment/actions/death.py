"""A patient's death: the end of participation and, when none is recorded yet, its serious adverse event.

A death is always a serious adverse event (grade 5, outcome fatal) with its 24-hour sponsor clock.
If the investigator already reported an adverse event whose seriousness includes death, that event
stands; otherwise one is opened with the cause of death as its term and the investigator's
causality answer, in the same transaction as the end of participation, so neither exists alone.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from equipoise.records.actions.subjects import ending_participation
from equipoise.records.actor import Actor
from equipoise.records.models import EndOutcome, Subject
from equipoise.treatment.actions.adverse_events import report_adverse_event
from equipoise.treatment.actions.refusals import refusal
from equipoise.treatment.ae_entry import CAUSALITY
from equipoise.treatment.facts import subject_regimen
from equipoise.treatment.models import AdverseEvent

DEATH = "death"
FATAL_GRADE = 5


def recorded_death_event(subject: Subject) -> AdverseEvent | None:
    """The subject's adverse event already recorded with death among its seriousness criteria."""
    return next((ae for ae in AdverseEvent.objects.filter(subject=subject).order_by("id")
                 if DEATH in (ae.seriousness or [])), None)


def record_death(actor: Actor, subject: Subject, died_on: dt.date, cause: str, causality: str,
                 now: dt.datetime | None = None, site_aware_at: dt.datetime | None = None,
                 ) -> tuple[Subject, AdverseEvent, bool]:
    """End the participation with the outcome death and make sure a fatal SAE exists.

    `causality` (related / not_related) applies to each drug of the patient's regimen. The site
    learnt of the death at `site_aware_at` (default: when it is recorded), which starts the 24-hour
    sponsor clock. Returns the subject, the death's adverse event and whether it was opened here."""
    now = now or timezone.now()
    existing = recorded_death_event(subject)
    if existing is None and causality not in CAUSALITY:
        raise refusal("causality", causality, f"one of {', '.join(CAUSALITY)}",
                      "causality: say whether the study treatment could be related to the death",
                      "causalité : indiquez si le traitement de l'étude peut être lié au décès")
    with transaction.atomic():
        if existing is None:
            regimen = subject_regimen(subject)
            drugs = ([regimen.study_drug.id] + ([regimen.auxiliary.id] if regimen.auxiliary else [])
                     if regimen else [])
            event = report_adverse_event(
                actor, subject, term=cause, onset_date=died_on, grade=FATAL_GRADE, action_taken="not_applicable",
                outcome="fatal", causality={drug: causality for drug in drugs}, seriousness=[DEATH],
                site_aware_at=site_aware_at or now, now=now)
        else:
            event = existing
        ended = ending_participation(actor, subject, EndOutcome.DEATH, died_on, cause, now=now)
    return ended, event, existing is None
