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
from equipoise.stats.report_words import day, french, note_words, number, percent, say
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

def fmt(value: float | None, digits: int = 2, lang: str = "en") -> str:
    return "—" if value is None else number(f"{value:.{digits}f}", lang)


def fmt_p(p: float | None, lang: str = "en") -> str:
    if p is None:
        return "—"
    return number("< 0.001" if p < 0.001 else f"{p:.3f}", lang)


def fmt_pct(x: int, n: int, lang: str = "en") -> str:
    if not n:
        return f"{x}/0"
    share = number(f"{100 * x / n:.1f}", lang)
    return f"{x}/{n} ({share}\u00a0%)" if french(lang) else f"{x}/{n} ({share}%)"


def page(title: str, body: str, *, lang: str = "en") -> str:
    """A complete, self-contained HTML document."""
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body>{body}</body></html>")


def figure_html(svg: bytes, caption: str) -> str:
    return f"<figure>{inline_svg(svg)}<figcaption>{esc(caption)}</figcaption></figure>"


def notes_html(notes: Sequence[str | None], lang: str = "en") -> str:
    items = [n for n in notes if n]
    return "".join(f'<p class="note">{esc(note_words(n, lang))}</p>' for n in items)


def binary_html(analysis: BinaryAnalysis, labels: Mapping[str, str], lang: str = "en") -> str:
    t, c = analysis.treatment, analysis.control
    lt, lc = labels.get(t.arm, t.arm), labels.get(c.arm, c.arm)
    rd = analysis.risk_difference
    rows = [
        f"<tr><th scope='row'>{esc(say('Responders, {arm}', lang, arm=lt))}</th>"
        f"<td class='num'>{fmt_pct(t.responders, t.n, lang)}</td></tr>",
        f"<tr><th scope='row'>{esc(say('Responders, {arm}', lang, arm=lc))}</th>"
        f"<td class='num'>{fmt_pct(c.responders, c.n, lang)}</td></tr>",
    ]
    if rd:
        heading = say("Risk difference ({treatment} − {control}), {confidence} CI ({method})", lang, treatment=lt,
                      control=lc, confidence=percent(rd.confidence, lang), method=say(rd.method, lang))
        value = say("{difference} points ({lower} to {upper})", lang, difference=fmt(100 * rd.difference, 1, lang),
                    lower=fmt(100 * rd.lower, 1, lang), upper=fmt(100 * rd.upper, 1, lang))
        rows.append(f"<tr><th scope='row'>{esc(heading)}</th><td class='num'>{esc(value)}</td></tr>")
    cmh = analysis.cmh
    rows.append(f"<tr><th scope='row'>{esc(say('CMH test stratified by randomization stratum ({n} strata)', lang, n=len(cmh.strata_used)))}"
                f"</th><td class='num'>χ² = {fmt(cmh.statistic, 2, lang)}, p = {fmt_p(cmh.p_value, lang)}</td></tr>")
    rows.append(f"<tr><th scope='row'>{esc(say('Mantel–Haenszel odds ratio, 95% CI', lang))}</th><td class='num'>"
                + esc(say("{value} ({lower} to {upper})", lang, value=fmt(cmh.pooled_odds_ratio, 2, lang),
                          lower=fmt(cmh.lower, 2, lang), upper=fmt(cmh.upper, 2, lang))) + "</td></tr>")
    lg = analysis.logistic
    rows.append(f"<tr><th scope='row'>{esc(say('Logistic regression adjusted for strata: odds ratio, 95% CI', lang))}"
                "</th><td class='num'>"
                + esc(say("{value} ({lower} to {upper})", lang, value=fmt(lg.odds_ratio, 2, lang),
                          lower=fmt(lg.lower, 2, lang), upper=fmt(lg.upper, 2, lang)))
                + f", p = {fmt_p(lg.p_value, lang)}</td></tr>")
    reasons = "".join(
        f"<tr><th scope='row'>{esc(say(REASONS.get(r, r), lang))}</th>"
        + "".join(f"<td class='num'>{analysis.reasons.get(arm, {}).get(r, 0)}</td>" for arm in (t.arm, c.arm))
        + "</tr>"
        for r in REASONS
        if any(analysis.reasons.get(arm, {}).get(r, 0) for arm in (t.arm, c.arm))
    )
    return (
        f"<table><tbody>{''.join(rows)}</tbody></table>"
        f"<table><caption>{esc(say('Classification of subjects', lang))}</caption><thead><tr>"
        f"<th scope='col'>{esc(say('Outcome', lang))}</th>"
        f"<th scope='col'>{esc(lt)}</th><th scope='col'>{esc(lc)}</th></tr></thead><tbody>{reasons}</tbody></table>"
        + notes_html([*analysis.notes, cmh.note, lg.note], lang)
    )


