from collections import Counter
from datetime import date

import numpy as np
import pytest

from equipoise.stats.analysis_dataset import Baseline, DatasetError, ScreeningEntry
from equipoise.stats.consort import consort_counts, consort_figure, pooled_counts
from equipoise.stats.recruitment import cumulative_series, planned_count, recruitment_figure
from equipoise.stats.safety_tables import safety_by_arm, safety_pooled
from equipoise.stats.table1 import table1_by_arm, table1_html

from .conftest import make_dataset, make_subject

SI = ["thrombosis", "neutropenia"]


def test_safety_counts_subjects_and_events():
    d = make_dataset([
        make_subject("A", events=[("Nausea", 1, False), ("DVT", 3, True, ("thrombosis",)),
                                  ("DVT again", 2, False, ("thrombosis",))]),
        make_subject("B", events=[("Headache", 2, False)]),
        make_subject("C"),
        make_subject("D", received_allocated=False, events=[("Rash", 4, True)]),  # not in safety population
        make_subject("E", "methotrexate", events=[("Neutropenia", 5, True, ("neutropenia",))]),
    ])
    table = safety_by_arm(d, SI)
    le, mtx = table.groups
    assert le.n == 3 and le.any_event.subjects == 2 and le.any_event.events == 4
    assert le.worst_grade == {1: 0, 2: 1, 3: 1, 4: 0, 5: 0} and le.no_event == 1
    assert (le.serious.subjects, le.serious.events) == (1, 1)
    assert (le.special_interest["thrombosis"].subjects, le.special_interest["thrombosis"].events) == (1, 2)
    assert mtx.deaths == 1 and mtx.special_interest["neutropenia"].subjects == 1
    pooled = safety_pooled(d, SI).groups[0]
    assert pooled.n == 4 and pooled.any_event.events == 5


def test_consort_counts_match_independent_counts(synthetic):
    counts = consort_counts(synthetic)
    randomized = {s.subject_id for s in synthetic.subjects}
    excluded = [e for e in synthetic.screening if e.subject_id not in randomized]
    assert counts["assessed"] == len(synthetic.screening)
    assert counts["excluded"]["total"] + counts["in_screening"]["total"] + counts["randomized"] == counts["assessed"]
    assert counts["excluded"]["not_meeting_criteria"] == sum(e.verdict == "not_eligible" for e in excluded)
    assert counts["excluded"]["by_criterion"] == dict(
        Counter(c for e in excluded if e.verdict == "not_eligible" for c in e.failed_criteria))
    for arm in synthetic.arms:
        subs = [s for s in synthetic.subjects if s.arm == arm]
        a = counts["arms"][arm]
        assert a["allocated"] == len(subs) == a["analysed_itt"]
        assert a["received"] + a["not_received"] == len(subs)
        assert a["lost_to_follow_up"] == sum(s.lost_to_follow_up for s in subs)
        assert a["stopped_drug"] == sum(s.stopped_drug_reason is not None for s in subs)
        assert sum(a["stopped_drug_reasons"].values()) == a["stopped_drug"]
        assert a["per_protocol"] == sum(s.per_protocol for s in subs)
    assert counts["inconsistencies"] == []


def test_consort_multiple_failures_and_inconsistencies():
    screening = [
        ScreeningEntry("P1", "S1", "not_eligible", ("IN05", "EX01")),
        ScreeningEntry("P2", "S1", "not_eligible", ("IN05",)),
        ScreeningEntry("P3", "S1", "incomplete"),
        ScreeningEntry("P4", "S1", "eligible", note="awaiting randomization at the cut-off"),
        ScreeningEntry("P5", "S1", "eligible", note="afraid of the drug", left="declined"),
        ScreeningEntry("P6", "S1", "incomplete", note="moved abroad", left="other"),
        ScreeningEntry("R1", "S1", "eligible"),
    ]
    d = make_dataset([make_subject("R1"), make_subject("R2", "methotrexate")], screening)
    c = consort_counts(d)
    assert c["excluded"]["by_criterion"] == {"IN05": 2, "EX01": 1}
    assert list(c["excluded"]["by_criterion"]) == ["IN05", "EX01"]  # inclusion criteria first
    # Still in screening is shown apart, never among the excluded (CONSORT 2025).
    assert c["in_screening"] == {"total": 2, "incomplete": 1, "awaiting_randomization": 1}
    assert (c["excluded"]["declined"], c["excluded"]["other"]) == (1, 1)
    assert c["excluded"]["other_reasons"] == {"moved abroad": 1}
    assert c["assessed"] == 8 and c["excluded"]["total"] == 4 and c["randomized"] == 2
    assert c["excluded"]["total"] + c["in_screening"]["total"] + c["randomized"] == c["assessed"]
    assert c["inconsistencies"] == ["R2: randomized but absent from the screening log"]
    pooled = pooled_counts(c)
    assert list(pooled["arms"]) == ["all"] and pooled["arms"]["all"]["allocated"] == 2


