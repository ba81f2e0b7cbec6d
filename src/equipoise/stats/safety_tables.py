"""Adverse-event summary tables: by worst CTCAE grade per subject, serious, special interest.

Counts are given both as subjects with at least one event (the figure a clinician reads as
risk) and as number of events (the burden). The grouping is passed in so the same code makes
the by-arm table, the pooled table of the DSMB open part and the coded-arm closed table.

The safety population is every randomized subject who received the allocated treatment,
grouped by allocated arm (an assumption to confirm with the sponsor's SAP).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from equipoise.stats.analysis_dataset import AnalysisDataset, SubjectRecord, json_ready

GRADES: tuple[int, ...] = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class CountPair:
    subjects: int
    events: int


@dataclass(frozen=True)
class GroupSafety:
    group: str
    n: int
    any_event: CountPair
    worst_grade: dict[int, int]
    no_event: int
    grade3_or_more: CountPair
    serious: CountPair
    special_interest: dict[str, CountPair]
    deaths: int


@dataclass(frozen=True)
class SafetyTable:
    population: str
    groups: list[GroupSafety]
    special_interest_categories: list[str]

    def to_dict(self) -> dict[str, Any]:
        return json_ready(asdict(self))


def safety_population(dataset: AnalysisDataset) -> list[SubjectRecord]:
    """Randomized subjects who received the allocated treatment."""
    return [s for s in dataset.subjects if s.received_allocated]


def _count(subjects: Sequence[SubjectRecord], pick) -> CountPair:
    per_subject = [sum(1 for ae in s.adverse_events if pick(ae)) for s in subjects]
    return CountPair(sum(1 for k in per_subject if k), sum(per_subject))


def group_safety(group: str, subjects: Sequence[SubjectRecord], special_interest: Sequence[str]) -> GroupSafety:
    worst = {g: 0 for g in GRADES}
    for s in subjects:
        if s.adverse_events:
            worst[max(ae.grade for ae in s.adverse_events)] += 1
    return GroupSafety(
        group=group,
        n=len(subjects),
        any_event=_count(subjects, lambda ae: True),
        worst_grade=worst,
        no_event=sum(1 for s in subjects if not s.adverse_events),
        grade3_or_more=_count(subjects, lambda ae: ae.grade >= 3),
        serious=_count(subjects, lambda ae: ae.serious),
        special_interest={c: _count(subjects, lambda ae, c=c: c in ae.special_interest) for c in special_interest},
        deaths=sum(1 for s in subjects if any(ae.grade == 5 for ae in s.adverse_events)),
    )


def safety_table(
    groups: Mapping[str, Sequence[SubjectRecord]], special_interest: Sequence[str], population: str = "safety"
) -> SafetyTable:
    """Summaries for each named group of subjects, with the given special-interest categories
    (from the protocol's safety file) always listed, even at zero."""
    categories = list(special_interest)
    extra = sorted({c for subs in groups.values() for s in subs for ae in s.adverse_events
                    for c in ae.special_interest} - set(categories))
    categories += extra
    return SafetyTable(population, [group_safety(g, subs, categories) for g, subs in groups.items()], categories)


def safety_by_arm(
    dataset: AnalysisDataset, special_interest: Sequence[str], arm_labels: Mapping[str, str] | None = None
) -> SafetyTable:
    """One column per arm (labelled via `arm_labels`, e.g. codes for a DSMB closed report)."""
    population = safety_population(dataset)
    labels = arm_labels or {a: a for a in dataset.arms}
    groups = {labels[arm]: [s for s in population if s.arm == arm] for arm in dataset.arms}
    return safety_table(groups, special_interest)


def safety_pooled(dataset: AnalysisDataset, special_interest: Sequence[str], label: str = "All subjects") -> SafetyTable:
    """A single pooled column, revealing nothing about the arms (DSMB open part)."""
    return safety_table({label: safety_population(dataset)}, special_interest)
