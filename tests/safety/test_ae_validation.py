"""Adverse-event validation, seriousness and special interest."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from equipoise.protocol.schema import Protocol
from equipoise.safety.adverse_events import (
    SERIOUSNESS_CRITERIA,
    AdverseEvent,
    validate_adverse_event,
)
from equipoise.safety.errors import InvalidInput

PARIS = ZoneInfo("Europe/Paris")
NOW = dt.datetime(2026, 3, 28, 23, 30, tzinfo=dt.UTC)  # already 2026-03-29 in Paris


def event(**changes: object) -> AdverseEvent:
    values: dict[str, object] = dict(term="Neutropenia", grade=2, onset_date=dt.date(2026, 3, 20))
    values.update(changes)
    return AdverseEvent(**values)


@pytest.fixture
def categories(protocol: Protocol) -> list[str]:
    return protocol.safety.special_interest


def problems(ae: AdverseEvent, categories: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for p in validate_adverse_event(ae, NOW, categories):
        assert p.message.en and p.message.fr
        found.setdefault(p.field, []).append(p.rule)
    return found


def test_a_plain_event_is_valid(categories: list[str]) -> None:
    assert problems(event(), categories) == {}


@pytest.mark.parametrize("grade", [0, 6, -1, 2.5, True, "3"])
def test_grade_outside_ctcae_is_refused(categories: list[str], grade: object) -> None:
    assert problems(event(grade=grade), categories) == {"grade": ["CTCAE v5 grade 1-5"]}


@pytest.mark.parametrize("grade", [1, 2, 3, 4])
def test_grades_1_to_4_are_accepted(categories: list[str], grade: int) -> None:
    assert problems(event(grade=grade), categories) == {}


def test_grade_5_requires_the_death_criterion(categories: list[str]) -> None:
    aware = dt.datetime(2026, 3, 21, 9, 0, tzinfo=PARIS)
    without = event(grade=5, seriousness=frozenset({"hospitalisation"}), site_aware_at=aware)
    assert problems(without, categories) == {"seriousness": ["grade 5 implies death"]}
    with_death = event(grade=5, seriousness=frozenset({"death"}), site_aware_at=aware)
    assert problems(with_death, categories) == {}


def test_end_before_onset_is_refused(categories: list[str]) -> None:
    assert problems(event(end_date=dt.date(2026, 3, 19)), categories) == {
        "end_date": ["not before onset"]}
    assert problems(event(end_date=dt.date(2026, 3, 20)), categories) == {}


def test_future_is_judged_on_the_paris_calendar(categories: list[str]) -> None:
    # NOW is 23:30 UTC on 28 March, i.e. 00:30 on 29 March in Paris: the 29th is today.
    assert problems(event(onset_date=dt.date(2026, 3, 29)), categories) == {}
    assert problems(event(onset_date=dt.date(2026, 3, 30)), categories) == {
        "onset_date": ["not in the future"]}
    assert problems(event(end_date=dt.date(2026, 3, 30)), categories) == {
        "end_date": ["not in the future"]}


def test_unknown_seriousness_criterion_is_named(categories: list[str]) -> None:
    found = validate_adverse_event(
        event(seriousness=frozenset({"prolonged_stay"}),
              site_aware_at=dt.datetime(2026, 3, 21, tzinfo=dt.UTC)), NOW, categories)
    assert [(p.field, p.value) for p in found] == [("seriousness", ["prolonged_stay"])]
    assert "prolonged_stay" in found[0].message.en


def test_every_seriousness_criterion_makes_an_event_serious() -> None:
    assert not event().serious
    for criterion in SERIOUSNESS_CRITERIA:
        assert event(seriousness=frozenset({criterion})).serious


def test_serious_event_needs_the_moment_the_site_learned_of_it(categories: list[str]) -> None:
    ae = event(seriousness=frozenset({"medically_important"}))
    assert problems(ae, categories) == {"site_aware_at": ["required for a serious event"]}


def test_site_cannot_learn_before_onset(categories: list[str]) -> None:
    ae = event(seriousness=frozenset({"hospitalisation"}),
               site_aware_at=dt.datetime(2026, 3, 19, 12, tzinfo=dt.UTC))
    assert problems(ae, categories) == {"site_aware_at": ["not before onset"]}


def test_moments_in_the_future_or_naive_are_reported(categories: list[str]) -> None:
    ae = event(seriousness=frozenset({"hospitalisation"}),
               site_aware_at=dt.datetime(2026, 3, 21, 12, 0),
               sponsor_notified_at=NOW + dt.timedelta(minutes=1))
    assert problems(ae, categories) == {"site_aware_at": ["timezone-aware datetime"],
                                        "sponsor_notified_at": ["not in the future"]}


def test_naive_now_is_refused(categories: list[str]) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_adverse_event(event(), dt.datetime(2026, 3, 29, 12), categories)
    assert caught.value.field == "now"


def test_expectedness_time_without_outcome(categories: list[str]) -> None:
    ae = event(expectedness_assessed_at=dt.datetime(2026, 3, 25, tzinfo=dt.UTC))
    assert problems(ae, categories) == {"expected": ["required once expectedness is assessed"]}


def test_special_interest_comes_from_the_protocol(categories: list[str]) -> None:
    assert "thrombosis" in categories
    ae = event(special_interest=frozenset({"neutropenia"}))
    assert ae.of_special_interest and problems(ae, categories) == {}
    assert not event().of_special_interest
    bad = event(special_interest=frozenset({"alopecia"}))
    assert list(problems(bad, categories)) == ["special_interest"]


def test_empty_term_is_refused(categories: list[str]) -> None:
    assert problems(event(term="  "), categories) == {"term": ["required"]}


def test_susar_needs_serious_related_and_unexpected() -> None:
    serious = frozenset({"hospitalisation"})
    assert event(seriousness=serious, related=True, expected=False).susar
    assert not event(seriousness=serious, related=True, expected=True).susar
    assert not event(seriousness=serious, related=False, expected=False).susar
    assert not event(related=True, expected=False).susar