def primary_html(result: PrimaryResult, labels: Mapping[str, str], lang: str = "en",
                 visit_labels: Mapping[str, str] | None = None) -> str:
    itt = result.itt
    rd = itt.risk_difference
    visit = (visit_labels or {}).get(result.visit, result.visit)
    headline = say("CLASI-50 at {visit} (ITT): {treatment} {t} vs {control} {c}", lang, visit=visit,
                   treatment=labels.get(itt.treatment.arm, itt.treatment.arm),
                   t=fmt_pct(itt.treatment.responders, itt.treatment.n, lang),
                   control=labels.get(itt.control.arm, itt.control.arm),
                   c=fmt_pct(itt.control.responders, itt.control.n, lang))
    if rd:
        headline += say("; difference {difference} points (95% CI {lower} to {upper})", lang,
                        difference=fmt(100 * rd.difference, 1, lang), lower=fmt(100 * rd.lower, 1, lang),
                        upper=fmt(100 * rd.upper, 1, lang))
    waiting = sum(result.not_yet_evaluable.values())
    evaluable = (
        "" if result.final else
        f"<p class='not-yet-evaluable'><strong>{esc(say('Interim analysis: {n} not yet evaluable', lang, n=waiting))}"
        f"</strong> "
        + esc(say("({visit} window still open at the cut-off; left out, not counted as non-responders): ", lang,
                  visit=visit))
        + ", ".join(f"{esc(labels.get(arm, arm))} {n}" for arm, n in result.not_yet_evaluable.items()) + ".</p>"
    )
    return (
        f'<p class="headline">{esc(headline)}</p>{evaluable}'
        f"<h3>{esc(say('Intention to treat (non-responder rule)', lang))}</h3>{binary_html(itt, labels, lang)}"
        f"<h3>{esc(say('Per-protocol sensitivity analysis', lang))}</h3>{binary_html(result.per_protocol, labels, lang)}"
        + notes_html(result.notes, lang)
    )


