"""The 4-weekly pregnancy-test calendar and the safety parameters it is built from."""

from __future__ import annotations

import datetime as dt

import pytest

from equipoise.protocol.schema import Protocol
from equipoise.safety.errors import InvalidInput
from equipoise.safety.parameters import AeClockHours, LabLimits, PregnancyRules
from equipoise.safety.pregnancy import (
    PregnancyTestState,
    pregnancy_test_due_dates,
    pregnancy_test_status,
)

D = dt.date
FIRST = D(2026, 3, 30)
LAST = D(2026, 9, 13)  # day 167: 24 weeks of daily doses
DUES = [D(2026, 4, 27), D(2026, 5, 25), D(2026, 6, 22), D(2026, 7, 20), D(2026, 8, 17),
        D(2026, 10, 11)]


def test_due_dates_every_28_days_then_28_days_after_last_dose(
        pregnancy_rules: PregnancyRules) -> None:
    assert pregnancy_test_due_dates(FIRST, LAST, pregnancy_rules) == DUES


def test_final_test_is_not_duplicated_when_it_falls_on_the_cycle(
        pregnancy_rules: PregnancyRules) -> None:
    dues = pregnancy_test_due_dates(FIRST, D(2026, 4, 27), pregnancy_rules)
    assert dues == [D(2026, 4, 27), D(2026, 5, 25)]


def test_ongoing_treatment_needs_a_horizon(pregnancy_rules: PregnancyRules) -> None:
    assert pregnancy_test_due_dates(FIRST, None, pregnancy_rules, until=D(2026, 6, 1)) == DUES[:2]
    with pytest.raises(InvalidInput) as caught:
        pregnancy_test_due_dates(FIRST, None, pregnancy_rules)
    assert caught.value.field == "until"


@pytest.mark.parametrize(("today", "state"), [
    (D(2026, 4, 23), PregnancyTestState.NOT_DUE),
    (D(2026, 4, 24), PregnancyTestState.DUE),       # window opens 3 days before
    (D(2026, 4, 27), PregnancyTestState.DUE),
    (D(2026, 4, 28), PregnancyTestState.OVERDUE),
])
def test_state_around_the_first_due_date(pregnancy_rules: PregnancyRules, today: dt.date,
                                         state: PregnancyTestState) -> None:
    status = pregnancy_test_status(today, DUES, [], pregnancy_rules)
    assert (status.state, status.due_date, status.window_start) == (
        state, D(2026, 4, 27), D(2026, 4, 24))


def test_a_test_in_the_window_moves_to_the_next_due_date(pregnancy_rules: PregnancyRules) -> None:
    status = pregnancy_test_status(D(2026, 4, 28), DUES, [D(2026, 4, 25)], pregnancy_rules)
    assert (status.state, status.due_date) == (PregnancyTestState.NOT_DUE, D(2026, 5, 25))


def test_a_late_test_still_satisfies_its_due_date(pregnancy_rules: PregnancyRules) -> None:
    status = pregnancy_test_status(D(2026, 5, 1), DUES, [D(2026, 4, 30)], pregnancy_rules)
    assert status.due_date == D(2026, 5, 25)


def test_a_test_before_the_window_does_not_count(pregnancy_rules: PregnancyRules) -> None:
    status = pregnancy_test_status(D(2026, 4, 28), DUES, [D(2026, 4, 20)], pregnancy_rules)
    assert (status.state, status.due_date) == (PregnancyTestState.OVERDUE, D(2026, 4, 27))


def test_a_test_recorded_after_today_does_not_count(pregnancy_rules: PregnancyRules) -> None:
    status = pregnancy_test_status(D(2026, 4, 25), DUES, [D(2026, 4, 26)], pregnancy_rules)
    assert status.state is PregnancyTestState.DUE


def test_complete_once_every_test_including_the_final_one_is_done(
        pregnancy_rules: PregnancyRules) -> None:
    before_final = pregnancy_test_status(D(2026, 10, 12), DUES, DUES[:-1], pregnancy_rules)
    assert (before_final.state, before_final.due_date) == (
        PregnancyTestState.OVERDUE, D(2026, 10, 11))
    done = pregnancy_test_status(D(2026, 10, 12), DUES, DUES, pregnancy_rules)
    assert (done.state, done.due_date) == (PregnancyTestState.COMPLETE, None)


# --- parameters ------------------------------------------------------------------------------


def test_parameters_come_from_the_protocol(protocol: Protocol) -> None:
    rules = PregnancyRules.from_safety(protocol.safety)
    assert (rules.test_threshold_miu_ml, rules.test_max_days_before_prescription,
            rules.dispensing_max_days_after_prescription,
            rules.contraception_min_days_before_start) == (25, 3, 7, 28)
    assert LabLimits.from_safety(protocol.safety).creatinine_clearance_halve_mtx_below_ml_min == 60
    assert AeClockHours.from_safety(protocol.safety) == AeClockHours(24, 168, 360)


def test_missing_parameter_names_its_path(protocol: Protocol) -> None:
    pregnancy = dict(protocol.safety.pregnancy)
    del pregnancy["test_every_days"]
    safety = protocol.safety.model_copy(update={"pregnancy": pregnancy})
    with pytest.raises(InvalidInput) as caught:
        PregnancyRules.from_safety(safety)
    assert caught.value.field == "safety.pregnancy.test_every_days"


@pytest.mark.parametrize(("value", "rule"), [(3.5, "whole"), (True, "number"), (-1, "negative")])
def test_malformed_parameter_is_refused(protocol: Protocol, value: object, rule: str) -> None:
    clocks = {**protocol.safety.ae_clocks_hours, "sae_to_sponsor": value}
    safety = protocol.safety.model_copy(update={"ae_clocks_hours": clocks})
    with pytest.raises(InvalidInput) as caught:
        AeClockHours.from_safety(safety)
    assert caught.value.field == "safety.ae_clocks_hours.sae_to_sponsor"
    assert rule in caught.value.rule
