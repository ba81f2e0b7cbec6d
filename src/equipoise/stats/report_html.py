"""The statistician's report: one self-contained HTML page, and the same content as JSON.

Everything is inline (CSS, SVG figures), so the page can be saved, mailed, archived beside the
frozen analysis dataset, or printed (the print stylesheet avoids splitting tables and figures).
The section renderers are shared with the DSMB report, which calls them on a dataset whose arm
ids have already been replaced by codes.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from equipoise.stats.analysis_dataset import AnalysisDataset, json_ready
from equipoise.stats.consort import consort_counts, consort_figure
from equipoise.stats.figures import inline_svg
from equipoise.stats.primary import (
    REASONS,
    ArmRoles,
    BinaryAnalysis,
    PrimaryResult,
    analyse_primary,
)
from equipoise.stats.recruitment import recruitment_figure
from equipoise.stats.safety_tables import SafetyTable, safety_by_arm
from equipoise.stats.secondary import (
    SecondaryResult,
    analyse_secondary,
    km_figure,
    mean_by_visit_figure,
)
from equipoise.stats.table1 import table1_by_arm, table1_html

esc = html.escape

CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; color: #111; max-width: 60rem;
       margin: 1.5rem auto; padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.25em; border-bottom: 1px solid #999;
     padding-bottom: 0.15em; margin-top: 1.6em; } h3 { font-size: 1.05em; }
table { border-collapse: collapse; margin: 0.6em 0 1em; font-size: 0.92em; }
th, td { border: 1px solid #bbb; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
thead th { background: #e8eef5; } tr.group th { background: #f4f4f4; } caption { text-align: left;
     font-weight: bold; margin-bottom: 0.3em; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.n { font-weight: normal; font-size: 0.85em; } .note { color: #444; font-size: 0.9em; }
.meta { color: #333; } figure { margin: 1em 0; } figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.9em; color: #333; } .headline { font-size: 1.1em; background: #f3f7fb;
     border-left: 4px solid #0072B2; padding: 0.5em 0.8em; }
.banner { border: 2px solid #a00; color: #a00; padding: 0.4em 0.8em; font-weight: bold; }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { max-width: none; margin: 0; font-size: 9.5pt; }
  h2 { break-after: avoid; } table, figure { break-inside: avoid; }
  .page-break { break-before: page; }
}
"""



# The model actually fitted, in words (the result carries it as a code).
MODEL_NAMES = {
    "mixedlm_random_intercept": "random intercept per subject",
    "ancova_per_visit": "fallback: ANCOVA at each visit",
    "none": "not fitted",
}

def fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def fmt_p(p: float | None) -> str:
    if p is None:
        return "—"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def fmt_pct(x: int, n: int) -> str:
    return f"{x}/{n} ({100 * x / n:.1f}%)" if n else f"{x}/0"


def page(title: str, body: str, *, lang: str = "en") -> str:
    """A complete, self-contained HTML document."""
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body>{body}</body></html>")


def figure_html(svg: bytes, caption: str) -> str:
    return f"<figure>{inline_svg(svg)}<figcaption>{esc(caption)}</figcaption></figure>"


def notes_html(notes: Sequence[str | None]) -> str:
    items = [n for n in notes if n]
    return "".join(f'<p class="note">{esc(n)}</p>' for n in items)


