"""Prescribing and dispensing through the pregnancy-prevention gate, pill counts and dose changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from equipoise.records.actions.errors import ActionRefused
from equipoise.records.models import AuditEvent
from equipoise.treatment.actions.counselling import record_contraception, record_counselling
from equipoise.treatment.actions.dispensing import dispense, record_return
from equipoise.treatment.actions.prescribing import change_dose, prescribe
from equipoise.treatment.models import Dispensing, DoseChange, Prescription, TabletReturn
from equipoise.treatment.pill_counts import course_row

from .conftest import today


def refused_codes(exc: ActionRefused) -> list[str]:
    return [e.rule for e in exc.errors]


@pytest.fixture
def woman_on_lenalidomide(randomized, inv_a):
    subject = randomized("lenalidomide", "female", True)
    record_contraception(inv_a, subject, "intrauterine device", today() - dt.timedelta(days=60), True)
    return subject


def test_woman_refused_without_recent_negative_test_then_dispensed_after_one(
        woman_on_lenalidomide, inv_a, pharm_a, record_pregnancy_test):
    subject = woman_on_lenalidomide
    rx = prescribe(inv_a, subject, prescribed_on=today(), days=28)
    with pytest.raises(ActionRefused) as refused:
        dispense(pharm_a, rx, today())
    assert refused.value.status == 422
    assert refused_codes(refused.value) == ["pregnancy_test_missing"]
    error = refused.value.errors[0]
    assert "pregnancy test" in error.message and "test de grossesse" in error.message_fr
    assert not Dispensing.objects.exists()
    event = AuditEvent.objects.get(action="dispensing.refused")
    assert event.changes["violations"] == [None, ["pregnancy_test_missing"]]
    assert event.subject_code == subject.code

    record_pregnancy_test(subject, timezone.now() - dt.timedelta(hours=1))
    dispensing = dispense(pharm_a, rx, today())
    assert (dispensing.tablets, dispensing.auxiliary_tablets) == (28, 28)  # 5 mg tablets daily, aspirin daily
    assert AuditEvent.objects.filter(action="dispensing.create", object_id=str(dispensing.pk)).count() == 1


def test_every_unmet_condition_is_named_and_nothing_is_written(randomized, inv_a, pharm_a, record_pregnancy_test):
    subject = randomized("lenalidomide", "female", True)
    record_contraception(inv_a, subject, "pill", today() - dt.timedelta(days=10), False)
    record_pregnancy_test(subject, timezone.now() - dt.timedelta(hours=1), result="negative", threshold=50,
                          supervised=False)
    rx = prescribe(inv_a, subject, prescribed_on=today(), days=28)
    rows_before = AuditEvent.objects.count()
    with pytest.raises(ActionRefused) as refused:
        dispense(pharm_a, rx, today())
    assert set(refused_codes(refused.value)) == {
        "pregnancy_test_not_supervised", "pregnancy_test_threshold_too_high", "contraception_too_recent",
        "contraception_not_ongoing"}
    assert not Dispensing.objects.exists()
    assert AuditEvent.objects.count() == rows_before + 1


def test_old_test_refused_by_rule_and_positive_test_always_refuses(randomized, inv_a, pharm_a, record_pregnancy_test):
    subject = randomized("lenalidomide", "female", True)
    record_contraception(inv_a, subject, "implant", today() - dt.timedelta(days=60), True)
    record_pregnancy_test(subject, timezone.now() - dt.timedelta(days=5), visit_id="SCR")
    rx = prescribe(inv_a, subject, prescribed_on=today(), days=28)
    with pytest.raises(ActionRefused) as refused:
        dispense(pharm_a, rx, today())
    assert refused_codes(refused.value) == ["pregnancy_test_too_old"]
    record_pregnancy_test(subject, timezone.now() - dt.timedelta(hours=1), result="positive")
    with pytest.raises(ActionRefused) as refused:
        dispense(pharm_a, rx, today())
    assert "pregnancy_test_positive" in refused_codes(refused.value)
    assert not Dispensing.objects.exists()


def test_man_on_lenalidomide_needs_counselling_before_first_dispensing(randomized, inv_a, pharm_a):
    subject = randomized("lenalidomide", "male", None, counselled=False)
    rx = prescribe(inv_a, subject, prescribed_on=today(), days=84)
    with pytest.raises(ActionRefused) as refused:
        dispense(pharm_a, rx, today())
    assert refused_codes(refused.value) == ["counselling_missing"]
    assert set(refused.value.errors[0].values["missing_topics"]) == {"condom", "semen_donation", "blood_donation"}
    record_counselling(pharm_a, subject, ["condom", "semen_donation"], today())
    with pytest.raises(ActionRefused) as refused:
        dispense(pharm_a, rx, today())
    assert refused.value.errors[0].values["missing_topics"] == ["blood_donation"]
    assert "Pas de don de sang" in refused.value.errors[0].message_fr
    record_counselling(pharm_a, subject, ["blood_donation"], today())
    assert dispense(pharm_a, rx, today()).tablets == 84


def test_woman_needs_her_counselling_and_a_finished_test(randomized, inv_a, pharm_a, record_pregnancy_test):
    subject = randomized("lenalidomide", "female", True, counselled=False)
    record_contraception(inv_a, subject, "implant", today() - dt.timedelta(days=60), True)
    draft = record_pregnancy_test(subject, timezone.now() - dt.timedelta(hours=2), complete=False)
    rx = prescribe(inv_a, subject, prescribed_on=today(), days=28)
    with pytest.raises(ActionRefused) as refused:
        dispense(pharm_a, rx, today())
    assert set(refused_codes(refused.value)) == {"pregnancy_test_not_finished", "counselling_missing"}
    assert set(refused.value.errors[-1].values["missing_topics"]) == {
        "unborn_child_risk", "contraception", "pregnancy_tests", "suspected_pregnancy", "blood_donation"}
    with pytest.raises(ActionRefused) as refused:  # a man's topic is not offered to her
        record_counselling(inv_a, subject, ["condom"], today())
    assert refused.value.errors[0].field == "topics"
    record_counselling(inv_a, subject, ["unborn_child_risk", "contraception", "pregnancy_tests",
                                        "suspected_pregnancy", "blood_donation"], today())
    from equipoise.records.actions.forms import complete_form
    complete_form(inv_a, draft)
    assert dispense(pharm_a, rx, today()).tablets == 28


def test_a_test_with_a_required_answer_missing_does_not_count(randomized, inv_a, pharm_a):
    from equipoise.records.actions.forms import save_form

    subject = randomized("lenalidomide", "female", True)
    record_contraception(inv_a, subject, "implant", today() - dt.timedelta(days=60), True)
    save_form(inv_a, subject, subject.visits.get(visit_id="W0"), "pregnancy_test", {
        "pregnancy_test_datetime": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "pregnancy_test_result": "negative", "pregnancy_test_threshold_miu_ml": 25})
    rx = prescribe(inv_a, subject, prescribed_on=today(), days=28)
    with pytest.raises(ActionRefused) as refused:
        dispense(pharm_a, rx, today())
    assert set(refused_codes(refused.value)) == {"pregnancy_test_not_finished", "pregnancy_test_incomplete"}


def test_methotrexate_weekly_on_named_weekday_with_folic_acid_another_day(randomized, inv_a, pharm_a):
    subject = randomized("methotrexate", "male", None)
    with pytest.raises(ActionRefused) as refused:
        prescribe(inv_a, subject, prescribed_on=today(), days=84)
    assert {e.field for e in refused.value.errors} == {"weekday", "auxiliary_weekday"}
    with pytest.raises(ActionRefused) as refused:
        prescribe(inv_a, subject, prescribed_on=today(), days=84, weekday="monday", auxiliary_weekday="monday")
    assert refused_codes(refused.value) == ["folic_acid_same_weekday"]
    assert not Prescription.objects.exists()
    rx = prescribe(inv_a, subject, prescribed_on=today(), days=84, weekday="monday", auxiliary_weekday="wednesday")
    dispensing = dispense(pharm_a, rx, today())
    # 12 weeks: 12 methotrexate doses of 15 mg = 6 tablets of 2.5 mg each; 12 folic acid tablets.
    assert (dispensing.tablets, dispensing.auxiliary_tablets) == (72, 12)


def test_prescription_length_dose_and_dates_refused_with_the_rule(randomized, inv_a):
    woman = randomized("lenalidomide", "female", True)
    with pytest.raises(ActionRefused) as refused:
        prescribe(inv_a, woman, prescribed_on=today(), days=29)
    assert refused.value.errors[0].rule == "prescription_too_long" and "28" in str(refused.value)
    man = randomized("lenalidomide", "male", None)
    with pytest.raises(ActionRefused) as refused:
        prescribe(inv_a, man, prescribed_on=today(), days=85)
    assert refused.value.errors[0].rule == "prescription_too_long" and "84" in str(refused.value)
    with pytest.raises(ActionRefused) as refused:
        prescribe(inv_a, man, prescribed_on=today(), days=28, dose_mg="10")
    assert refused.value.errors[0].rule == "max_dose_mg"
    with pytest.raises(ActionRefused) as refused:
        prescribe(inv_a, man, prescribed_on=today() + dt.timedelta(days=1), days=28)
    assert refused.value.errors[0].rule == "not in the future"
    assert not Prescription.objects.exists()


def test_dispensing_date_in_the_future_and_roles(randomized, inv_a, pharm_a):
    subject = randomized("lenalidomide", "male", None)
    record_counselling(inv_a, subject, ["condom", "semen_donation"], today())
    rx = prescribe(inv_a, subject, prescribed_on=today(), days=28)
    with pytest.raises(ActionRefused) as refused:
        dispense(pharm_a, rx, today() + dt.timedelta(days=1))
    assert refused.value.errors[0].field == "dispensed_on"
    with pytest.raises(ActionRefused) as refused:
        dispense(inv_a, rx, today())
    assert refused.value.status == 403
    assert not Dispensing.objects.exists()


def test_holds_and_stops_need_a_reason_and_block_dispensing(randomized, inv_a, pharm_a):
    subject = randomized("lenalidomide", "male", None)
    record_counselling(inv_a, subject, ["condom", "semen_donation"], today())
    rx = prescribe(inv_a, subject, prescribed_on=today(), days=28)
    with pytest.raises(ActionRefused) as refused:
        change_dose(inv_a, subject, "hold", today(), "  ")
    assert refused.value.errors[0].field == "reason"
    change_dose(inv_a, subject, "hold", today(), "neutrophils 0.8")
    with pytest.raises(ActionRefused) as refused:
        dispense(pharm_a, rx, today())
    assert refused_codes(refused.value) == ["study_drug_on_hold"]
    change_dose(inv_a, subject, "resume", today(), "neutrophils 1.6")
    with pytest.raises(ActionRefused) as refused:
        change_dose(inv_a, subject, "reduce", today(), "tolerance", new_dose_mg="7")
    assert refused.value.errors[0].rule == "below current dose"
    change_dose(inv_a, subject, "stop", today(), "patient's decision")
    with pytest.raises(ActionRefused):
        change_dose(inv_a, subject, "resume", today(), "changed mind")
    with pytest.raises(ActionRefused) as refused:
        prescribe(inv_a, subject, prescribed_on=today(), days=28)
    assert refused.value.errors[0].rule == "stop is final"
    assert list(DoseChange.objects.values_list("kind", flat=True)) == ["hold", "resume", "stop"]


def test_returned_tablets_counted_and_adherence_computed(randomized, inv_a, pharm_a):
    subject = randomized("lenalidomide", "male", None, days_ago=28)
    record_counselling(inv_a, subject, ["condom", "semen_donation"], today() - dt.timedelta(days=28))
    rx = prescribe(inv_a, subject, prescribed_on=today() - dt.timedelta(days=28), days=28)
    dispensing = dispense(pharm_a, rx, today() - dt.timedelta(days=28))
    with pytest.raises(ActionRefused) as refused:
        record_return(pharm_a, dispensing, today(), 29)
    assert refused.value.errors[0].rule == "not above dispensed"
    assert not TabletReturn.objects.exists()
    record_return(pharm_a, dispensing, today(), 7, 0)
    row = course_row(rx)
    assert row.adherence.taken_tablets == 21 and row.adherence.percent == 75.0 and not row.adherence.overuse
    assert row.auxiliary_adherence.percent == 100.0
