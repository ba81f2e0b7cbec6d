"""The pregnancy-prevention gate: an exhaustive truth table plus the rules around it."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

import pytest

from equipoise.safety.errors import InvalidInput
from equipoise.safety.parameters import PregnancyRules
from equipoise.safety.pregnancy import (
    DispensingRequest,
    GateCode,
    PregnancyTest,
    check_dispensing,
    counselling_needed,
)

PRESCRIBED = dt.date(2026, 3, 30)  # a Monday, the day after the spring DST change in Paris
FIRST_DOSE = dt.date(2026, 4, 1)


def woman(**changes: object) -> DispensingRequest:
    """A woman of childbearing potential whose dispensing meets every condition."""
    base = DispensingRequest(
        sex="female",
        childbearing_potential=True,
        drug="lenalidomide",
        prescription_date=PRESCRIBED,
        dispensing_date=PRESCRIBED + dt.timedelta(days=2),
        first_dose_date=FIRST_DOSE,
        prescribed_days=28,
        pregnancy_tests=(PregnancyTest(PRESCRIBED - dt.timedelta(days=1), "negative", 25, True),),
        contraception_start=FIRST_DOSE - dt.timedelta(days=40),
        contraception_ongoing=True,
    )
    return replace(base, **changes)


# Each condition of the gate, its passing and failing edge, and the code its failure must raise.
CONDITIONS = {
    "test_days_before": ((3, 4), GateCode.PREGNANCY_TEST_TOO_OLD),
    "threshold": ((25, 26), GateCode.PREGNANCY_TEST_THRESHOLD_TOO_HIGH),
    "supervised": ((True, False), GateCode.PREGNANCY_TEST_NOT_SUPERVISED),
    "result": (("negative", "positive"), GateCode.PREGNANCY_TEST_POSITIVE),
    "contraception_days": ((28, 27), GateCode.CONTRACEPTION_TOO_RECENT),
    "contraception_ongoing": ((True, False), GateCode.CONTRACEPTION_NOT_ONGOING),
    "dispensing_day": ((7, 8), GateCode.DISPENSING_TOO_LATE),
}


def request_for(state: dict[str, object]) -> DispensingRequest:
    test = PregnancyTest(
        taken_on=PRESCRIBED - dt.timedelta(days=state["test_days_before"]),
        result=state["result"],
        threshold_miu_ml=state["threshold"],
        medically_supervised=state["supervised"],
    )
    return woman(
        pregnancy_tests=(test,),
        contraception_start=FIRST_DOSE - dt.timedelta(days=state["contraception_days"]),
        contraception_ongoing=state["contraception_ongoing"],
        dispensing_date=PRESCRIBED + dt.timedelta(days=state["dispensing_day"]),
    )


def test_truth_table_over_every_combination(pregnancy_rules: PregnancyRules) -> None:
    names = list(CONDITIONS)
    combos = list(itertools.product(*(CONDITIONS[n][0] for n in names)))
    assert len(combos) == 2 ** len(names)
    for values in combos:
        state = dict(zip(names, values, strict=True))
        failing = {CONDITIONS[n][1] for n in names if state[n] != CONDITIONS[n][0][0]}
        result = check_dispensing(request_for(state), pregnancy_rules)
        assert result.accepted == (not failing), state
        assert result.codes == failing, state
        assert len(result.violations) == len(result.codes), state


def test_every_refusal_names_the_rule_and_values_in_both_languages(
        pregnancy_rules: PregnancyRules) -> None:
    state = {n: vals[1] for n, (vals, _) in CONDITIONS.items()}
    result = check_dispensing(request_for(state), pregnancy_rules)
    by_code = {v.code: v for v in result.violations}
    assert set(by_code) == {code for _, code in CONDITIONS.values()}
    too_old = by_code[GateCode.PREGNANCY_TEST_TOO_OLD]
    assert too_old.values["days_before"] == 4 and too_old.values["max_days"] == 3
    assert "4 days" in too_old.message.en and "4 jours" in too_old.message.fr
    assert "26 mIU/mL" in by_code[GateCode.PREGNANCY_TEST_THRESHOLD_TOO_HIGH].message.en
    assert "8 days" in by_code[GateCode.DISPENSING_TOO_LATE].message.en
    assert "27 jours" in by_code[GateCode.CONTRACEPTION_TOO_RECENT].message.fr


def test_test_on_prescription_day_passes_and_after_it_does_not_count(
        pregnancy_rules: PregnancyRules) -> None:
    same_day = PregnancyTest(PRESCRIBED, "negative", 20, True)
    assert check_dispensing(woman(pregnancy_tests=(same_day,)), pregnancy_rules).accepted
    after = PregnancyTest(PRESCRIBED + dt.timedelta(days=1), "negative", 20, True)
    result = check_dispensing(woman(pregnancy_tests=(after,)), pregnancy_rules)
    assert result.codes == {GateCode.PREGNANCY_TEST_MISSING}


def test_no_test_at_all_is_missing(pregnancy_rules: PregnancyRules) -> None:
    result = check_dispensing(woman(pregnancy_tests=()), pregnancy_rules)
    assert result.codes == {GateCode.PREGNANCY_TEST_MISSING}


def test_one_valid_test_suffices_despite_a_later_unsupervised_one(
        pregnancy_rules: PregnancyRules) -> None:
    tests = (PregnancyTest(PRESCRIBED - dt.timedelta(days=2), "negative", 25, True),
             PregnancyTest(PRESCRIBED, "negative", 25, False))
    assert check_dispensing(woman(pregnancy_tests=tests), pregnancy_rules).accepted


def test_positive_test_before_dispensing_refuses_even_after_a_valid_negative(
        pregnancy_rules: PregnancyRules) -> None:
    tests = (PregnancyTest(PRESCRIBED - dt.timedelta(days=1), "negative", 25, True),
             PregnancyTest(PRESCRIBED + dt.timedelta(days=1), "positive", 25, True))
    result = check_dispensing(woman(pregnancy_tests=tests), pregnancy_rules)
    assert result.codes == {GateCode.PREGNANCY_TEST_POSITIVE}


def test_contraception_not_recorded(pregnancy_rules: PregnancyRules) -> None:
    result = check_dispensing(woman(contraception_start=None, contraception_ongoing=None),
                              pregnancy_rules)
    assert result.codes == {GateCode.CONTRACEPTION_NOT_RECORDED, GateCode.CONTRACEPTION_NOT_ONGOING}


def test_dispensing_before_prescription_is_refused(pregnancy_rules: PregnancyRules) -> None:
    result = check_dispensing(woman(dispensing_date=PRESCRIBED - dt.timedelta(days=1)),
                              pregnancy_rules)
    assert result.codes == {GateCode.DISPENSING_BEFORE_PRESCRIPTION}


@pytest.mark.parametrize(("childbearing", "days", "accepted"), [
    (True, 28, True), (True, 29, False), (False, 84, True), (False, 85, False)])
def test_prescription_length(pregnancy_rules: PregnancyRules, childbearing: bool, days: int,
                             accepted: bool) -> None:
    result = check_dispensing(woman(childbearing_potential=childbearing, prescribed_days=days),
                              pregnancy_rules)
    assert result.accepted == accepted
    assert result.codes == (set() if accepted else {GateCode.PRESCRIPTION_TOO_LONG})


def test_woman_without_childbearing_potential_needs_no_test(pregnancy_rules: PregnancyRules) -> None:
    req = woman(childbearing_potential=False, pregnancy_tests=(), contraception_start=None,
                contraception_ongoing=None, dispensing_date=PRESCRIBED + dt.timedelta(days=20))
    assert check_dispensing(req, pregnancy_rules).accepted


def test_unknown_childbearing_potential_is_refused_and_checked_as_potential(
        pregnancy_rules: PregnancyRules) -> None:
    result = check_dispensing(woman(childbearing_potential=None, pregnancy_tests=()),
                              pregnancy_rules)
    assert result.codes == {GateCode.CHILDBEARING_POTENTIAL_UNKNOWN, GateCode.PREGNANCY_TEST_MISSING}


def topics_for(protocol, sex, childbearing, drug):
    return counselling_needed([(t.id, t.label, t.audience, t.drugs) for t in protocol.safety.counselling],
                              sex, childbearing, drug)


@pytest.mark.parametrize(("sex", "childbearing", "drug", "expected"), [
    ("female", True, "lenalidomide",
     {"unborn_child_risk", "contraception", "pregnancy_tests", "suspected_pregnancy", "blood_donation"}),
    ("female", None, "methotrexate",
     {"unborn_child_risk", "contraception", "pregnancy_tests", "suspected_pregnancy", "blood_donation"}),
    ("female", False, "lenalidomide", {"blood_donation"}),
    ("male", None, "lenalidomide", {"condom", "semen_donation", "blood_donation"}),
    ("male", None, "methotrexate", {"male_contraception_methotrexate", "blood_donation"}),
])
def test_the_topics_offered_depend_on_sex_childbearing_potential_and_drug(protocol, sex, childbearing, drug,
                                                                          expected) -> None:
    assert {n.id for n in topics_for(protocol, sex, childbearing, drug)} == expected


@pytest.mark.parametrize("given", [set(), {"condom"}, {"condom", "semen_donation"},
                                   {"condom", "semen_donation", "blood_donation"}])
def test_every_topic_must_be_recorded_before_dispensing(protocol, pregnancy_rules: PregnancyRules,
                                                        given: set[str]) -> None:
    needed = topics_for(protocol, "male", None, "lenalidomide")
    req = woman(sex="male", childbearing_potential=None, pregnancy_tests=(), contraception_start=None,
                contraception_ongoing=None, prescribed_days=84, counselling_needed=needed,
                counselled_topics=frozenset(given))
    result = check_dispensing(req, pregnancy_rules)
    missing = {n.id for n in needed} - given
    assert result.accepted == (not missing)
    if missing:
        (violation,) = result.violations
        assert violation.code is GateCode.COUNSELLING_MISSING
        assert set(violation.values["missing_topics"]) == missing
        assert "No blood donation" in violation.message.en or "blood_donation" not in missing
        assert "Pas de don de sang" in violation.message.fr or "blood_donation" not in missing


def test_a_draft_or_unfinished_test_never_counts(pregnancy_rules: PregnancyRules) -> None:
    draft = PregnancyTest(PRESCRIBED - dt.timedelta(days=1), "negative", 25, True, finished=False)
    assert check_dispensing(woman(pregnancy_tests=(draft,)), pregnancy_rules).codes == {
        GateCode.PREGNANCY_TEST_NOT_FINISHED}
    unanswered = PregnancyTest(PRESCRIBED - dt.timedelta(days=1), "negative", 25, None,
                               missing=("pregnancy_test_supervised",))
    result = check_dispensing(woman(pregnancy_tests=(unanswered,)), pregnancy_rules)
    assert result.codes == {GateCode.PREGNANCY_TEST_INCOMPLETE}
    assert result.violations[0].values["missing"] == ["pregnancy_test_supervised"]
    finished = replace(draft, finished=True)
    assert check_dispensing(woman(pregnancy_tests=(draft, finished)), pregnancy_rules).accepted


def test_a_positive_or_indeterminate_draft_still_refuses(pregnancy_rules: PregnancyRules) -> None:
    good = PregnancyTest(PRESCRIBED - dt.timedelta(days=2), "negative", 25, True)
    for result, code in (("positive", GateCode.PREGNANCY_TEST_POSITIVE),
                         ("indeterminate", GateCode.PREGNANCY_TEST_INDETERMINATE)):
        later = PregnancyTest(PRESCRIBED + dt.timedelta(days=1), result, 25, True, finished=False)
        assert check_dispensing(woman(pregnancy_tests=(good, later)), pregnancy_rules).codes == {code}


def test_men_on_methotrexate_need_no_lenalidomide_counselling(pregnancy_rules: PregnancyRules) -> None:
    req = woman(sex="male", childbearing_potential=None, drug="methotrexate",
                methotrexate_weekday="monday", folic_acid_weekday="thursday")
    assert check_dispensing(req, pregnancy_rules).accepted


@pytest.mark.parametrize(("mtx", "folic", "codes"), [
    ("monday", "thursday", set()),
    ("monday", "monday", {GateCode.FOLIC_ACID_SAME_WEEKDAY}),
    (None, "monday", {GateCode.METHOTREXATE_WEEKDAY_MISSING}),
    ("monday", None, {GateCode.FOLIC_ACID_WEEKDAY_MISSING}),
    (None, None, {GateCode.METHOTREXATE_WEEKDAY_MISSING, GateCode.FOLIC_ACID_WEEKDAY_MISSING}),
])
def test_methotrexate_weekdays(pregnancy_rules: PregnancyRules, mtx: str | None,
                               folic: str | None, codes: set[GateCode]) -> None:
    req = woman(drug="methotrexate", methotrexate_weekday=mtx, folic_acid_weekday=folic)
    assert check_dispensing(req, pregnancy_rules).codes == codes


def test_same_weekday_message_names_the_day_in_french(pregnancy_rules: PregnancyRules) -> None:
    req = woman(drug="methotrexate", methotrexate_weekday="friday", folic_acid_weekday="friday")
    (violation,) = check_dispensing(req, pregnancy_rules).violations
    assert "vendredi" in violation.message.fr and "friday" in violation.message.en


def test_gate_has_no_override_parameter() -> None:
    fields = set(DispensingRequest.__dataclass_fields__)
    assert not {f for f in fields if "override" in f or "force" in f or "waive" in f}


@pytest.mark.parametrize(("changes", "field"), [
    ({"drug": "thalidomide"}, "drug"),
    ({"sex": "other"}, "sex"),
    ({"prescribed_days": 0}, "prescribed_days"),
    ({"prescription_date": dt.datetime(2026, 3, 30, 10, tzinfo=dt.UTC)}, "prescription_date"),
    ({"methotrexate_weekday": "lundi"}, "methotrexate_weekday"),
    ({"pregnancy_tests": (PregnancyTest(PRESCRIBED, "unclear", 25, True),)},
     "pregnancy_tests[0].result"),
    ({"pregnancy_tests": (PregnancyTest(PRESCRIBED, "negative", 0, True),)},
     "pregnancy_tests[0].threshold_miu_ml"),
])
def test_unjudgeable_input_names_the_field(pregnancy_rules: PregnancyRules,
                                           changes: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_dispensing(woman(**changes), pregnancy_rules)
    assert caught.value.field == field