def secondary_html(result: SecondaryResult, labels: Mapping[str, str], lang: str = "en",
                   visit_labels: Mapping[str, str] | None = None) -> str:
    visit_name = (visit_labels or {}).get
    means = result.clasi_a_means
    visits = list(dict.fromkeys(m.visit for m in means))
    arms = list(dict.fromkeys(m.arm for m in means))
    head = "".join(f"<th scope='col'>{esc(labels.get(a, a))}</th>" for a in arms)
    body = ""
    for v in visits:
        cells = ""
        for a in arms:
            s = next(m.summary for m in means if m.arm == a and m.visit == v)
            cells += ("<td class='num'>" + esc(say("{value} ({lower} to {upper})", lang, value=fmt(s.mean, 1, lang),
                                                   lower=fmt(s.lower, 1, lang), upper=fmt(s.upper, 1, lang)))
                      + f"; n = {s.n}</td>")
        body += f"<tr><th scope='row'>{esc(visit_name(v, v))}</th>{cells}</tr>"
    out = (f"<h3>{esc(say('CLASI-A by visit (observed mean, 95% t CI)', lang))}</h3><table><thead><tr>"
           f"<th scope='col'>{esc(say('Visit', lang))}</th>{head}</tr></thead><tbody>{body}</tbody></table>")
    out += figure_html(mean_by_visit_figure(means, labels, lang=lang), say("Mean CLASI-A by visit and arm, 95% CI.", lang))
    mm = result.clasi_a_mmrm
    rows = "".join(
        f"<tr><th scope='row'>{esc(visit_name(e.visit, e.visit))}</th><td class='num'>"
        + esc(say("{value} ({lower} to {upper})", lang, value=fmt(e.estimate, 2, lang), lower=fmt(e.lower, 2, lang),
                  upper=fmt(e.upper, 2, lang)))
        + f"</td><td class='num'>{fmt_p(e.p_value, lang)}</td></tr>" for e in mm.effects
    )
    model = say(MODEL_NAMES.get(mm.method, mm.method), lang)
    out += (f"<h3>{esc(say('Change in CLASI-A, mixed model for repeated measures ({model})', lang, model=model))}</h3>"
            f"<table><thead><tr><th scope='col'>{esc(say('Visit', lang))}</th>"
            f"<th scope='col'>{esc(say('Arm effect, 95% CI', lang))}</th>"
            f"<th scope='col'>p</th></tr></thead><tbody>{rows}</tbody></table>"
            f"<p class='note'>{esc(say('{subjects} subjects, {observations} observations.', lang, subjects=mm.n_subjects, observations=mm.n_observations))}</p>"
            + notes_html(mm.notes, lang))
    tt = result.time_to_clasi50
    out += (f"<h3>{esc(say('Time to first CLASI-50', lang))}</h3><p>"
            + esc(say("Log-rank χ² = {statistic}, p = {p}.", lang, statistic=fmt(tt.logrank_statistic, 2, lang),
                      p=fmt_p(tt.logrank_p_value, lang))) + "</p>")
    out += figure_html(km_figure(tt, labels, lang=lang), say("Kaplan–Meier cumulative proportion reaching CLASI-50 by arm.", lang))
    out += notes_html(tt.notes, lang)
    rows = ""
    for ch in result.dlqi_change:
        rows += (f"<tr><th scope='row'>{esc(visit_name(ch.visit, ch.visit))}</th>"
                 f"<td class='num'>{fmt(ch.treatment.mean, 1, lang)} ({fmt(ch.treatment.sd, 1, lang)}); n = {ch.treatment.n}</td>"
                 f"<td class='num'>{fmt(ch.control.mean, 1, lang)} ({fmt(ch.control.sd, 1, lang)}); n = {ch.control.n}</td>"
                 "<td class='num'>" + esc(say("{value} ({lower} to {upper})", lang, value=fmt(ch.difference, 1, lang),
                                              lower=fmt(ch.lower, 1, lang), upper=fmt(ch.upper, 1, lang)))
                 + "</td></tr>")
    lt, lc = labels.get(result.treatment_arm, result.treatment_arm), labels.get(result.control_arm, result.control_arm)
    out += (f"<h3>{esc(say('DLQI change from baseline', lang))}</h3><table><thead><tr>"
            f"<th scope='col'>{esc(say('Visit', lang))}</th>"
            f"<th scope='col'>{esc(say('{arm}: mean (SD)', lang, arm=lt))}</th>"
            f"<th scope='col'>{esc(say('{arm}: mean (SD)', lang, arm=lc))}</th>"
            f"<th scope='col'>{esc(say('Difference, 95% CI (Welch)', lang))}</th></tr></thead><tbody>{rows}</tbody></table>")
    return out


