"""DSMB report (PDF via WeasyPrint): an open part pooled across arms, and an optional closed part.

The open part (recruitment, CONSORT flow with the arms summed, pooled baseline and pooled
adverse events) may be seen by the trial team. The closed part shows efficacy and safety by
coded arm (A/B...) for the DSMB alone.

Blinding safeguards, in this module rather than left to callers:
- The closed part is produced only when `include_closed` is exactly `True` (not merely truthy);
  otherwise its builder is never called, so no arm-split number exists in the output at all.
  Who may ask for it (the statistician) is checked by the caller.
- Free text (AE terms, reasons for withdrawal, screening notes) is scrubbed of arm ids and of any
  `blinding_terms` in both parts (pass the names of all interventions, auxiliary ones too: aspirin
  or folic acid would reveal the arm). Before any closed-part computation the dataset is also
  recoded, every arm id becoming its code, so the closed-part code never holds an arm name.
- Codes must be distinct and must not themselves be arm names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from equipoise.stats.analysis_dataset import AnalysisDataset, DatasetError
from equipoise.stats.consort import consort_counts, consort_figure, pooled_counts
from equipoise.stats.primary import ArmRoles, analyse_primary
from equipoise.stats.recruitment import recruitment_figure
from equipoise.stats.report_html import (
    binary_html,
    esc,
    figure_html,
    notes_html,
    page,
    primary_html,
    safety_html,
    secondary_html,
)
from equipoise.stats.safety_tables import safety_by_arm, safety_pooled
from equipoise.stats.secondary import analyse_secondary
from equipoise.stats.table1 import table1_by_arm, table1_html, table1_pooled

SCRUBBED = "[study drug]"


def _check_codes(dataset: AnalysisDataset, arm_codes: Mapping[str, str] | None) -> dict[str, str]:
    if not arm_codes:
        raise DatasetError("arm_codes", arm_codes, "must map every arm id to a code for the closed part")
    missing = [a for a in dataset.arms if a not in arm_codes]
    if missing:
        raise DatasetError("arm_codes", dict(arm_codes), f"must give a code for every arm (missing {', '.join(missing)})")
    codes = [arm_codes[a] for a in dataset.arms]
    if len(set(codes)) != len(codes) or any(not isinstance(c, str) or not c.strip() for c in codes):
        raise DatasetError("arm_codes", dict(arm_codes), "codes must be distinct non-empty strings")
    lowered = {a.lower() for a in dataset.arms}
    if any(c.lower() in lowered for c in codes):
        raise DatasetError("arm_codes", dict(arm_codes), "a code must not be an arm id")
    return {a: arm_codes[a] for a in dataset.arms}


def _scrubber(words: Sequence[str]):
    cleaned = sorted({w for w in words if w and w.strip()}, key=len, reverse=True)
    if not cleaned:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(w) for w in cleaned), re.IGNORECASE)
    return lambda text: pattern.sub(SCRUBBED, text)


def scrub_free_text(dataset: AnalysisDataset, blinding_terms: Sequence[str] = ()) -> AnalysisDataset:
    """The dataset with arm ids and `blinding_terms` removed from every free-text field.

    Free text (AE terms, reasons for leaving) is where an arm leaks most easily ("methotrexate
    pneumonitis"); the open part shows reasons too, so both parts are built from scrubbed data.
    """
    scrub = _scrubber([*dataset.arms, *blinding_terms])
    subjects = tuple(
        replace(
            s,
            adverse_events=tuple(replace(ae, term=scrub(ae.term)) for ae in s.adverse_events),
            discontinued_reason=scrub(s.discontinued_reason) if s.discontinued_reason else None,
        )
        for s in dataset.subjects
    )
    screening = tuple(replace(e, note=scrub(e.note) if e.note else None) for e in dataset.screening)
    return replace(dataset, subjects=subjects, screening=screening)


def recode_arms(
    dataset: AnalysisDataset, arm_codes: Mapping[str, str], blinding_terms: Sequence[str] = ()
) -> AnalysisDataset:
    """The dataset with arm ids replaced by codes and arm-revealing words removed from free text."""
    codes = _check_codes(dataset, arm_codes)
    scrubbed = scrub_free_text(dataset, blinding_terms)
    subjects = tuple(replace(s, arm=codes[s.arm]) for s in scrubbed.subjects)
    return replace(scrubbed, arms=tuple(codes[a] for a in dataset.arms), subjects=subjects)


def _cover(dataset: AnalysisDataset, generated_on: date, include_closed: bool, meeting: str | None) -> str:
    parts = "Open and closed parts" if include_closed else "Open part only"
    banner = ("<p class='banner'>CONFIDENTIAL — contains the closed part, for DSMB members only.</p>"
              if include_closed else "")
    return (f"<h1>{esc(dataset.trial_id)}<br>Data Safety Monitoring Board report</h1>"
            + (f"<p class='meta'>{esc(meeting)}</p>" if meeting else "")
            + f"<p class='meta'><strong>Data cut-off: {dataset.data_cutoff.isoformat()}</strong></p>"
            f"<p class='meta'>Generated {generated_on.isoformat()} · {parts} · "
            f"{len(dataset.subjects)} subjects randomized</p>{banner}")


def _open_part(
    dataset: AnalysisDataset, plan_start: date, plan_end: date, target: int, special_interest: Sequence[str]
) -> str:
    counts = pooled_counts(consort_counts(dataset), label="all")
    return (
        "<h2 class='page-break'>Open part (all arms pooled)</h2>"
        "<h3>Recruitment</h3>"
        + figure_html(recruitment_figure(dataset, plan_start=plan_start, plan_end=plan_end, target=target),
                      f"Cumulative randomizations per site and overall; dashed line: linear plan to {target}.")
        + "<h3>Participant flow (arms pooled)</h3>"
        + figure_html(consort_figure(counts, {"all": "study treatment (arms pooled)"},
                                     title="CONSORT flow (arms pooled)"), "CONSORT flow diagram, arms pooled.")
        + f"<h3>Baseline characteristics</h3>{table1_html(table1_pooled(dataset))}"
        + f"<h3>Adverse events</h3>{safety_html(safety_pooled(dataset, special_interest))}"
    )


def _closed_part(coded: AnalysisDataset, special_interest: Sequence[str]) -> str:
    """Efficacy and safety by code; `coded` holds no arm id (see `recode_arms`)."""
    first, second = coded.arms[0], coded.arms[1]
    labels = {code: f"Arm {code}" for code in coded.arms}
    roles = ArmRoles(treatment_arm=first, control_arm=second)
    primary = analyse_primary(coded, **roles)
    w24 = analyse_primary(coded, **roles, visit="W24", endpoint="clasi50_w24")
    counts = consort_counts(coded)
    return (
        "<h2 class='page-break'>Closed part — by coded arm, DSMB members only</h2>"
        f"<p class='note'>Differences are Arm {esc(first)} minus Arm {esc(second)}; odds ratios Arm {esc(first)} "
        f"vs Arm {esc(second)}. The code key is held by the unblinded statistician.</p>"
        f"<h3>Primary endpoint: CLASI-50 at week 16</h3>{primary_html(primary, labels)}"
        f"<h3>CLASI-50 at week 24 (ITT)</h3>{binary_html(w24.itt, labels)}"
        f"{secondary_html(analyse_secondary(coded, **roles), labels)}"
        f"<h3>Adverse events by arm</h3>{safety_html(safety_by_arm(coded, special_interest, labels))}"
        f"<h3>Baseline characteristics by arm</h3>{table1_html(table1_by_arm(coded, labels))}"
        "<h3>Participant flow by arm</h3>"
        + figure_html(consort_figure(counts, labels), "CONSORT flow diagram by coded arm.")
        + notes_html(counts["inconsistencies"])
    )


def dsmb_report_html(
    dataset: AnalysisDataset,
    *,
    include_closed: bool,
    generated_on: date,
    plan_start: date,
    plan_end: date,
    target: int,
    special_interest: Sequence[str],
    arm_codes: Mapping[str, str] | None = None,
    blinding_terms: Sequence[str] = (),
    meeting: str | None = None,
) -> str:
    """The DSMB report as one HTML document (the PDF is rendered from it)."""
    if not isinstance(include_closed, bool):
        raise DatasetError("include_closed", include_closed, "must be True or False")
    body = _cover(dataset, generated_on, include_closed, meeting)
    body += _open_part(scrub_free_text(dataset, blinding_terms), plan_start, plan_end, target, special_interest)
    if include_closed is True:
        body += _closed_part(recode_arms(dataset, arm_codes or {}, blinding_terms), special_interest)
    return page(f"{dataset.trial_id} DSMB report, cut-off {dataset.data_cutoff.isoformat()}", body)


def dsmb_report_pdf(document: str) -> bytes:
    """The DSMB report (`dsmb_report_html`) as PDF bytes (WeasyPrint, A4, figures as vector SVG)."""
    from weasyprint import HTML

    return HTML(string=document).write_pdf()
