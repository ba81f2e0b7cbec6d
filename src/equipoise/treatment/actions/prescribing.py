"""Prescribing the arm's regimen, and holding, resuming, reducing or stopping the study drug.

The prescriber is the investigator. A prescription is checked against the protocol before it is
stored: the drug is the subject's arm's, the dose is allowed and a whole number of tablets, a
weekly drug names its weekday and folic acid another one, and the length respects the limit for
this patient (28 days for a woman of childbearing potential, 84 otherwise, `safety.yaml`). The
pregnancy-prevention gate itself runs again at dispensing, where the law places it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from equipoise.records.actions.errors import ActionRefused, FieldError
from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import Subject
from equipoise.records.permissions import Do
from equipoise.safety.errors import InvalidInput
from equipoise.safety.parameters import PregnancyRules
from equipoise.safety.pregnancy import WEEKDAYS
from equipoise.treatment.actions.refusals import (
    refusal,
    require_not_future,
    require_permission,
    version_of,
)
from equipoise.treatment.facts import drug_state, patient_facts, subject_protocol, subject_regimen
from equipoise.treatment.models import AdverseEvent, DoseChange, DoseChangeKind, Prescription
from equipoise.treatment.regimens import max_dose_mg, tablets_per_dose
from equipoise.visits.localtime import trial_date


def _dose(field: str, raw: Any) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        raise refusal(field, raw, "number", f"{field}: {raw!r} is not a dose in mg") from None
    if not value.is_finite() or value <= 0:
        raise refusal(field, raw, "> 0", f"{field}: {raw!r} must be a dose in mg greater than 0")
    return value


def _problem(field: str, value: object, rule: str, en: str, fr: str) -> FieldError:
    return FieldError(field, rule, en, value if isinstance(value, str | int | None) else str(value), fr)


def prescribe(actor: Actor, subject: Subject, *, prescribed_on: dt.date, days: int, dose_mg: Any = None,
              weekday: str = "", auxiliary_weekday: str = "", auxiliary_dose_mg: Any = None,
              now: dt.datetime | None = None) -> Prescription:
    """Store a prescription of the subject's arm regimen, or refuse listing every problem."""
    require_permission(actor, Do.PRESCRIBE, "prescribing")
    today = trial_date(now or timezone.now())
    require_not_future("prescribed_on", prescribed_on, today)
    regimen = subject_regimen(subject)
    if regimen is None:
        raise refusal("subject", subject.code, "randomized",
                      f"subject {subject.code} is not randomized: there is no arm to prescribe", status=409)
    state = drug_state(subject, prescribed_on)
    if state.stopped is not None:
        raise refusal("study_drug", "stopped", "stop is final",
                      f"the study drug was stopped on {state.stopped.effective_on}: {state.stopped.reason}",
                      status=409)
    if state.on_hold is not None:
        raise refusal("study_drug", "on_hold", "resume first",
                      f"the study drug is on hold since {state.on_hold.effective_on} ({state.on_hold.reason}); "
                      "record its resumption before prescribing", status=409)
    drug, aux = regimen.study_drug, regimen.auxiliary
    problems: list[FieldError] = []
    rules = PregnancyRules.from_safety(subject_protocol(subject).safety)
    childbearing = patient_facts(subject).woman_of_childbearing_potential
    limit = rules.prescription_max_days_childbearing if childbearing else rules.prescription_max_days_other
    if isinstance(days, bool) or not isinstance(days, int) or days <= 0:
        problems.append(_problem("days", days, "whole number > 0", f"days: {days!r} must be a whole number of days > 0",
                                 f"days : {days!r} doit être un nombre entier de jours > 0"))
    elif days > limit:
        who_en = "a woman of childbearing potential" if childbearing else "this patient"
        who_fr = "une femme en âge de procréer" if childbearing else "ce patient"
        problems.append(_problem(
            "days", days, "prescription_too_long",
            f"days: {days} is more than the {limit} days allowed for {who_en} (safety.pregnancy)",
            f"days : {days} dépasse les {limit} jours autorisés pour {who_fr} (safety.pregnancy)"))
    dose = _dose("dose_mg", dose_mg) if dose_mg not in (None, "") else (
        state.reduced_dose_mg or Decimal(str(drug.regimen.dose_mg)))
    aux_dose = None
    for field, given, intervention in (("dose_mg", dose, drug), ("auxiliary_dose_mg", None, aux)):
        if intervention is None:
            continue
        if given is None:  # the auxiliary drug's dose: entered, or the protocol's
            value = aux_dose = (_dose(field, auxiliary_dose_mg) if auxiliary_dose_mg not in (None, "")
                                else Decimal(str(intervention.regimen.dose_mg)))
        else:
            value = given
        top = max_dose_mg(intervention)
        if value > top:
            problems.append(_problem(field, str(value), "max_dose_mg",
                                     f"{field}: {value} mg is above the protocol's {top} mg for {intervention.id}",
                                     f"{field} : {value} mg dépasse les {top} mg du protocole pour {intervention.id}"))
        try:
            tablets_per_dose(field, value, intervention)
        except InvalidInput as exc:
            problems.append(_problem(field, str(value), "whole tablets", str(exc), str(exc)))
    weekday, auxiliary_weekday = weekday.strip().lower(), auxiliary_weekday.strip().lower()
    for field, day, intervention in (("weekday", weekday, drug), ("auxiliary_weekday", auxiliary_weekday, aux)):
        if intervention is None or intervention.regimen.frequency != "weekly":
            if day:
                problems.append(_problem(field, day, "daily drug", f"{field}: {intervention.id if intervention else 'no drug'} "
                                         "is taken daily; no weekday is named", f"{field} : prise quotidienne, pas de jour"))
            continue
        if day not in WEEKDAYS:
            problems.append(_problem(field, day, "weekday_named",
                                     f"{field}: {intervention.id} is taken once a week; name its weekday "
                                     f"({', '.join(WEEKDAYS)})",
                                     f"{field} : {intervention.id} se prend une fois par semaine ; indiquez le jour"))
    if weekday and weekday == auxiliary_weekday and aux is not None and aux.regimen.frequency == "weekly":
        problems.append(_problem("auxiliary_weekday", auxiliary_weekday, "folic_acid_same_weekday",
                                 f"auxiliary_weekday: {aux.id} must be taken on another day than {drug.id} ({weekday})",
                                 f"auxiliary_weekday : {aux.id} doit être pris un autre jour que {drug.id}"))
    if problems:
        raise ActionRefused("; ".join(p.message for p in problems), problems)
    version, label = version_of(subject)
    with transaction.atomic():
        prescription = Prescription.objects.create(
            subject=subject, drug=drug.id, dose_mg=dose, frequency=drug.regimen.frequency, weekday=weekday,
            auxiliary=aux.id if aux else "", auxiliary_dose_mg=aux_dose,
            auxiliary_frequency=aux.regimen.frequency if aux else "", auxiliary_weekday=auxiliary_weekday,
            prescribed_on=prescribed_on, days=days, prescriber=actor.user, created_at=timezone.now(),
            protocol_version=version)
        # The drug names the arm; the audit trail keeps the prescription id and its dates only.
        record_event(actor, AuditAction.PRESCRIPTION_CREATE, "prescription", prescription.pk, subject_code=subject.code,
                     site_code=subject.site.code,
                     changes={"prescribed_on": [None, prescribed_on.isoformat()], "days": [None, days]},
                     protocol_version=label)
    return prescription


