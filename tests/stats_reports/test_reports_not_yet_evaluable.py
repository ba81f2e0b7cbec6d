"""Not yet evaluable is not a non-responder (issue 13 item 7): at an interim cut-off a patient
whose week-16 window is still open and whose outcome nothing has decided is left out of the
analysis and counted apart; the final analysis applies the non-responder rule as written."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from equipoise.stats.dsmb import dsmb_report_html
from equipoise.stats.primary import analyse_primary, not_yet_evaluable
from equipoise.stats.report_html import primary_html

from .conftest import make_dataset, make_subject

CUTOFF = date(2026, 6, 1)
WINDOWS = {"W16": 119, "W24": 175}
ROLES = {"treatment_arm": "lenalidomide", "control_arm": "methotrexate"}


def interim(subjects):
    return replace(make_dataset(subjects, cutoff=CUTOFF), window_closes=WINDOWS)


def subjects():
    long_ago = CUTOFF - timedelta(days=200)
    recent = CUTOFF - timedelta(days=30)
    return [
        make_subject("R1", randomized_on=long_ago),                                  # responder
        make_subject("R2", "methotrexate", randomized_on=long_ago, clasi_a={"W0": 20}),  # missed W16: non-responder
        make_subject("N1", randomized_on=CUTOFF, clasi_a={"W0": 20}),                 # randomized on the cut-off day
        make_subject("N2", "methotrexate", randomized_on=recent, clasi_a={"W0": 20, "W4": 18}),
        make_subject("D1", randomized_on=recent, clasi_a={"W0": 20}, rescue_therapy=True),  # decided: non-responder
        make_subject("D2", "methotrexate", randomized_on=recent, clasi_a={"W0": 20}, discontinued=True,
                     discontinued_reason="withdrew consent"),
        # The window closes on day 119: on the cut-off day itself the visit may still be done.
        make_subject("E1", randomized_on=CUTOFF - timedelta(days=119), clasi_a={"W0": 20}),
        make_subject("E2", randomized_on=CUTOFF - timedelta(days=120), clasi_a={"W0": 20}),
    ]


def test_who_is_not_yet_evaluable():
    dataset = interim(subjects())
    waiting = {s.subject_id for s in dataset.subjects
               if not_yet_evaluable(s, visit="W16", cutoff=CUTOFF, window_closes=WINDOWS)}
    assert waiting == {"N1", "N2", "E1"}


def test_interim_analysis_leaves_them_out_and_counts_them():
    result = analyse_primary(interim(subjects()), **ROLES)
    assert result.final is False
    assert result.not_yet_evaluable == {"lenalidomide": 2, "methotrexate": 1}
    itt = result.itt
    # lenalidomide: R1 (responder), D1, E2 analysed; methotrexate: R2, D2.
    assert (itt.treatment.n, itt.treatment.responders) == (3, 1)
    assert (itt.control.n, itt.control.responders) == (2, 0)
    assert itt.treatment.n + itt.control.n + sum(result.not_yet_evaluable.values()) == len(subjects())
    assert result.itt.reasons["lenalidomide"] == {"responder": 1, "rescue_therapy": 1, "missing_visit": 1}  # E2 only
    html = primary_html(result, {"lenalidomide": "Lenalidomide", "methotrexate": "Methotrexate"})
    assert "Interim analysis: 3 not yet evaluable" in html and "Lenalidomide 2, Methotrexate 1" in html


def test_final_analysis_applies_the_non_responder_rule_to_everyone():
    result = analyse_primary(interim(subjects()), **ROLES, final=True)
    assert result.not_yet_evaluable == {"lenalidomide": 0, "methotrexate": 0}
    assert result.itt.treatment.n + result.itt.control.n == len(subjects())
    assert result.itt.reasons["lenalidomide"]["missing_visit"] == 3  # N1, E1, E2


def test_a_patient_randomized_today_is_not_a_non_responder_in_the_dsmb_report():
    html = dsmb_report_html(interim(subjects()), include_closed=True, generated_on=CUTOFF, plan_start=date(2026, 1, 1),
                            plan_end=date(2027, 1, 1), target=122, special_interest=(),
                            arm_codes={"lenalidomide": "A", "methotrexate": "B"})
    assert "Interim analysis: 3 not yet evaluable" in html and "Arm A 2, Arm B 1" in html