def test_consort_figure_shows_the_counts(synthetic):
    counts = consort_counts(synthetic)
    svg = consort_figure(counts, {"lenalidomide": "Lenalidomide", "methotrexate": "Methotrexate"}).decode()
    assert f"Assessed for eligibility (n={counts['assessed']})" in svg
    assert f"Randomized (n={counts['randomized']})" in svg
    assert f"Allocated to Lenalidomide (n={counts['arms']['lenalidomide']['allocated']})" in svg
    french = consort_figure(counts, {"lenalidomide": "Lénalidomide", "methotrexate": "Méthotrexate"},
                            language="fr").decode()
    assert f"Éligibilité évaluée (n={counts['assessed']})" in french
    assert f"Attribués au bras Lénalidomide (n={counts['arms']['lenalidomide']['allocated']})" in french
    assert "Encore en sélection à la date de gel" in french and "Assessed" not in french
    png = consort_figure(pooled_counts(counts), {"all": "either arm"}, fmt="png")
    assert png.startswith(b"\x89PNG")


def test_table1_numbers():
    ages = [30, 40, 50, 61]
    preds = [0.0, 5.0, 10.0, None]
    subjects = [
        make_subject(f"S{i}", "lenalidomide" if i < 3 else "methotrexate",
                     baseline=Baseline(age_years=a, sex="female" if i != 1 else "male", sle_associated=i == 0,
                                       clasi_a=10 + i, clasi_d=i, prednisone_mg_day=p))
        for i, (a, p) in enumerate(zip(ages, preds, strict=True))
    ]
    t = table1_by_arm(make_dataset(subjects), {"lenalidomide": "Lenalidomide", "methotrexate": "Methotrexate"})
    rows = {(r.key, r.level): r for r in t.rows}
    age = rows[("age_years", None)].cells["Lenalidomide"]
    assert age.values["mean"] == pytest.approx(40) and age.values["sd"] == pytest.approx(10)
    assert age.text == "40.0 (10.0)"
    female = rows[("sex", "Female")].cells["Lenalidomide"]
    assert (female.n, female.values["percent"]) == (2, pytest.approx(200 / 3))
    pred_total = rows[("prednisone_mg_day", None)].cells["total"]
    q1, med, q3 = np.percentile([0.0, 5.0, 10.0], [25, 50, 75])
    assert pred_total.values == {"median": med, "q1": q1, "q3": q3} and pred_total.missing == 1
    assert [c[2] for c in t.columns] == [3, 1, 4]
    html = table1_html(t)
    assert "<table" in html and "40.0 (10.0)" in html and "p-value" not in html.lower()
    assert "missing 1" in html


def test_recruitment_series_and_plan():
    s = cumulative_series([date(2026, 1, 3), date(2026, 1, 1), date(2026, 1, 3)], "all")
    assert (s.dates, s.counts) == ([date(2026, 1, 1), date(2026, 1, 3)], [1, 3])
    start, end = date(2026, 1, 1), date(2027, 1, 1)
    assert planned_count(date(2026, 7, 2), start, end, 122) == pytest.approx(122 * 182 / 365)
    assert planned_count(date(2028, 1, 1), start, end, 122) == 122
    with pytest.raises(DatasetError, match="plan_end"):
        planned_count(start, start, start, 122)


def test_recruitment_figure_formats(synthetic):
    svg = recruitment_figure(synthetic, plan_start=date(2025, 10, 1), plan_end=date(2028, 10, 1), target=122)
    assert svg.lstrip().startswith(b"<?xml") and b"Plan (122 by 2028-10-01)" in svg
    png = recruitment_figure(synthetic, plan_start=date(2025, 10, 1), plan_end=date(2028, 10, 1), target=122,
                             fmt="png")
    assert png.startswith(b"\x89PNG")
    assert svg == recruitment_figure(synthetic, plan_start=date(2025, 10, 1), plan_end=date(2028, 10, 1),
                                     target=122)  # deterministic
