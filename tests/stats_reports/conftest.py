"""Builders for crafted analysis subjects, so each test states only what it is about."""

from __future__ import annotations

from datetime import date

import pytest

from equipoise.stats.analysis_dataset import AdverseEvent, AnalysisDataset, Baseline, SubjectRecord
from equipoise.stats.synthetic import synthetic_dataset

ARMS = ("lenalidomide", "methotrexate")
VISITS = ("W0", "W4", "W8", "W12", "W16", "W20", "W24")


def make_subject(subject_id: str, arm: str = "lenalidomide", *, stratum: str = "S1|sle=no",
                 clasi_a: dict | None = None, visit_days: dict | None = None, events=(), **fields) -> SubjectRecord:
    clasi_a = {"W0": 20, "W16": 8} if clasi_a is None else clasi_a
    days = visit_days if visit_days is not None else {v: int(v[1:]) * 7 for v in clasi_a}
    baseline = fields.pop("baseline", None) or Baseline(
        age_years=fields.pop("age_years", 40), sex=fields.pop("sex", "female"),
        sle_associated=fields.pop("sle_associated", False), clasi_a=clasi_a.get("W0"), clasi_d=3,
    )
    return SubjectRecord(
        subject_id=subject_id, site=fields.pop("site", stratum.split("|")[0]), stratum=stratum, arm=arm,
        randomized_on=fields.pop("randomized_on", date(2026, 1, 5)), baseline=baseline, clasi_a=clasi_a,
        visit_days=days, adverse_events=tuple(AdverseEvent(*e) if isinstance(e, tuple) else e for e in events),
        **fields,
    )


def make_dataset(subjects, screening=(), cutoff=date(2026, 12, 31)) -> AnalysisDataset:
    return AnalysisDataset("NCT06965244", cutoff, ARMS, VISITS, tuple(subjects), tuple(screening))


@pytest.fixture(scope="session")
def synthetic():
    return synthetic_dataset(122, 20260101, 0.5, 0.75)
