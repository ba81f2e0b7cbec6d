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
from equipoise.stats.report_words import day, say
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


def _cover(dataset: AnalysisDataset, generated_on: date, include_closed: bool, meeting: str | None, lang: str) -> str:
    parts = say("Open and closed parts" if include_closed else "Open part only", lang)
    banner = (f"<p class='banner'>{esc(say('CONFIDENTIAL — contains the closed part, for DSMB members only.', lang))}"
              "</p>" if include_closed else "")
    return (f"<h1>{esc(dataset.trial_id)}<br>{esc(say('Data Safety Monitoring Board report', lang))}</h1>"
            + (f"<p class='meta'>{esc(meeting)}</p>" if meeting else "")
            + f"<p class='meta'><strong>{esc(say('Data cut-off: {date}', lang, date=day(dataset.data_cutoff, lang)))}"
            "</strong></p><p class='meta'>"
            + esc(say("Generated {date} · {parts} · {n} subjects randomized", lang, date=day(generated_on, lang),
                      parts=parts, n=len(dataset.subjects)))
            + f"</p>{banner}")


def _open_part(
    dataset: AnalysisDataset, plan_start: date, plan_end: date, target: int, special_interest: Sequence[str],
    lang: str, special_interest_labels: Mapping[str, str] | None,
) -> str:
    counts = pooled_counts(consort_counts(dataset), label="all")
    return (
        f"<h2 class='page-break'>{esc(say('Open part (all arms pooled)', lang))}</h2>"
        f"<h3>{esc(say('Recruitment', lang))}</h3>"
        + figure_html(recruitment_figure(dataset, plan_start=plan_start, plan_end=plan_end, target=target,
                                         language=lang),
                      say("Cumulative randomizations per site and overall; dashed line: linear plan to {target}.",
                          lang, target=target))
        + f"<h3>{esc(say('Participant flow (arms pooled)', lang))}</h3>"
        + figure_html(consort_figure(counts, {"all": say("study treatment (arms pooled)", lang)},
                                     title=say("CONSORT flow (arms pooled)", lang), language=lang),
                      say("CONSORT flow diagram, arms pooled.", lang))
        + f"<h3>{esc(say('Baseline characteristics', lang))}</h3>{table1_html(table1_pooled(dataset), language=lang)}"
        + f"<h3>{esc(say('Adverse events', lang))}</h3>"
        + safety_html(safety_pooled(dataset, special_interest, say("All subjects", lang)), lang=lang,
                      special_interest_labels=special_interest_labels)
    )


def _closed_part(coded: AnalysisDataset, special_interest: Sequence[str], lang: str,
                 special_interest_labels: Mapping[str, str] | None, visit_labels: Mapping[str, str] | None) -> str:
    """Efficacy and safety by code; `coded` holds no arm id (see `recode_arms`)."""
    first, second = coded.arms[0], coded.arms[1]
    labels = {code: say("Arm {code}", lang, code=code) for code in coded.arms}
    roles = ArmRoles(treatment_arm=first, control_arm=second)
    primary = analyse_primary(coded, **roles)
    w24 = analyse_primary(coded, **roles, visit="W24", endpoint="clasi50_w24")
    counts = consort_counts(coded)
    return (
        f"<h2 class='page-break'>{esc(say('Closed part — by coded arm, DSMB members only', lang))}</h2>"
        "<p class='note'>" + esc(say(
            "Differences are Arm {first} minus Arm {second}; odds ratios Arm {first} vs Arm {second}. "
            "The code key is held by the unblinded statistician.", lang, first=first, second=second)) + "</p>"
        f"<h3>{esc(say('Primary endpoint: CLASI-50 at week 16', lang))}</h3>{primary_html(primary, labels, lang, visit_labels)}"
        f"<h3>{esc(say('CLASI-50 at week 24 (ITT)', lang))}</h3>{binary_html(w24.itt, labels, lang)}"
        f"{secondary_html(analyse_secondary(coded, **roles), labels, lang, visit_labels)}"
        f"<h3>{esc(say('Adverse events by arm', lang))}</h3>"
        f"{safety_html(safety_by_arm(coded, special_interest, labels), lang=lang, special_interest_labels=special_interest_labels)}"
        f"<h3>{esc(say('Baseline characteristics by arm', lang))}</h3>"
        f"{table1_html(table1_by_arm(coded, labels), language=lang)}"
        f"<h3>{esc(say('Participant flow by arm', lang))}</h3>"
        + figure_html(consort_figure(counts, labels, language=lang), say("CONSORT flow diagram by coded arm.", lang))
        + notes_html(counts["inconsistencies"], lang)
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
    lang: str = "en",
    special_interest_labels: Mapping[str, str] | None = None,
    visit_labels: Mapping[str, str] | None = None,
) -> str:
    """The DSMB report as one HTML document in `lang` (the PDF is rendered from it)."""
    if not isinstance(include_closed, bool):
        raise DatasetError("include_closed", include_closed, "must be True or False")
    body = _cover(dataset, generated_on, include_closed, meeting, lang)
    body += _open_part(scrub_free_text(dataset, blinding_terms), plan_start, plan_end, target, special_interest, lang,
                       special_interest_labels)
    if include_closed is True:
        body += _closed_part(recode_arms(dataset, arm_codes or {}, blinding_terms), special_interest, lang,
                             special_interest_labels, visit_labels)
    return page(say("{trial} DSMB report, cut-off {date}", lang, trial=dataset.trial_id,
                    date=day(dataset.data_cutoff, lang)), body, lang=lang)


def dsmb_report_pdf(document: str) -> bytes:
    """The DSMB report (`dsmb_report_html`) as PDF bytes (WeasyPrint, A4, figures as vector SVG)."""
    from weasyprint import HTML

    return HTML(string=document).write_pdf()
