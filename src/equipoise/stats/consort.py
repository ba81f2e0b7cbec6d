"""CONSORT 2025 participant flow: counts from the analysis dataset, and the diagram.

`consort_counts` is pure arithmetic over the screening log and the randomized subjects, so the
numbers in the diagram can be checked independently (and against the database by the lead).
Rules (every box adds up: assessed = excluded + still in screening + randomized):

- Assessed for eligibility = everyone in the screening log, plus any randomized subject missing
  from it (listed under `inconsistencies`).
- Excluded = left screening without randomization, split into: not meeting eligibility criteria
  (by criterion; a person failing several criteria counts under each, so the criterion lines may sum
  to more than the box), declined to participate, and other reasons (with the reasons recorded).
- Still in screening at the cut-off (shown apart, not excluded): screening incomplete, or eligible
  and awaiting randomization.
- Per arm: allocated; received / did not receive the allocated intervention; lost to follow-up;
  discontinued the study (withdrew consent, withdrawn by the investigator, death); stopped the
  study drug (by reason); analysed. At an interim cut-off the patients not yet evaluable for the
  primary endpoint (window still open, see `stats.primary`) are shown apart and not analysed;
  the final analysis counts everyone allocated (intention to treat).

The diagram speaks the page's language (English or French); arm labels come from the caller.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Mapping
from typing import Any

from matplotlib.patches import FancyArrowPatch, Rectangle

from equipoise.eligibility.verdict import Verdict
from equipoise.stats.analysis_dataset import AnalysisDataset
from equipoise.stats.figures import figure_bytes, house_style, new_figure
from equipoise.stats.primary import not_yet_evaluable

STOP_REASON_LABELS: dict[str, dict[str, str]] = {
    "lack_of_efficacy": {"en": "lack of efficacy", "fr": "inefficacité"},
    "toxicity": {"en": "toxicity", "fr": "toxicité"},
    "adverse_event": {"en": "adverse event", "fr": "événement indésirable"},
    "pregnancy": {"en": "pregnancy", "fr": "grossesse"},
    "withdrew_consent": {"en": "withdrew consent", "fr": "retrait du consentement"},
    "other": {"en": "other", "fr": "autre"},
}
DISCONTINUATION_LABELS: dict[str, dict[str, str]] = {
    "withdrew_consent": {"en": "withdrew consent", "fr": "retrait du consentement"},
    "investigator_decision": {"en": "withdrawn by the investigator", "fr": "sortie décidée par l'investigateur"},
    "death": {"en": "death", "fr": "décès"},
    "not_stated": {"en": "reason not recorded", "fr": "motif non renseigné"},
}
DISCONTINUATIONS = ("withdrew_consent", "investigator_decision", "death")

WORDS: dict[str, dict[str, str]] = {
    "title": {"en": "CONSORT 2025 flow diagram", "fr": "Diagramme de flux CONSORT 2025"},
    "enrollment": {"en": "Enrollment", "fr": "Inclusion"},
    "allocation": {"en": "Allocation", "fr": "Répartition"},
    "follow_up": {"en": "Follow-up", "fr": "Suivi"},
    "analysis": {"en": "Analysis", "fr": "Analyse"},
    "assessed": {"en": "Assessed for eligibility", "fr": "Éligibilité évaluée"},
    "excluded": {"en": "Excluded", "fr": "Exclus"},
    "not_meeting": {"en": "Not meeting eligibility criteria", "fr": "Critères d'éligibilité non remplis"},
    "each": {"en": "(a person failing several criteria counts under each)",
             "fr": "(une personne qui échoue à plusieurs critères compte pour chacun)"},
    "declined": {"en": "Declined to participate", "fr": "Refus de participer"},
    "other": {"en": "Other reasons", "fr": "Autres raisons"},
    "in_screening": {"en": "Still in screening at the cut-off", "fr": "Encore en sélection à la date de gel"},
    "incomplete": {"en": "screening not complete", "fr": "sélection non terminée"},
    "awaiting": {"en": "eligible, awaiting randomization", "fr": "éligibles, en attente de randomisation"},
    "randomized": {"en": "Randomized", "fr": "Randomisés"},
    "allocated": {"en": "Allocated to", "fr": "Attribués au bras"},
    "received": {"en": "Received allocated intervention", "fr": "Ont reçu le traitement attribué"},
    "not_received": {"en": "Did not receive allocated intervention", "fr": "N'ont pas reçu le traitement attribué"},
    "lost": {"en": "Lost to follow-up", "fr": "Perdus de vue"},
    "discontinued": {"en": "Discontinued the study", "fr": "Sortis de l'étude"},
    "stopped": {"en": "Stopped study drug", "fr": "Arrêt du traitement de l'étude"},
    "analysed": {"en": "Analysed, intention to treat", "fr": "Analysés en intention de traiter"},
    "not_yet": {"en": "Not yet evaluable at the cut-off (window still open)",
                "fr": "Pas encore évaluables à la date de gel (fenêtre encore ouverte)"},
    "excluded_itt": {"en": "Excluded from analysis", "fr": "Exclus de l'analyse"},
    "per_protocol": {"en": "Per-protocol set", "fr": "Population per protocole"},
    "not_stated": {"en": "reason not recorded", "fr": "motif non renseigné"},
    "pooled_title": {"en": "CONSORT 2025 flow diagram (arms pooled)",
                     "fr": "Diagramme de flux CONSORT 2025 (bras regroupés)"},
    "pooled_arm": {"en": "study treatment (arms pooled)", "fr": "traitement de l'étude (bras regroupés)"},
}


def _lang(language: str) -> str:
    return "fr" if language.startswith("fr") else "en"


def consort_counts(dataset: AnalysisDataset, *, visit: str = "W16", final: bool = False) -> dict[str, Any]:
    """Every number of the CONSORT flow diagram, as a JSON-ready dict (see module doc)."""
    randomized_ids = {s.subject_id for s in dataset.subjects}
    logged = {e.subject_id: e for e in dataset.screening}
    inconsistencies = []
    for s in dataset.subjects:
        entry = logged.get(s.subject_id)
        if entry is None:
            inconsistencies.append(f"{s.subject_id}: randomized but absent from the screening log")
        elif entry.verdict != Verdict.ELIGIBLE:
            inconsistencies.append(f"{s.subject_id}: randomized but screened as {entry.verdict}")
    not_randomized = [e for e in dataset.screening if e.subject_id not in randomized_ids]
    not_meeting = [e for e in not_randomized if e.verdict == Verdict.NOT_ELIGIBLE]
    declined = [e for e in not_randomized if e.verdict != Verdict.NOT_ELIGIBLE and e.left == "declined"]
    other = [e for e in not_randomized if e.verdict != Verdict.NOT_ELIGIBLE and e.left is not None and e.left != "declined"]
    in_screening = [e for e in not_randomized if e.verdict != Verdict.NOT_ELIGIBLE and e.left is None]
    by_criterion = Counter(c for e in not_meeting for c in set(e.failed_criteria))
    arms: dict[str, Any] = {}
    for arm, subjects in dataset.by_arm().items():
        stopped = [s for s in subjects if s.stopped_drug_reason is not None]
        lost = [s for s in subjects if s.lost_to_follow_up]
        discontinued = [s for s in subjects if s.discontinued and not s.lost_to_follow_up]
        waiting = [] if final else [s for s in subjects if not_yet_evaluable(
            s, visit=visit, cutoff=dataset.data_cutoff, window_closes=dataset.window_closes)]
        arms[arm] = {
            "allocated": len(subjects),
            "received": sum(1 for s in subjects if s.received_allocated),
            "not_received": sum(1 for s in subjects if not s.received_allocated),
            "stopped_drug": len(stopped),
            "stopped_drug_reasons": dict(sorted(Counter(s.stopped_drug_reason for s in stopped).items())),
            "discontinued": len(discontinued),
            "discontinued_reasons": dict(sorted(Counter(
                s.end_outcome if s.end_outcome in DISCONTINUATIONS else "not_stated" for s in discontinued).items())),
            "lost_to_follow_up": len(lost),
            "not_yet_evaluable": len(waiting),
            "analysed_itt": len(subjects) - len(waiting),
            "excluded_from_itt": 0,
            "per_protocol": sum(1 for s in subjects if s.per_protocol and s not in waiting),
        }
    return {
        "assessed": len(set(logged) | randomized_ids),
        "excluded": {
            "total": len(not_meeting) + len(declined) + len(other),
            "not_meeting_criteria": len(not_meeting),
            "by_criterion": dict(sorted(by_criterion.items(), key=lambda kv: (not kv[0].startswith("IN"), kv[0]))),
            "declined": len(declined),
            "other": len(other),
            "other_reasons": dict(sorted(Counter(e.note or "not_stated" for e in other).items())),
        },
        "in_screening": {
            "total": len(in_screening),
            "incomplete": sum(1 for e in in_screening if e.verdict == Verdict.INCOMPLETE),
            "awaiting_randomization": sum(1 for e in in_screening if e.verdict == Verdict.ELIGIBLE),
        },
        "randomized": len(dataset.subjects),
        "arms": arms,
        "final": final,
        "inconsistencies": inconsistencies,
    }


def _add(a: Any, b: Any) -> Any:
    if isinstance(a, dict):
        return {k: _add(a.get(k, 0), b.get(k, 0)) for k in sorted(set(a) | set(b))}
    return a + b


def pooled_counts(counts: Mapping[str, Any], label: str = "all") -> dict[str, Any]:
    """The same counts with the arms summed into one column: for readers who must stay blind."""
    total: dict[str, Any] = {}
    for arm_counts in counts["arms"].values():
        total = _add(total, arm_counts) if total else dict(arm_counts)
    return {**counts, "arms": {label: total}}


# ---- rendering -------------------------------------------------------------------------------

_PAGE_W, _PAGE_H = 8.27, 11.69  # A4 portrait, inches; axes use inches as data units
_LINE = 0.16
_PAD = 0.10
_FONT = 8


def _box(ax, x_centre: float, y_top: float, width: float, lines: list[str], *, bold_first: bool = True,
         fill: str = "white") -> tuple[float, float]:
    """Draw a box whose height fits its wrapped lines; return (top, bottom) y."""
    chars = max(20, int(width * 72 / (_FONT * 0.56)))
    wrapped: list[tuple[str, bool]] = []
    for i, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        for j, part in enumerate(textwrap.wrap(line.strip(), chars - indent) or [""]):
            wrapped.append((" " * (indent + (2 if j else 0)) + part, bold_first and i == 0))
    height = 2 * _PAD + _LINE * len(wrapped)
    ax.add_patch(Rectangle((x_centre - width / 2, y_top - height), width, height, facecolor=fill,
                           edgecolor="#333333", linewidth=0.8))
    for k, (text, bold) in enumerate(wrapped):
        ax.text(x_centre - width / 2 + _PAD, y_top - _PAD - _LINE * (k + 0.5), text, fontsize=_FONT,
                va="center", ha="left", fontweight="bold" if bold else "normal", family="DejaVu Sans")
    return y_top, y_top - height


def _arrow(ax, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=9, linewidth=0.8, color="#333333",
                                 shrinkA=0, shrinkB=0))


def _stage(ax, y: float, label: str) -> None:
    ax.add_patch(Rectangle((0.25, y - 0.22), _PAGE_W - 0.5, 0.22, facecolor="#dbe9f6", edgecolor="none"))
    ax.text(_PAGE_W / 2, y - 0.11, label, ha="center", va="center", fontsize=_FONT + 1, fontweight="bold")


def consort_figure(
    counts: Mapping[str, Any],
    arm_labels: Mapping[str, str] | None = None,
    *,
    criterion_labels: Mapping[str, str] | None = None,
    fmt: str = "svg",
    title: str | None = None,
    language: str = "en",
) -> bytes:
    """Draw the flow diagram (A4 portrait) for one or more arm columns, as SVG or PNG bytes, in
    `language` (en or fr); `arm_labels` and `criterion_labels` should be in the same language."""
    lang = _lang(language)
    w = {k: v[lang] for k, v in WORDS.items()}
    arms = list(counts["arms"])
    labels = dict(arm_labels or {})
    ex = counts["excluded"]
    screening = counts["in_screening"]
    with house_style():
        fig = new_figure(_PAGE_W, _PAGE_H, constrained=False)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, _PAGE_W)
        ax.set_ylim(0, _PAGE_H)
        ax.axis("off")
        ax.text(_PAGE_W / 2, _PAGE_H - 0.35, title or w["title"], ha="center", va="center", fontsize=_FONT + 4,
                fontweight="bold")
        y = _PAGE_H - 0.65
        _stage(ax, y, w["enrollment"])
        y -= 0.4
        main_x = 2.3
        _, bottom = _box(ax, main_x, y, 2.8, [f"{w['assessed']} (n={counts['assessed']})"])
        excluded_lines = [
            f"{w['excluded']} (n={ex['total']})",
            f"  {w['not_meeting']} (n={ex['not_meeting_criteria']})",
        ]
        excluded_lines += [
            f"    {(criterion_labels or {}).get(c, c)}: {k}" for c, k in ex["by_criterion"].items()
        ]
        if ex["by_criterion"]:
            excluded_lines.append(f"    {w['each']}")
        excluded_lines += [f"  {w['declined']} (n={ex['declined']})", f"  {w['other']} (n={ex['other']})"]
        excluded_lines += [f"    {w['not_stated'] if k == 'not_stated' else k}: {v}"
                           for k, v in ex.get("other_reasons", {}).items()]
        ex_top = bottom - 0.25
        ex_x = 5.9
        _, ex_bottom = _box(ax, ex_x, ex_top, 4.2, excluded_lines)
        screening_lines = [f"{w['in_screening']} (n={screening['total']})",
                           f"  {w['incomplete']}: {screening['incomplete']}",
                           f"  {w['awaiting']}: {screening['awaiting_randomization']}"]
        sc_top = ex_bottom - 0.15
        _, sc_bottom = _box(ax, ex_x, sc_top, 4.2, screening_lines, fill="#f4f4f4")
        rand_top = min(sc_bottom - 0.25, bottom - 0.9)
        _arrow(ax, (main_x, bottom), (main_x, rand_top))
        for top, low in ((ex_top, ex_bottom), (sc_top, sc_bottom)):
            mid = (top + low) / 2
            ax.plot([main_x, ex_x - 2.12], [mid, mid], color="#333333", linewidth=0.8)
            _arrow(ax, (ex_x - 2.2, mid), (ex_x - 2.1, mid))
        _, rand_bottom = _box(ax, main_x, rand_top, 2.8, [f"{w['randomized']} (n={counts['randomized']})"])
        y = rand_bottom - 0.25
        _stage(ax, y, w["allocation"])
        y -= 0.45
        ncol = len(arms)
        col_w = min(3.7, (_PAGE_W - 0.6) / ncol - 0.2)
        xs = [(_PAGE_W / ncol) * (i + 0.5) for i in range(ncol)]
        branch_y = y + 0.2
        ax.plot([main_x, main_x], [rand_bottom, branch_y], color="#333333", linewidth=0.8)
        if ncol > 1:
            ax.plot([xs[0], xs[-1]], [branch_y, branch_y], color="#333333", linewidth=0.8)
        bottoms = []
        for x, arm in zip(xs, arms, strict=True):
            a = counts["arms"][arm]
            _arrow(ax, (x, branch_y), (x, y))
            _, b = _box(ax, x, y, col_w, [
                f"{w['allocated']} {labels.get(arm, arm)} (n={a['allocated']})",
                f"  {w['received']} (n={a['received']})",
                f"  {w['not_received']} (n={a['not_received']})",
            ])
            bottoms.append(b)
        y = min(bottoms) - 0.25
        _stage(ax, y, w["follow_up"])
        y -= 0.45
        previous = bottoms
        bottoms = []
        for i, (x, arm) in enumerate(zip(xs, arms, strict=True)):
            a = counts["arms"][arm]
            _arrow(ax, (x, previous[i]), (x, y))
            lines = [f"{w['lost']} (n={a['lost_to_follow_up']})",
                     f"{w['discontinued']} (n={a['discontinued']})"]
            lines += [f"    {DISCONTINUATION_LABELS.get(k, {}).get(lang, k)}: {v}"
                      for k, v in a["discontinued_reasons"].items()]
            lines.append(f"{w['stopped']} (n={a['stopped_drug']})")
            lines += [f"    {STOP_REASON_LABELS.get(k, {}).get(lang, k)}: {v}"
                      for k, v in a["stopped_drug_reasons"].items()]
            _, b = _box(ax, x, y, col_w, lines, bold_first=False)
            bottoms.append(b)
        y = min(bottoms) - 0.25
        _stage(ax, y, w["analysis"])
        y -= 0.45
        previous = bottoms
        for i, (x, arm) in enumerate(zip(xs, arms, strict=True)):
            a = counts["arms"][arm]
            _arrow(ax, (x, previous[i]), (x, y))
            lines = [f"{w['analysed']} (n={a['analysed_itt']})"]
            if not counts.get("final", True):
                lines.append(f"  {w['not_yet']} (n={a['not_yet_evaluable']})")
            lines += [f"  {w['excluded_itt']} (n={a['excluded_from_itt']})",
                      f"  {w['per_protocol']} (n={a['per_protocol']})"]
            _box(ax, x, y, col_w, lines)
        return figure_bytes(fig, fmt)
