"""The CEL engine: three-valued results, number and date handling, errors that must surface."""

from __future__ import annotations

import datetime as dt

import pytest

from equipoise.rules import (
    RuleEvaluationError,
    RuleSet,
    RuleSyntaxError,
    Unknown,
    compile_rule,
    evaluate,
)
from equipoise.rules.functions import years_before

UTC = dt.UTC


def run(source: str, **values: object):
    return evaluate(compile_rule(source), values)


@pytest.mark.parametrize("source", ["a || b", "b || a"])
def test_or_is_true_when_either_side_is_true_whatever_the_other(source):
    assert run(source, a=True) is True


@pytest.mark.parametrize("source", ["a && b", "b && a"])
def test_and_is_false_when_either_side_is_false_whatever_the_other(source):
    assert run(source, a=False) is False


@pytest.mark.parametrize("source, values", [
    ("a || b", {"a": False}), ("b || a", {"a": False}),
    ("a && b", {"a": True}), ("b && a", {"a": True}),
])
def test_missing_variable_that_decides_makes_the_rule_unknown(source, values):
    assert run(source, **values) == Unknown("b")


def test_none_is_treated_as_missing():
    assert run("x >= 8", x=None) == Unknown("x")


@pytest.mark.parametrize("value, expected", [(8, True), (8.0, True), (7, False), (7.99, False)])
def test_int_literal_compares_with_int_and_float_inputs(value, expected):
    assert run("x >= 8", x=value) is expected


@pytest.mark.parametrize("value, expected", [(29, True), (29.9, True), (30, False), (30.0, False)])
def test_double_literal_compares_with_int_and_float_inputs(value, expected):
    assert run("x < 30.0", x=value) is expected


def test_equality_across_int_and_double():
    assert run("x == 2", x=2.0) is True


def test_dates_are_timestamps_compared_in_calendar_order():
    assert run("a < b", a=dt.date(2019, 12, 31), b=dt.date(2020, 1, 1)) is True
    assert run("a >= b", a=dt.date(2020, 1, 1), b=dt.date(2020, 1, 1)) is True


def test_comparing_a_date_with_text_is_an_error_not_a_lexical_comparison():
    with pytest.raises(RuleEvaluationError):
        run("a < b", a=dt.date(2019, 12, 31), b="2020-01-01")


@pytest.mark.parametrize("day, years, expected", [
    (dt.date(2025, 6, 15), 5, dt.date(2020, 6, 15)),
    (dt.date(2024, 2, 29), 5, dt.date(2019, 2, 28)),
    (dt.date(2024, 2, 29), 4, dt.date(2020, 2, 29)),
    (dt.date(2025, 3, 1), 1, dt.date(2024, 3, 1)),
])
def test_years_before_keeps_the_calendar_day(day, years, expected):
    moment = dt.datetime(day.year, day.month, day.day, tzinfo=UTC)
    assert years_before(moment, years).date() == expected


def test_years_before_inside_a_rule():
    rule = "event >= years_before(today, 5)"
    assert run(rule, event=dt.date(2019, 2, 28), today=dt.date(2024, 2, 29)) is True
    assert run(rule, event=dt.date(2019, 2, 27), today=dt.date(2024, 2, 29)) is False


def test_years_before_refuses_a_fractional_count():
    with pytest.raises(RuleEvaluationError, match="years_before"):
        run("event >= years_before(today, 1.5)", event=dt.date(2020, 1, 1), today=dt.date(2024, 1, 1))


@pytest.mark.parametrize("source, values", [
    ("x > 'a'", {"x": 1}),                 # type mismatch
    ("1 / x > 0", {"x": 0}),               # division by zero
    ("x + 1", {"x": 1}),                   # not a boolean
    ("nosuchfunction(x)", {"x": 1}),       # unknown function is not a missing variable
    ("x > 1 || y", {"x": 0, "y": 3}),      # non-boolean operand
])
def test_other_errors_surface_instead_of_becoming_unknown(source, values):
    with pytest.raises(RuleEvaluationError):
        run(source, **values)


def test_error_names_the_rule():
    with pytest.raises(RuleEvaluationError, match=r"IN99"):
        evaluate(compile_rule("x + 1"), {"x": 1}, name="IN99")


def test_syntax_error_reports_cel_message():
    with pytest.raises(RuleSyntaxError, match="not valid CEL"):
        compile_rule("age >= ")


def test_compiled_rule_knows_its_variables_and_functions():
    rule = compile_rule("d >= years_before(s, 5) && x")
    assert rule.variables == {"d", "s", "x"}
    assert "years_before" in rule.functions


def test_rule_set_gives_the_same_answers_whether_or_not_something_is_missing():
    rules = RuleSet({"adult": "age >= 18", "woman_ok": "sex == 'male' || !cbp"})
    complete = rules.evaluate({"age": 30, "sex": "female", "cbp": False})
    assert complete == {"adult": True, "woman_ok": True}
    partial = rules.evaluate({"age": 17, "sex": "female"})
    assert partial == {"adult": False, "woman_ok": Unknown("cbp")}


def test_rule_set_surfaces_a_broken_rule_even_when_the_combined_map_fails():
    rules = RuleSet({"fine": "a", "broken": "x > 'text'"})
    with pytest.raises(RuleEvaluationError, match="broken"):
        rules.evaluate({"x": 1})


def test_rule_set_reports_every_syntax_error():
    with pytest.raises(RuleSyntaxError) as info:
        RuleSet({"one": "a >=", "two": "(b"})
    assert "one" in info.value.message and "two" in info.value.message


@pytest.mark.parametrize("value", [float("nan"), float("inf"), dt.datetime(2020, 1, 1), [1, 2]])
def test_values_without_a_faithful_cel_form_are_refused(value):
    with pytest.raises(ValueError, match="'x'"):
        run("x == x", x=value)