CHANGE_VERBS = {DoseChangeKind.HOLD: "holding", DoseChangeKind.RESUME: "resuming",
                DoseChangeKind.REDUCE: "reducing", DoseChangeKind.STOP: "stopping"}


def change_dose(actor: Actor, subject: Subject, kind: str, effective_on: dt.date, reason: str,
                new_dose_mg: Any = None, now: dt.datetime | None = None) -> DoseChange:
    """Hold, resume, reduce or stop the study drug; a reason is always required, a stop is final."""
    try:
        kind = DoseChangeKind(kind)
    except ValueError:
        raise refusal("kind", kind, f"one of {', '.join(DoseChangeKind.values)}",
                      f"kind: {kind!r} is not one of {', '.join(DoseChangeKind.values)}") from None
    require_permission(actor, Do.CHANGE_DOSE, f"{CHANGE_VERBS[kind]} the study drug")
    require_not_future("effective_on", effective_on, trial_date(now or timezone.now()))
    if not reason.strip():
        raise refusal("reason", reason, "required", f"reason: {CHANGE_VERBS[kind]} the study drug needs a reason",
                      "reason : toute suspension, reprise, réduction ou tout arrêt doit être motivé")
    regimen = subject_regimen(subject)
    if regimen is None:
        raise refusal("subject", subject.code, "randomized", f"subject {subject.code} is not randomized", status=409)
    state = drug_state(subject, dt.date.max)
    if state.stopped is not None:
        raise refusal("study_drug", "stopped", "stop is final",
                      f"the study drug was stopped on {state.stopped.effective_on}; nothing changes after a stop",
                      status=409)
    if kind == DoseChangeKind.RESUME and state.on_hold is None:
        raise refusal("kind", kind.value, "resume after hold", "kind: the study drug is not on hold", status=409)
    if kind == DoseChangeKind.HOLD and state.on_hold is not None:
        raise refusal("kind", kind.value, "one hold at a time",
                      f"kind: the study drug is already on hold since {state.on_hold.effective_on}", status=409)
    dose = None
    if kind == DoseChangeKind.REDUCE:
        if new_dose_mg in (None, ""):
            raise refusal("new_dose_mg", new_dose_mg, "required", "new_dose_mg: a reduction names the new dose")
        dose = _dose("new_dose_mg", new_dose_mg)
        current = state.reduced_dose_mg or Decimal(str(regimen.study_drug.regimen.dose_mg))
        if dose >= current:
            raise refusal("new_dose_mg", str(dose), "below current dose",
                          f"new_dose_mg: {dose} mg is not below the current {current} mg")
        try:
            tablets_per_dose("new_dose_mg", dose, regimen.study_drug)
        except InvalidInput as exc:
            raise refusal(exc.field, exc.value, exc.rule, str(exc)) from None
    with transaction.atomic():
        return record_dose_change(actor, subject, kind, effective_on, reason.strip(), dose)


def record_dose_change(actor: Actor, subject: Subject, kind: DoseChangeKind, effective_on: dt.date, reason: str,
                       new_dose_mg: Decimal | None = None, adverse_event: AdverseEvent | None = None) -> DoseChange:
    """Write one dose change and its audit event; the caller holds the transaction and has validated."""
    _, label = version_of(subject)
    change = DoseChange.objects.create(subject=subject, kind=kind, effective_on=effective_on, reason=reason,
                                       new_dose_mg=new_dose_mg, adverse_event=adverse_event, user=actor.user,
                                       created_at=timezone.now())
    changes: dict[str, list[Any]] = {"kind": [None, kind.value], "effective_on": [None, effective_on.isoformat()]}
    if new_dose_mg is not None:
        changes["new_dose_mg"] = [None, str(new_dose_mg)]
    record_event(actor, AuditAction.study_drug(kind.value), "dose_change", change.pk, subject_code=subject.code,
                 site_code=subject.site.code, changes=changes, reason=reason, protocol_version=label)
    return change
