"""The extraction rules on hand-made rows: no database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from equipoise.protocol.loader import load_protocol
from equipoise.stats_db.mapping import (
    AWAITING,
    AllocationRow,
    AssessmentRow,
    ExtractionError,
    FormRow,
    Rows,
    StopRow,
    SubjectRow,
    VisitRow,
    assemble,
    baseline,
    outside_window,
    screening_entry,
    stop_reason,
)
from equipoise.stats_db.trial_context import trial_context

PROTOCOL = Path(__file__).resolve().parents[2] / "protocols" / "nct06965244"
D = dt.date(2026, 3, 2)


@pytest.fixture(scope="module")
def context():
    return trial_context(load_protocol(PROTOCOL).protocol)


def test_context_comes_from_the_protocol(context):
    assert (context.treatment_arm, context.control_arm) == ("lenalidomide", "methotrexate")
    assert context.target == 122 and context.primary_visit == "W16"
    assert context.clasi_visits[0] == "W0" and "W16" in context.clasi_visits
    assert context.plan_start == dt.date(2025, 10, 1)
    assert context.plan_end == dt.date(2029, 4, 1) - dt.timedelta(days=196)  # W28 is day 196
    assert {"aspirin", "folic_acid", "Méthotrexate"} <= set(context.blinding_terms)


@pytest.mark.parametrize(("stop", "reason"), [
    (StopRow(1, D, "lack of efficacy: CLASI-A unchanged"), "lack_of_efficacy"),
    (StopRow(1, D, "Inefficacité à S12"), "lack_of_efficacy"),
    (StopRow(1, D, "patient withdrew consent"), "withdrew_consent"),
    (StopRow(1, D, "moved abroad"), "other"),
    (StopRow(1, D, "whatever", ae_special_interest=("pregnancy_patient",), ae_related=False), "pregnancy"),
    (StopRow(1, D, "efficacy words ignored", ae_special_interest=(), ae_related=True), "toxicity"),
    (StopRow(1, D, "neutropenia", ae_special_interest=("neutropenia",), ae_related=False), "adverse_event"),
])
def test_stop_reason(stop, reason):
    assert stop_reason(stop) == reason


def _assessment(attempt, stage, verdict, day, failed=()):
    return AssessmentRow(1, attempt, stage, verdict, tuple(failed), day)


def test_screening_entry_uses_the_latest_attempt_and_a_later_randomization_verdict():
    subject = SubjectRow(1, "TNN-0001", "TNN", "screening", 2)
    rows = [_assessment(1, "screening", "not_eligible", D, ["EX02"]),
            _assessment(2, "screening", "eligible", D + dt.timedelta(days=30)),
            _assessment(2, "randomization", "not_eligible", D + dt.timedelta(days=40), ["IN05"])]
    entry = screening_entry(subject, rows, randomized=False, cutoff=D + dt.timedelta(days=50))
    assert (entry.verdict, entry.failed_criteria) == ("not_eligible", ("IN05",))
    at_35 = screening_entry(subject, rows, randomized=False, cutoff=D + dt.timedelta(days=35))
    assert (at_35.verdict, at_35.note) == ("eligible", AWAITING)
    assert screening_entry(subject, rows, randomized=False, cutoff=D - dt.timedelta(days=1)) is None


def test_outside_window():
    visit = VisitRow(1, "W16", D, D - dt.timedelta(days=7), D + dt.timedelta(days=7))
    assert not outside_window(visit)
    assert outside_window(VisitRow(1, "W16", D + dt.timedelta(days=8), visit.earliest_date, visit.latest_date))
    assert not outside_window(None)


def test_baseline_names_the_subject_and_the_missing_field():
    with pytest.raises(ExtractionError, match=r"subject TNN-0009: screening.sex is required"):
        baseline("TNN-0009", {"age_years": 40, "sle_associated": False}, 12, 3, None, None)


def test_assemble_cuts_visits_by_date_and_flags_per_protocol(context):
    subject = SubjectRow(1, "TNN-0001", "TNN", "randomized", 1)
    screening = {"age_years": 40, "sex": "female", "sle_associated": True, "antimalarial_stable_months": 6}
    forms = [FormRow(1, "SCR", True, 1, "screening", D - dt.timedelta(days=10), screening, {}),
             FormRow(1, "W0", True, 1, "clasi", D, {}, {"clasi_a": 20, "clasi_d": 4}),
             FormRow(1, "W16", True, 1, "clasi", D + dt.timedelta(days=130), {}, {"clasi_a": 5, "clasi_d": 4}),
             FormRow(1, "W4", True, 1, "clasi", D + dt.timedelta(days=28), {}, {"clasi_a": None, "clasi_d": None}),
             FormRow(1, "W8", False, 1, "steroid_dose", D + dt.timedelta(days=50), {"rescue_systemic_therapy": True})]
    rows = Rows(
        subjects=[subject], allocations=[AllocationRow(1, "lenalidomide", "site=TNN|sle=true", D)],
        assessments=[_assessment(1, "screening", "eligible", D - dt.timedelta(days=5)),
                     _assessment(1, "randomization", "eligible", D)],
        forms=forms, visits=[VisitRow(1, "W16", D + dt.timedelta(days=130), D + dt.timedelta(days=105),
                                      D + dt.timedelta(days=119))],
        dispensed_on={1: [D]},
    )
    late = assemble(rows, context, D + dt.timedelta(days=200)).subjects[0]
    assert late.clasi_a == {"W0": 20, "W16": 5}  # W4 incomplete: not a measurement
    assert late.rescue_therapy and late.received_allocated
    assert not late.per_protocol  # W16 done 11 days after its window closed
    early = assemble(rows, context, D + dt.timedelta(days=40)).subjects[0]
    assert early.clasi_a == {"W0": 20} and not early.rescue_therapy


def test_a_clasi_counts_on_the_day_it_was_made(context):
    """Same defect as the trajectory's (issue 13 item 5): the analysis places a CLASI on its own
    assessment date, for the cut-off and for the study day (time to CLASI-50)."""
    subject = SubjectRow(1, "TNN-0001", "TNN", "randomized", 1)
    screening = {"age_years": 40, "sex": "female", "sle_associated": True}
    made = D + dt.timedelta(days=33)
    forms = [FormRow(1, "SCR", True, 1, "screening", D - dt.timedelta(days=10), screening, {}),
             FormRow(1, "W0", True, 1, "clasi", D, {}, {"clasi_a": 20, "clasi_d": 4}),
             # The visit is dated day 28 (nominal), the CLASI was made on day 33.
             FormRow(1, "W4", True, 1, "clasi", D + dt.timedelta(days=28), {"assessment_date": made.isoformat()},
                     {"clasi_a": 9, "clasi_d": 4}),
             FormRow(1, "W4", True, 1, "dlqi", D + dt.timedelta(days=28), {}, {"dlqi_total": 3})]
    rows = Rows(subjects=[subject], allocations=[AllocationRow(1, "lenalidomide", "site=TNN|sle=true", D)],
                assessments=[_assessment(1, "screening", "eligible", D - dt.timedelta(days=5))],
                forms=forms, visits=[], dispensed_on={1: [D]})
    after = assemble(rows, context, D + dt.timedelta(days=40)).subjects[0]
    assert after.visit_days["W4"] == 33 and after.clasi_a["W4"] == 9
    before = assemble(rows, context, D + dt.timedelta(days=30)).subjects[0]
    assert "W4" not in before.clasi_a  # not yet made at that cut-off