def binary_html(analysis: BinaryAnalysis, labels: Mapping[str, str]) -> str:
    t, c = analysis.treatment, analysis.control
    lt, lc = labels.get(t.arm, t.arm), labels.get(c.arm, c.arm)
    rd = analysis.risk_difference
    rows = [
        f"<tr><th scope='row'>Responders, {esc(lt)}</th><td class='num'>{fmt_pct(t.responders, t.n)}</td></tr>",
        f"<tr><th scope='row'>Responders, {esc(lc)}</th><td class='num'>{fmt_pct(c.responders, c.n)}</td></tr>",
    ]
    if rd:
        rows.append(f"<tr><th scope='row'>Risk difference ({esc(lt)} − {esc(lc)}), {rd.confidence:.0%} CI "
                    f"({esc(rd.method)})</th><td class='num'>{100 * rd.difference:.1f} points "
                    f"({100 * rd.lower:.1f} to {100 * rd.upper:.1f})</td></tr>")
    cmh = analysis.cmh
    rows.append(f"<tr><th scope='row'>CMH test stratified by randomization stratum "
                f"({len(cmh.strata_used)} strata)</th><td class='num'>χ² = {fmt(cmh.statistic)}, "
                f"p = {fmt_p(cmh.p_value)}</td></tr>")
    rows.append(f"<tr><th scope='row'>Mantel–Haenszel odds ratio, 95% CI</th><td class='num'>"
                f"{fmt(cmh.pooled_odds_ratio)} ({fmt(cmh.lower)} to {fmt(cmh.upper)})</td></tr>")
    lg = analysis.logistic
    rows.append(f"<tr><th scope='row'>Logistic regression adjusted for strata: odds ratio, 95% CI</th>"
                f"<td class='num'>{fmt(lg.odds_ratio)} ({fmt(lg.lower)} to {fmt(lg.upper)}), "
                f"p = {fmt_p(lg.p_value)}</td></tr>")
    reasons = "".join(
        f"<tr><th scope='row'>{esc(REASONS.get(r, r))}</th>"
        + "".join(f"<td class='num'>{analysis.reasons.get(arm, {}).get(r, 0)}</td>" for arm in (t.arm, c.arm))
        + "</tr>"
        for r in REASONS
        if any(analysis.reasons.get(arm, {}).get(r, 0) for arm in (t.arm, c.arm))
    )
    return (
        f"<table><tbody>{''.join(rows)}</tbody></table>"
        f"<table><caption>Classification of subjects</caption><thead><tr><th scope='col'>Outcome</th>"
        f"<th scope='col'>{esc(lt)}</th><th scope='col'>{esc(lc)}</th></tr></thead><tbody>{reasons}</tbody></table>"
        + notes_html([*analysis.notes, cmh.note, lg.note])
    )


def primary_html(result: PrimaryResult, labels: Mapping[str, str]) -> str:
    itt = result.itt
    rd = itt.risk_difference
    headline = (
        f"CLASI-50 at {esc(result.visit)} (ITT): {esc(labels.get(itt.treatment.arm, itt.treatment.arm))} "
        f"{fmt_pct(itt.treatment.responders, itt.treatment.n)} vs "
        f"{esc(labels.get(itt.control.arm, itt.control.arm))} {fmt_pct(itt.control.responders, itt.control.n)}"
        + (f"; difference {100 * rd.difference:.1f} points (95% CI {100 * rd.lower:.1f} to {100 * rd.upper:.1f})"
           if rd else "")
    )
    waiting = sum(result.not_yet_evaluable.values())
    evaluable = (
        "" if result.final else
        f"<p class='not-yet-evaluable'><strong>Interim analysis: {waiting} not yet evaluable</strong> "
        f"({esc(result.visit)} window still open at the cut-off; left out, not counted as non-responders): "
        + ", ".join(f"{esc(labels.get(arm, arm))} {n}" for arm, n in result.not_yet_evaluable.items()) + ".</p>"
    )
    return (
        f'<p class="headline">{headline}</p>{evaluable}'
        f"<h3>Intention to treat (non-responder rule)</h3>{binary_html(itt, labels)}"
        f"<h3>Per-protocol sensitivity analysis</h3>{binary_html(result.per_protocol, labels)}"
        + notes_html(result.notes)
    )


