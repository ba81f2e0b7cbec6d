"""Dispensing behind the pregnancy-prevention gate, and the pill count of what comes back.

The dispenser is the pharmacist. Every dispensing asks `safety.pregnancy.check_dispensing`; a
refusal lists every unmet condition in French and English, creates no dispensing row, and leaves
one audit event, `dispensing.refused`, with the violation codes, so that an inspector can see
what was attempted and why it was stopped. There is no override.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from equipoise.records.actions.errors import ActionRefused, FieldError
from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction
from equipoise.records.permissions import Do
from equipoise.safety.errors import InvalidInput
from equipoise.treatment.actions.refusals import (
    from_invalid,
    refusal,
    require_not_future,
    require_permission,
    version_of,
)
from equipoise.treatment.facts import drug_state, patient_facts, subject_regimen
from equipoise.treatment.gate import gate_decision
from equipoise.treatment.models import Dispensing, Prescription, TabletReturn
from equipoise.treatment.regimens import tablets_for_course
from equipoise.visits.localtime import trial_date


def _violation(code: str, en: str, fr: str, **values: Any) -> FieldError:
    return FieldError(code, code, en, message_fr=fr,
                      values={k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()})


def _treatment_violations(prescription: Prescription, dispensed_on: dt.date) -> list[FieldError]:
    """Conditions outside the pregnancy gate that also forbid handing the drug over."""
    out = []
    subject = prescription.subject
    if patient_facts(subject).sex not in ("female", "male"):
        out.append(_violation("sex_not_recorded",
                              "The patient's sex is not recorded on the screening form; the pregnancy-prevention "
                              "rules cannot be applied.",
                              "Le sexe du patient n'est pas renseigné sur le formulaire de sélection ; les règles "
                              "de prévention de la grossesse ne peuvent pas être appliquées."))
    state = drug_state(subject, dispensed_on)
    if state.stopped is not None:
        out.append(_violation("study_drug_stopped",
                              f"The study drug was stopped on {state.stopped.effective_on} ({state.stopped.reason}).",
                              f"Le traitement de l'étude a été arrêté le {state.stopped.effective_on} "
                              f"({state.stopped.reason}).", stopped_on=state.stopped.effective_on))
    elif state.on_hold is not None:
        out.append(_violation("study_drug_on_hold",
                              f"The study drug is on hold since {state.on_hold.effective_on} ({state.on_hold.reason}).",
                              f"Le traitement de l'étude est suspendu depuis le {state.on_hold.effective_on} "
                              f"({state.on_hold.reason}).", on_hold_since=state.on_hold.effective_on))
    return out


def dispense(actor: Actor, prescription: Prescription, dispensed_on: dt.date,
             now: dt.datetime | None = None) -> Dispensing:
    """Hand over one prescription's tablets if, and only if, every condition holds."""
    require_permission(actor, Do.DISPENSE, "dispensing")
    require_not_future("dispensed_on", dispensed_on, trial_date(now or timezone.now()))
    subject = prescription.subject
    if Dispensing.objects.filter(prescription=prescription).exists():
        raise refusal("prescription", prescription.pk, "dispensed once",
                      f"prescription {prescription.pk} has already been dispensed", status=409)
    violations = _treatment_violations(prescription, dispensed_on)
    if not any(v.rule == "sex_not_recorded" for v in violations):
        try:
            result = gate_decision(subject, prescription, dispensed_on)
        except InvalidInput as exc:
            raise from_invalid(exc) from None
        violations += [_violation(v.code.value, v.message.en, v.message.fr, **v.values) for v in result.violations]
    version, label = version_of(subject)
    if violations:
        codes = [v.rule for v in violations]
        with transaction.atomic():
            record_event(actor, AuditAction.DISPENSING_REFUSED, "prescription", prescription.pk, subject_code=subject.code,
                         site_code=subject.site.code,
                         changes={"violations": [None, codes], "dispensed_on": [None, dispensed_on.isoformat()]},
                         protocol_version=label)
        raise ActionRefused(
            f"dispensing refused: {len(codes)} condition(s) unmet ({', '.join(codes)})", violations, status=422)
    regimen = subject_regimen(subject)
    assert regimen is not None  # a prescription exists only for a randomized subject
    try:
        tablets = tablets_for_course(prescription.dose_mg, regimen.study_drug, dispensed_on, prescription.days,
                                     prescription.weekday)
        aux_tablets = 0
        if regimen.auxiliary is not None and prescription.auxiliary_dose_mg is not None:
            aux_tablets = tablets_for_course(prescription.auxiliary_dose_mg, regimen.auxiliary, dispensed_on,
                                             prescription.days, prescription.auxiliary_weekday,
                                             field="auxiliary_dose_mg")
    except InvalidInput as exc:
        raise from_invalid(exc) from None
    with transaction.atomic():
        dispensing = Dispensing.objects.create(
            prescription=prescription, subject=subject, dispensed_on=dispensed_on, tablets=tablets,
            auxiliary_tablets=aux_tablets, dispenser=actor.user, created_at=timezone.now(), protocol_version=version)
        record_event(actor, AuditAction.DISPENSING_CREATE, "dispensing", dispensing.pk, subject_code=subject.code,
                     site_code=subject.site.code,
                     changes={"prescription": [None, prescription.pk], "dispensed_on": [None, dispensed_on.isoformat()],
                              "tablets": [None, tablets], "auxiliary_tablets": [None, aux_tablets],
                              "pregnancy_gate": [None, "accepted"]},
                     protocol_version=label)
    return dispensing


def record_return(actor: Actor, dispensing: Dispensing, returned_on: dt.date, tablets_returned: int,
                  auxiliary_returned: int = 0, now: dt.datetime | None = None) -> TabletReturn:
    """Count the tablets brought back; more returned than dispensed is refused, never clipped."""
    require_permission(actor, Do.COUNT_RETURN, "counting returned tablets")
    require_not_future("returned_on", returned_on, trial_date(now or timezone.now()))
    if returned_on <= dispensing.dispensed_on:
        raise refusal("returned_on", returned_on, "after dispensing",
                      f"returned_on: {returned_on} must be after the dispensing of {dispensing.dispensed_on}")
    for field, value, given in (("tablets_returned", tablets_returned, dispensing.tablets),
                                ("auxiliary_returned", auxiliary_returned, dispensing.auxiliary_tablets)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise refusal(field, value, "whole number >= 0", f"{field}: {value!r} must be a whole number of tablets")
        if value > given:
            raise refusal(field, value, "not above dispensed",
                          f"{field}: {value} is more than the {given} tablets dispensed")
    if TabletReturn.objects.filter(dispensing=dispensing).exists():
        raise refusal("dispensing", dispensing.pk, "counted once",
                      f"the tablets of dispensing {dispensing.pk} are already counted", status=409)
    _, label = version_of(dispensing.subject)
    with transaction.atomic():
        counted = TabletReturn.objects.create(
            dispensing=dispensing, returned_on=returned_on, tablets_returned=tablets_returned,
            auxiliary_returned=auxiliary_returned, counted_by=actor.user, created_at=timezone.now())
        record_event(actor, AuditAction.DISPENSING_RETURN, "tablet_return", counted.pk, subject_code=dispensing.subject.code,
                     site_code=dispensing.subject.site.code,
                     changes={"returned_on": [None, returned_on.isoformat()],
                              "tablets_returned": [None, tablets_returned],
                              "auxiliary_returned": [None, auxiliary_returned]},
                     protocol_version=label)
    return counted
