"""CONSORT 2025 participant flow: counts from the analysis dataset, and the diagram.

`consort_counts` is pure arithmetic over the screening log and the randomized subjects, so the
numbers in the diagram can be checked independently (and against the database by the lead).
Rules:

- Assessed for eligibility = everyone in the screening log, plus any randomized subject missing
  from it (listed under `inconsistencies`, so the boxes still add up: assessed = excluded +
  randomized).
- Excluded = assessed and not randomized, split into: not meeting criteria (by criterion; a
  person failing several criteria counts under each, so the criterion lines may sum to more than
  the box), not eligible yet / incomplete screening, and declined or other reasons (eligible but
  not randomized).
- Per arm: allocated; received / did not receive the allocated intervention; stopped the study
  drug (by reason); withdrew from the study (by reason); lost to follow-up; analysed. The primary
  analysis is intention to treat with the non-responder rule, so everyone allocated is analysed.
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

STOP_REASON_LABELS: dict[str, str] = {
    "lack_of_efficacy": "lack of efficacy",
    "toxicity": "toxicity",
    "adverse_event": "adverse event",
    "pregnancy": "pregnancy",
    "withdrew_consent": "withdrew consent",
    "other": "other",
}


def consort_counts(dataset: AnalysisDataset) -> dict[str, Any]:
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
    excluded = [e for e in dataset.screening if e.subject_id not in randomized_ids]
    not_meeting = [e for e in excluded if e.verdict == Verdict.NOT_ELIGIBLE]
    incomplete = [e for e in excluded if e.verdict == Verdict.INCOMPLETE]
    declined = [e for e in excluded if e.verdict == Verdict.ELIGIBLE]
    by_criterion = Counter(c for e in not_meeting for c in set(e.failed_criteria))
    arms: dict[str, Any] = {}
    for arm, subjects in dataset.by_arm().items():
        stopped = [s for s in subjects if s.stopped_drug_reason is not None]
        withdrew = [s for s in subjects if s.discontinued and not s.lost_to_follow_up]
        arms[arm] = {
            "allocated": len(subjects),
            "received": sum(1 for s in subjects if s.received_allocated),
            "not_received": sum(1 for s in subjects if not s.received_allocated),
            "stopped_drug": len(stopped),
            "stopped_drug_reasons": dict(sorted(Counter(s.stopped_drug_reason for s in stopped).items())),
            "withdrew": len(withdrew),
            "withdrew_reasons": dict(sorted(Counter(s.discontinued_reason or "not stated" for s in withdrew).items())),
            "lost_to_follow_up": sum(1 for s in subjects if s.lost_to_follow_up),
            "analysed_itt": len(subjects),
            "excluded_from_itt": 0,
            "per_protocol": sum(1 for s in subjects if s.per_protocol),
        }
    return {
        "assessed": len(set(logged) | randomized_ids),
        "excluded": {
            "total": len(excluded),
            "not_meeting_criteria": len(not_meeting),
            "by_criterion": dict(sorted(by_criterion.items(), key=lambda kv: (not kv[0].startswith("IN"), kv[0]))),
            "incomplete": len(incomplete),
            "declined_or_other": len(declined),
            "declined_reasons": dict(sorted(Counter(e.note or "not stated" for e in declined).items())),
        },
        "randomized": len(dataset.subjects),
        "arms": arms,
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


def _lines_for_reasons(reasons: Mapping[str, int], names: Mapping[str, str] | None = None) -> list[str]:
    return [f"    {(names or {}).get(k, k)}: {v}" for k, v in reasons.items()]


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
    title: str = "CONSORT 2025 flow diagram",
) -> bytes:
    """Draw the flow diagram (A4 portrait) for one or more arm columns, as SVG or PNG bytes."""
    arms = list(counts["arms"])
    labels = dict(arm_labels or {})
    ex = counts["excluded"]
    with house_style():
        fig = new_figure(_PAGE_W, _PAGE_H, constrained=False)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, _PAGE_W)
        ax.set_ylim(0, _PAGE_H)
        ax.axis("off")
        ax.text(_PAGE_W / 2, _PAGE_H - 0.35, title, ha="center", va="center", fontsize=_FONT + 4, fontweight="bold")
        y = _PAGE_H - 0.65
        _stage(ax, y, "Enrollment")
        y -= 0.4
        main_x = 2.3
        _, bottom = _box(ax, main_x, y, 2.8, [f"Assessed for eligibility (n={counts['assessed']})"])
        excluded_lines = [
            f"Excluded (n={ex['total']})",
            f"  Not meeting eligibility criteria (n={ex['not_meeting_criteria']})",
        ]
        excluded_lines += [
            f"    {(criterion_labels or {}).get(c, c)}: {k}" for c, k in ex["by_criterion"].items()
        ]
        if ex["by_criterion"]:
            excluded_lines.append("    (a person failing several criteria counts under each)")
        excluded_lines += [
            f"  Not eligible yet / screening incomplete (n={ex['incomplete']})",
            f"  Declined or other reasons (n={ex['declined_or_other']})",
        ]
        excluded_lines += _lines_for_reasons(ex.get("declined_reasons", {}))
        ex_top = bottom - 0.25
        ex_x = 5.9
        _, ex_bottom = _box(ax, ex_x, ex_top, 4.2, excluded_lines)
        rand_top = min(ex_bottom - 0.25, bottom - 0.9)
        _arrow(ax, (main_x, bottom), (main_x, rand_top))
        mid = (ex_top + ex_bottom) / 2
        ax.plot([main_x, ex_x - 2.12], [mid, mid], color="#333333", linewidth=0.8)
        _arrow(ax, (ex_x - 2.2, mid), (ex_x - 2.1, mid))
        _, rand_bottom = _box(ax, main_x, rand_top, 2.8, [f"Randomized (n={counts['randomized']})"])
        y = rand_bottom - 0.25
        _stage(ax, y, "Allocation")
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
                f"Allocated to {labels.get(arm, arm)} (n={a['allocated']})",
                f"  Received allocated intervention (n={a['received']})",
                f"  Did not receive allocated intervention (n={a['not_received']})",
            ])
            bottoms.append(b)
        y = min(bottoms) - 0.25
        _stage(ax, y, "Follow-up")
        y -= 0.45
        previous = bottoms
        bottoms = []
        for i, (x, arm) in enumerate(zip(xs, arms, strict=True)):
            a = counts["arms"][arm]
            _arrow(ax, (x, previous[i]), (x, y))
            lines = [f"Lost to follow-up (n={a['lost_to_follow_up']})",
                     f"Stopped study drug (n={a['stopped_drug']})"]
            lines += _lines_for_reasons(a["stopped_drug_reasons"], STOP_REASON_LABELS)
            lines.append(f"Withdrew from the study (n={a['withdrew']})")
            lines += _lines_for_reasons(a["withdrew_reasons"])
            _, b = _box(ax, x, y, col_w, lines, bold_first=False)
            bottoms.append(b)
        y = min(bottoms) - 0.25
        _stage(ax, y, "Analysis")
        y -= 0.45
        previous = bottoms
        for i, (x, arm) in enumerate(zip(xs, arms, strict=True)):
            a = counts["arms"][arm]
            _arrow(ax, (x, previous[i]), (x, y))
            _box(ax, x, y, col_w, [
                f"Analysed, intention to treat (n={a['analysed_itt']})",
                f"  Excluded from analysis (n={a['excluded_from_itt']})",
                f"  Per-protocol set (n={a['per_protocol']})",
            ])
        return figure_bytes(fig, fmt)