def secondary_html(result: SecondaryResult, labels: Mapping[str, str]) -> str:
    means = result.clasi_a_means
    visits = list(dict.fromkeys(m.visit for m in means))
    arms = list(dict.fromkeys(m.arm for m in means))
    head = "".join(f"<th scope='col'>{esc(labels.get(a, a))}</th>" for a in arms)
    body = ""
    for v in visits:
        cells = ""
        for a in arms:
            s = next(m.summary for m in means if m.arm == a and m.visit == v)
            cells += f"<td class='num'>{fmt(s.mean, 1)} ({fmt(s.lower, 1)} to {fmt(s.upper, 1)}); n = {s.n}</td>"
        body += f"<tr><th scope='row'>{esc(v)}</th>{cells}</tr>"
    out = (f"<h3>CLASI-A by visit (observed mean, 95% t CI)</h3><table><thead><tr><th scope='col'>Visit</th>"
           f"{head}</tr></thead><tbody>{body}</tbody></table>")
    out += figure_html(mean_by_visit_figure(means, labels), "Mean CLASI-A by visit and arm, 95% CI.")
    mm = result.clasi_a_mmrm
    rows = "".join(
        f"<tr><th scope='row'>{esc(e.visit)}</th><td class='num'>{fmt(e.estimate)} ({fmt(e.lower)} to "
        f"{fmt(e.upper)})</td><td class='num'>{fmt_p(e.p_value)}</td></tr>" for e in mm.effects
    )
    out += (f"<h3>Change in CLASI-A, mixed model for repeated measures ({esc(MODEL_NAMES.get(mm.method, mm.method))})</h3>"
            f"<table><thead><tr><th scope='col'>Visit</th><th scope='col'>Arm effect, 95% CI</th>"
            f"<th scope='col'>p</th></tr></thead><tbody>{rows}</tbody></table>"
            f"<p class='note'>{mm.n_subjects} subjects, {mm.n_observations} observations.</p>"
            + notes_html(mm.notes))
    tt = result.time_to_clasi50
    out += (f"<h3>Time to first CLASI-50</h3><p>Log-rank χ² = {fmt(tt.logrank_statistic)}, "
            f"p = {fmt_p(tt.logrank_p_value)}.</p>")
    out += figure_html(km_figure(tt, labels), "Kaplan–Meier cumulative proportion reaching CLASI-50 by arm.")
    out += notes_html(tt.notes)
    rows = ""
    for ch in result.dlqi_change:
        rows += (f"<tr><th scope='row'>{esc(ch.visit)}</th>"
                 f"<td class='num'>{fmt(ch.treatment.mean, 1)} ({fmt(ch.treatment.sd, 1)}); n = {ch.treatment.n}</td>"
                 f"<td class='num'>{fmt(ch.control.mean, 1)} ({fmt(ch.control.sd, 1)}); n = {ch.control.n}</td>"
                 f"<td class='num'>{fmt(ch.difference, 1)} ({fmt(ch.lower, 1)} to {fmt(ch.upper, 1)})</td></tr>")
    lt, lc = labels.get(result.treatment_arm, result.treatment_arm), labels.get(result.control_arm, result.control_arm)
    out += (f"<h3>DLQI change from baseline</h3><table><thead><tr><th scope='col'>Visit</th>"
            f"<th scope='col'>{esc(lt)}: mean (SD)</th><th scope='col'>{esc(lc)}: mean (SD)</th>"
            f"<th scope='col'>Difference, 95% CI (Welch)</th></tr></thead><tbody>{rows}</tbody></table>")
    return out


