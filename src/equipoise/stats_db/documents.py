"""Every statistics document, rendered once from a dataset and the trial context.

Pure (no ORM, no clock: `generated_on` is passed in), so the web pages and the CLI produce the
same bytes from the same dataset. `arm_level` chooses between the statistician's view (one
column per arm) and the blinded-safe view (arms pooled); callers decide it through
`permissions`, never here.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from equipoise.stats.analysis_dataset import AnalysisDataset, json_ready
from equipoise.stats.consort import WORDS as CONSORT_WORDS
from equipoise.stats.consort import consort_counts, consort_figure, pooled_counts
from equipoise.stats.dsmb import dsmb_report_html, dsmb_report_pdf
from equipoise.stats.primary import analyse_primary
from equipoise.stats.recruitment import recruitment_figure
from equipoise.stats.report_html import StatisticianReport, statistician_report
from equipoise.stats.table1 import Table1, table1_by_arm, table1_html, table1_pooled
from equipoise.stats_db.mapping import ASSUMPTIONS
from equipoise.stats_db.trial_context import TrialContext

POOLED = "all"


def report(dataset: AnalysisDataset, context: TrialContext, generated_on: dt.date, *,
           final: bool = False) -> StatisticianReport:
    """The statistician's report (arm-level): HTML page and JSON twin, extraction rules included.
    Interim unless `final` (see `stats.primary` for what changes)."""
    result = statistician_report(
        dataset, treatment_arm=context.treatment_arm, control_arm=context.control_arm,
        arm_labels=context.arm_labels, plan_start=context.plan_start, plan_end=context.plan_end,
        target=context.target, special_interest=context.special_interest, generated_on=generated_on,
        criterion_labels=context.criterion_labels, final=final, lang=context.language,
        visit_labels=context.visit_labels, special_interest_labels=context.special_interest_labels,
    )
    data = {**result.data, "extraction_assumptions": list(ASSUMPTIONS)}
    return StatisticianReport(result.html, data)


def report_json(result: StatisticianReport) -> bytes:
    return json.dumps(result.data, indent=1, sort_keys=True, ensure_ascii=False).encode()


def consort(dataset: AnalysisDataset, context: TrialContext, *, arm_level: bool, fmt: str = "svg",
            language: str = "en") -> bytes:
    """The CONSORT diagram: by arm for the statistician, arms pooled otherwise; in `language`
    (the context's arm and criterion labels should be built in the same language)."""
    counts = consort_counts(dataset, visit=context.primary_visit)
    lang = "fr" if language.startswith("fr") else "en"
    if arm_level:
        return consort_figure(counts, context.arm_labels, criterion_labels=context.criterion_labels, fmt=fmt,
                              language=lang)
    return consort_figure(pooled_counts(counts, POOLED), {POOLED: CONSORT_WORDS["pooled_arm"][lang]},
                          criterion_labels=context.criterion_labels, fmt=fmt,
                          title=CONSORT_WORDS["pooled_title"][lang], language=lang)


def table1(dataset: AnalysisDataset, context: TrialContext, *, arm_level: bool) -> Table1:
    return table1_by_arm(dataset, context.arm_labels) if arm_level else table1_pooled(dataset)


def table1_fragment(dataset: AnalysisDataset, context: TrialContext, *, arm_level: bool, language: str = "en") -> str:
    """Table 1 as an HTML table (escaped by the pure renderer), for a page or a file, in `language`."""
    return table1_html(table1(dataset, context, arm_level=arm_level), language=language)


def recruitment(dataset: AnalysisDataset, context: TrialContext, fmt: str = "svg", language: str = "en") -> bytes:
    """Cumulative randomizations per site and overall against the plan; never uses the arm."""
    return recruitment_figure(dataset, plan_start=context.plan_start, plan_end=context.plan_end,
                              target=context.target, fmt=fmt, language=language)


def dsmb(dataset: AnalysisDataset, context: TrialContext, *, include_closed: bool, generated_on: dt.date,
         meeting: str | None = None) -> bytes:
    """The DSMB report PDF in the context's language; the closed part only when `include_closed` is exactly True."""
    return dsmb_report_pdf(dsmb_report_html(
        dataset, include_closed=include_closed, generated_on=generated_on, plan_start=context.plan_start,
        plan_end=context.plan_end, target=context.target, special_interest=context.special_interest,
        arm_codes=context.arm_codes if include_closed is True else None, blinding_terms=context.blinding_terms,
        meeting=meeting, lang=context.language, special_interest_labels=context.special_interest_labels,
        visit_labels=context.visit_labels,
    ))


def primary_summary(dataset: AnalysisDataset, treatment_arm: str, control_arm: str) -> dict[str, Any]:
    """The primary analysis as JSON-ready data: the same call whether the dataset came from the
    database or from an exported file, so the two can be compared number for number."""
    return json_ready(analyse_primary(dataset, treatment_arm=treatment_arm, control_arm=control_arm).to_dict())
