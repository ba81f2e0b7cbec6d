"""Read, from the database, the facts the pure safety rules take as plain values.

Nothing here decides anything: the arm from the allocation ledger, sex and childbearing potential
from the screening record, pregnancy tests and lab values from the saved form records, and the
treatment history from this app's ledgers. Form values that are not filled in yet are skipped,
never guessed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from equipoise.allocation.models import Allocation
from equipoise.protocol.schema import Arm, CounsellingTopic, Protocol
from equipoise.records.actions.eligibility import screening_values
from equipoise.records.models import FormRecord, FormState, Subject
from equipoise.records.protocol_versions import current_version, protocol_of
from equipoise.safety.lab_alerts import LabValues
from equipoise.safety.pregnancy import PregnancyTest, counselling_needed
from equipoise.treatment.models import (
    Contraception,
    Counselling,
    Dispensing,
    DoseChange,
    DoseChangeKind,
)
from equipoise.treatment.regimens import ArmRegimen, arm_regimen
from equipoise.visits.localtime import trial_date

PREGNANCY_FORM = "pregnancy_test"
LABS_FORM = "labs"
# labs form field -> LabValues field (data dictionary names)
LAB_FIELDS = {
    "lab_neutrophils_g_l": "neutrophils_g_l",
    "lab_platelets_g_l": "platelets_g_l",
    "lab_alt_x_uln": "alt_x_uln",
    "lab_ast_x_uln": "ast_x_uln",
    "lab_creatinine_clearance_ml_min": "creatinine_clearance_ml_min",
}


def subject_protocol(subject: Subject) -> Protocol:
    return protocol_of(current_version(subject.protocol_id))


def subject_arm(subject: Subject) -> Arm | None:
    """The protocol arm the allocation ledger gave `subject`; None before randomization."""
    allocation = Allocation.objects.filter(subject=subject).only("arm").first()
    if allocation is None:
        return None
    return subject_protocol(subject).arm(allocation.arm)


def subject_regimen(subject: Subject) -> ArmRegimen | None:
    arm = subject_arm(subject)
    return arm_regimen(arm) if arm is not None else None


@dataclass(frozen=True)
class PatientFacts:
    """Sex and childbearing potential as recorded on the screening form (None: not recorded)."""

    sex: str | None
    childbearing_potential: bool | None

    @property
    def woman_of_childbearing_potential(self) -> bool:
        """True unless recorded otherwise: an unknown potential is treated as potential."""
        return self.sex == "female" and self.childbearing_potential is not False


def patient_facts(subject: Subject) -> PatientFacts:
    values = screening_values(subject)
    return PatientFacts(sex=values.get("sex"), childbearing_potential=values.get("childbearing_potential"))


def _records(subject: Subject, form_id: str) -> Iterator[FormRecord]:
    return iter(FormRecord.objects.filter(subject=subject, form_id=form_id).select_related("visit")
                .order_by("visit__sequence", "id"))


PREGNANCY_TEST_FIELDS = ("pregnancy_test_datetime", "pregnancy_test_result", "pregnancy_test_threshold_miu_ml",
                         "pregnancy_test_supervised")


def record_finished(record: FormRecord) -> bool:
    """Whether a form record is finished: marked complete, or locked by data management."""
    return record.state in (FormState.COMPLETE, FormState.LOCKED)


def pregnancy_test_of(data: dict[str, Any], finished: bool = True,
                      required: tuple[str, ...] = PREGNANCY_TEST_FIELDS) -> PregnancyTest | None:
    """The test a pregnancy-test record holds, as the gate judges it; None before its date is typed.

    Empty answers stay None and those of `required` are named in `missing`; `finished` is whether
    the form is complete or locked (`record_finished`), so a draft is seen (a positive draft still
    refuses a dispensing) but never counts as a negative test.
    """
    if data.get("pregnancy_test_datetime") is None:
        return None
    missing = tuple(name for name in required if data.get(name) in (None, ""))
    taken = dt.datetime.fromisoformat(data["pregnancy_test_datetime"])
    threshold = data.get("pregnancy_test_threshold_miu_ml")
    supervised = data.get("pregnancy_test_supervised")
    return PregnancyTest(taken_on=trial_date(taken), result=data.get("pregnancy_test_result"),
                         threshold_miu_ml=float(threshold) if threshold is not None else None,
                         medically_supervised=bool(supervised) if supervised is not None else None,
                         finished=finished, missing=missing)


def counts_as_negative(test: PregnancyTest, max_threshold_miu_ml: float) -> bool:
    """A finished, fully answered, supervised, sensitive enough negative test (the monthly calendar's)."""
    return (test.finished and not test.missing and test.result == "negative" and test.medically_supervised is True
            and test.threshold_miu_ml is not None and test.threshold_miu_ml <= max_threshold_miu_ml)


def required_test_fields(protocol: Protocol) -> tuple[str, ...]:
    return tuple(f.name for f in protocol.form(PREGNANCY_FORM).fields() if f.required)


def pregnancy_tests(subject: Subject) -> list[PregnancyTest]:
    """Every dated pregnancy-test record, its sample date on the Paris calendar, draft or not."""
    required = required_test_fields(subject_protocol(subject))
    tests = [pregnancy_test_of(record.data, record_finished(record), required)
             for record in _records(subject, PREGNANCY_FORM)]
    return [t for t in tests if t is not None]


def counselling_topics(subject: Subject, drug: str | None = None) -> list[CounsellingTopic]:
    """The protocol's counselling topics that apply to this patient (sex, childbearing potential, drug).

    Before randomization (no drug yet) the topics of every study drug apply.
    """
    facts = patient_facts(subject)
    if drug is None:
        regimen = subject_regimen(subject)
        drug = regimen.study_drug.id if regimen is not None else None
    topics = subject_protocol(subject).safety.counselling
    needed = {n.id for n in counselling_needed([(t.id, t.label, t.audience, t.drugs) for t in topics],
                                               facts.sex, facts.childbearing_potential, drug)}
    return [t for t in topics if t.id in needed]


@dataclass(frozen=True)
class LabRecord:
    record: FormRecord
    sample_date: str | None
    values: LabValues


def lab_records(subject: Subject) -> list[LabRecord]:
    """Lab values of every saved labs form, in visit order."""
    out = []
    for record in _records(subject, LABS_FORM):
        values = {target: record.data.get(source) for source, target in LAB_FIELDS.items()}
        out.append(LabRecord(record=record, sample_date=record.data.get("lab_date"), values=LabValues(**values)))
    return out


def latest_contraception(subject: Subject) -> Contraception | None:
    return Contraception.objects.filter(subject=subject).order_by("-recorded_on", "-id").first()


def counselled_topics(subject: Subject, on_or_before: dt.date) -> set[str]:
    return set(Counselling.objects.filter(subject=subject, counselled_on__lte=on_or_before)
               .values_list("topic", flat=True))


def first_dispensing(subject: Subject) -> Dispensing | None:
    return Dispensing.objects.filter(subject=subject).order_by("dispensed_on", "id").first()


@dataclass(frozen=True)
class DrugState:
    """Where the study drug stands: the last hold/stop in force, and the current dose."""

    stopped: DoseChange | None
    on_hold: DoseChange | None
    reduced_dose_mg: Decimal | None


def drug_state(subject: Subject, on: dt.date) -> DrugState:
    """Dose changes effective on or before `on`, replayed in order (a stop is final)."""
    stopped = on_hold = None
    dose = None
    for change in DoseChange.objects.filter(subject=subject, effective_on__lte=on).order_by("effective_on", "id"):
        if change.kind == DoseChangeKind.STOP:
            stopped = change
        elif change.kind == DoseChangeKind.HOLD:
            on_hold = change
        elif change.kind == DoseChangeKind.RESUME:
            on_hold = None
        elif change.kind == DoseChangeKind.REDUCE:
            dose = change.new_dose_mg
    return DrugState(stopped=stopped, on_hold=on_hold, reduced_dose_mg=dose)