def safety_html(table: SafetyTable, caption: str = "Adverse events (safety population)") -> str:
    groups = table.groups
    head = "".join(f"<th scope='col'>{esc(g.group)}<br><span class='n'>n = {g.n}</span></th>" for g in groups)

    def pct(k: int, n: int) -> str:
        return f"{k} ({100 * k / n:.1f}%)" if n else str(k)

    def row(label: str, cells: Sequence[str]) -> str:
        return f"<tr><th scope='row'>{label}</th>" + "".join(f"<td class='num'>{c}</td>" for c in cells) + "</tr>"

    rows = [row("Subjects with ≥ 1 AE (events)", [f"{pct(g.any_event.subjects, g.n)} [{g.any_event.events}]"
                                                   for g in groups])]
    rows.append(row("Subjects without AE", [pct(g.no_event, g.n) for g in groups]))
    for grade in (1, 2, 3, 4, 5):
        rows.append(row(f"&nbsp;&nbsp;Worst grade {grade}", [pct(g.worst_grade[grade], g.n) for g in groups]))
    rows.append(row("Subjects with grade ≥ 3 AE (events)",
                    [f"{pct(g.grade3_or_more.subjects, g.n)} [{g.grade3_or_more.events}]" for g in groups]))
    rows.append(row("Subjects with serious AE (events)",
                    [f"{pct(g.serious.subjects, g.n)} [{g.serious.events}]" for g in groups]))
    rows.append(row("Deaths", [str(g.deaths) for g in groups]))
    rows.append(f"<tr class='group'><th scope='row' colspan='{len(groups) + 1}'>Events of special interest: "
                "subjects (events)</th></tr>")
    for cat in table.special_interest_categories:
        rows.append(row(f"&nbsp;&nbsp;{esc(cat.replace('_', ' '))}",
                        [f"{pct(g.special_interest[cat].subjects, g.n)} [{g.special_interest[cat].events}]"
                         for g in groups]))
    return (f"<table><caption>{esc(caption)}</caption><thead><tr><th scope='col'></th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


@dataclass(frozen=True)
class StatisticianReport:
    html: str
    data: dict[str, Any]


def statistician_report(
    dataset: AnalysisDataset,
    *,
    treatment_arm: str,
    control_arm: str,
    arm_labels: Mapping[str, str],
    plan_start: date,
    plan_end: date,
    target: int,
    special_interest: Sequence[str],
    generated_on: date,
    criterion_labels: Mapping[str, str] | None = None,
    final: bool = False,
) -> StatisticianReport:
    """Run every analysis and assemble the page and its JSON twin (same numbers, one pass).

    An interim report (the default) leaves out the subjects not yet evaluable at the cut-off; the
    final report (`final=True`) applies the non-responder rule to everyone randomized."""
    roles = ArmRoles(treatment_arm=treatment_arm, control_arm=control_arm)
    primary = analyse_primary(dataset, **roles, final=final)
    secondary = analyse_secondary(dataset, **roles)
    w24 = analyse_primary(dataset, **roles, visit="W24", endpoint="clasi50_w24", final=final)
    safety = safety_by_arm(dataset, special_interest, arm_labels)
    t1 = table1_by_arm(dataset, arm_labels)
    counts = consort_counts(dataset, final=final)
    body = (
        f"<h1>{esc(dataset.trial_id)}: {'final' if final else 'interim'} statistical report</h1>"
        f"<p class='meta'>Data cut-off {dataset.data_cutoff.isoformat()} · generated {generated_on.isoformat()} · "
        f"{len(dataset.subjects)} randomized · treatment {esc(arm_labels.get(treatment_arm, treatment_arm))}, "
        f"control {esc(arm_labels.get(control_arm, control_arm))}</p>"
        f"<h2>Primary endpoint: CLASI-50 at week 16</h2>{primary_html(primary, arm_labels)}"
        f"<h2>Secondary endpoints</h2><h3>CLASI-50 at week 24 (ITT)</h3>{binary_html(w24.itt, arm_labels)}"
        f"{secondary_html(secondary, arm_labels)}"
        f"<h2 class='page-break'>Baseline characteristics</h2>{table1_html(t1)}"
        f"<h2>Safety</h2>{safety_html(safety)}"
        f"<h2 class='page-break'>Participant flow (CONSORT 2025)</h2>"
        + figure_html(consort_figure(counts, arm_labels, criterion_labels=criterion_labels), "CONSORT flow diagram.")
        + notes_html(counts["inconsistencies"])
        + "<h2>Recruitment</h2>"
        + figure_html(recruitment_figure(dataset, plan_start=plan_start, plan_end=plan_end, target=target),
                      f"Cumulative randomizations per site and overall; dashed line: linear plan to {target}.")
    )
    data = json_ready({
        "trial_id": dataset.trial_id,
        "data_cutoff": dataset.data_cutoff,
        "generated_on": generated_on,
        "arm_labels": dict(arm_labels),
        "primary": primary.to_dict(),
        "clasi50_w24": w24.to_dict(),
        "secondary": secondary.to_dict(),
        "table1": t1.to_dict(),
        "safety": safety.to_dict(),
        "consort": counts,
        "recruitment_plan": {"start": plan_start, "end": plan_end, "target": target},
    })
    return StatisticianReport(page(f"{dataset.trial_id} statistical report", body), data)