def safety_html(table: SafetyTable, caption: str = "Adverse events (safety population)", lang: str = "en",
                special_interest_labels: Mapping[str, str] | None = None) -> str:
    groups = table.groups
    head = "".join(f"<th scope='col'>{esc(g.group)}<br><span class='n'>n = {g.n}</span></th>" for g in groups)

    def pct(k: int, n: int) -> str:
        if not n:
            return str(k)
        share = number(f"{100 * k / n:.1f}", lang)
        return f"{k} ({share}\u00a0%)" if french(lang) else f"{k} ({share}%)"

    def row(label: str, cells: Sequence[str]) -> str:
        return f"<tr><th scope='row'>{label}</th>" + "".join(f"<td class='num'>{c}</td>" for c in cells) + "</tr>"

    def said(text: str, **values: object) -> str:
        return esc(say(text, lang, **values))

    rows = [row(said("Subjects with ≥ 1 AE (events)"), [f"{pct(g.any_event.subjects, g.n)} [{g.any_event.events}]"
                                                        for g in groups])]
    rows.append(row(said("Subjects without AE"), [pct(g.no_event, g.n) for g in groups]))
    for grade in (1, 2, 3, 4, 5):
        rows.append(row("&nbsp;&nbsp;" + said("Worst grade {grade}", grade=grade),
                        [pct(g.worst_grade[grade], g.n) for g in groups]))
    rows.append(row(said("Subjects with grade ≥ 3 AE (events)"),
                    [f"{pct(g.grade3_or_more.subjects, g.n)} [{g.grade3_or_more.events}]" for g in groups]))
    rows.append(row(said("Subjects with serious AE (events)"),
                    [f"{pct(g.serious.subjects, g.n)} [{g.serious.events}]" for g in groups]))
    rows.append(row(said("Deaths"), [str(g.deaths) for g in groups]))
    rows.append(f"<tr class='group'><th scope='row' colspan='{len(groups) + 1}'>"
                f"{said('Events of special interest: subjects (events)')}</th></tr>")
    names = special_interest_labels or {}
    for cat in table.special_interest_categories:
        rows.append(row(f"&nbsp;&nbsp;{esc(names.get(cat, cat.replace('_', ' ')))}",
                        [f"{pct(g.special_interest[cat].subjects, g.n)} [{g.special_interest[cat].events}]"
                         for g in groups]))
    return (f"<table><caption>{said(caption)}</caption><thead><tr><th scope='col'></th>{head}</tr></thead>"
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
    lang: str = "en",
    visit_labels: Mapping[str, str] | None = None,
    special_interest_labels: Mapping[str, str] | None = None,
) -> StatisticianReport:
    """Run every analysis and assemble the page and its JSON twin (same numbers, one pass), the
    page in `lang` (English or French).

    An interim report (the default) leaves out the subjects not yet evaluable at the cut-off; the
    final report (`final=True`) applies the non-responder rule to everyone randomized."""
    roles = ArmRoles(treatment_arm=treatment_arm, control_arm=control_arm)
    primary = analyse_primary(dataset, **roles, final=final)
    secondary = analyse_secondary(dataset, **roles)
    w24 = analyse_primary(dataset, **roles, visit="W24", endpoint="clasi50_w24", final=final)
    safety = safety_by_arm(dataset, special_interest, arm_labels)
    t1 = table1_by_arm(dataset, arm_labels)
    counts = consort_counts(dataset, final=final)
    kind = say("final" if final else "interim", lang)
    body = (
        f"<h1>{esc(say('{trial}: {kind} statistical report', lang, trial=dataset.trial_id, kind=kind))}</h1>"
        "<p class='meta'>" + esc(say(
            "Data cut-off {cutoff} · generated {date} · {n} randomized · treatment {treatment}, control {control}",
            lang, cutoff=day(dataset.data_cutoff, lang), date=day(generated_on, lang), n=len(dataset.subjects),
            treatment=arm_labels.get(treatment_arm, treatment_arm), control=arm_labels.get(control_arm, control_arm)))
        + "</p>"
        f"<h2>{esc(say('Primary endpoint: CLASI-50 at week 16', lang))}</h2>"
        f"{primary_html(primary, arm_labels, lang, visit_labels)}"
        f"<h2>{esc(say('Secondary endpoints', lang))}</h2><h3>{esc(say('CLASI-50 at week 24 (ITT)', lang))}</h3>"
        f"{binary_html(w24.itt, arm_labels, lang)}"
        f"{secondary_html(secondary, arm_labels, lang, visit_labels)}"
        f"<h2 class='page-break'>{esc(say('Baseline characteristics', lang))}</h2>"
        f"{table1_html(t1, language=lang)}"
        f"<h2>{esc(say('Safety', lang))}</h2>"
        f"{safety_html(safety, lang=lang, special_interest_labels=special_interest_labels)}"
        f"<h2 class='page-break'>{esc(say('Participant flow (CONSORT 2025)', lang))}</h2>"
        + figure_html(consort_figure(counts, arm_labels, criterion_labels=criterion_labels, language=lang),
                      say("CONSORT flow diagram.", lang))
        + notes_html(counts["inconsistencies"], lang)
        + f"<h2>{esc(say('Recruitment', lang))}</h2>"
        + figure_html(recruitment_figure(dataset, plan_start=plan_start, plan_end=plan_end, target=target,
                                         language=lang),
                      say("Cumulative randomizations per site and overall; dashed line: linear plan to {target}.",
                          lang, target=target))
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
    return StatisticianReport(page(say("{trial} statistical report", lang, trial=dataset.trial_id), body, lang=lang),
                              data)
