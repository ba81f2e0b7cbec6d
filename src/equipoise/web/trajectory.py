"""One subject's CLASI-A and CLASI-D across visits, drawn as an SVG figure with matplotlib (Agg).

Pure: plain points in, SVG text out. The figure shows the baseline CLASI-A (the W0 value every
response is measured against), the level CLASI-A must reach for a CLASI-50 response (a fall of at
least half of baseline, `responses.CLASI50_FALL`), and a vertical mark at the primary endpoint
visit (W16), so whoever opens the subject page sees at a glance where the patient stands.

Visits are placed by study day (days from randomization): the day the visit was done when known,
else its target date, else the protocol's target day (`visit_study_day`).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import matplotlib

matplotlib.use("Agg")

from matplotlib import rc_context  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from equipoise.instruments.clasi import ACTIVITY_MAX  # noqa: E402
from equipoise.instruments.responses import CLASI50_FALL  # noqa: E402

ACTIVITY_COLOUR = "#b3267a"
DAMAGE_COLOUR = "#4a5a78"
GUIDE_COLOUR = "#6b7280"
RESPONSE_COLOUR = "#1e7a3c"

WORDS: dict[str, dict[str, str]] = {
    "title": {"en": "CLASI across visits", "fr": "CLASI au fil des visites"},
    "x": {"en": "Study day (0 = randomization)", "fr": "Jour d'étude (0 = randomisation)"},
    "y": {"en": "Score", "fr": "Score"},
    "activity": {"en": "CLASI-A (activity)", "fr": "CLASI-A (activité)"},
    "damage": {"en": "CLASI-D (damage)", "fr": "CLASI-D (séquelles)"},
    "baseline": {"en": "Baseline CLASI-A", "fr": "CLASI-A initial"},
    "response": {"en": "CLASI-50 threshold", "fr": "Seuil CLASI-50"},
    "empty": {"en": "No CLASI recorded yet", "fr": "Aucun CLASI saisi pour l'instant"},
}


@dataclass(frozen=True)
class TrajectoryPoint:
    """One CLASI assessment: the visit, its study day and the two totals (None if not scorable)."""

    visit_id: str
    study_day: int
    clasi_a: int | None
    clasi_d: int | None


def assessment_study_day(
    *, assessed: dt.date | None, done: dt.date | None, randomized_on: dt.date | None,
) -> int | None:
    """Days from randomization to the day an assessment was made: its own date, else the day its
    visit was recorded as done.

    None when neither is known or there is no randomization date: a visit's nominal day would
    place the assessment on a day it was not made.
    """
    if randomized_on is None:
        return None
    for day in (assessed, done):
        if day is not None:
            return (day - randomized_on).days
    return None


def response_level(baseline: int, fall: Fraction = CLASI50_FALL) -> float:
    """The CLASI-A at or below which the fall from `baseline` reaches `fall` (50% for CLASI-50)."""
    return float(baseline * (1 - fall))


def _lang(language: str) -> str:
    return "fr" if language.startswith("fr") else "en"


def trajectory_svg(
    points: Sequence[TrajectoryPoint], *, baseline_a: int | None, primary_day: int,
    primary_label: str, language: str = "fr", fall: Fraction = CLASI50_FALL,
) -> str:
    """Draw CLASI-A and CLASI-D against study day, with baseline, response level and primary mark.

    `baseline_a` is the W0 CLASI-A (None before it is recorded: no baseline or response line then).
    `primary_day` and `primary_label` place the primary endpoint mark (W16 at day 112 here; both
    come from the protocol's schedule). Elements carry SVG ids (`clasi-a`, `clasi-d`, `baseline`,
    `response-line`, `primary-mark`) so that pages and tests can find them. Output is deterministic.
    """
    lang = _lang(language)
    ordered = sorted(points, key=lambda p: (p.study_day, p.visit_id))
    with rc_context({"svg.hashsalt": "equipoise-clasi", "svg.fonttype": "none",
                     "font.family": "sans-serif", "font.size": 10}):
        fig = Figure(figsize=(7.2, 4.0))
        ax = fig.add_subplot()
        days = [p.study_day for p in ordered]
        low = min([0, *days]) - 7
        high = max([primary_day, *days]) + 7
        top = max([10, *(p.clasi_a or 0 for p in ordered), *(p.clasi_d or 0 for p in ordered),
                   baseline_a or 0])
        ax.set_xlim(low, high)
        ax.set_ylim(0, min(ACTIVITY_MAX, top) * 1.15 + 1)
        mark = ax.axvline(primary_day, color=GUIDE_COLOUR, linestyle=":", linewidth=1.2)
        mark.set_gid("primary-mark")
        ax.annotate(primary_label, (primary_day, 1), xycoords=("data", "axes fraction"),
                    xytext=(-4, -12), textcoords="offset points", ha="right", color=GUIDE_COLOUR,
                    gid="primary-label")
        if baseline_a is not None:
            base = ax.axhline(baseline_a, color=GUIDE_COLOUR, linestyle="--", linewidth=1,
                              label=f"{WORDS['baseline'][lang]} = {baseline_a}")
            base.set_gid("baseline")
            if baseline_a > 0:
                level = response_level(baseline_a, fall)
                response = ax.axhline(level, color=RESPONSE_COLOUR, linestyle="-.", linewidth=1,
                                      label=f"{WORDS['response'][lang]} ≤ {level:g}")
                response.set_gid("response-line")
        for key, gid, colour, marker, nudge in (("clasi_a", "clasi-a", ACTIVITY_COLOUR, "o", 6),
                                                ("clasi_d", "clasi-d", DAMAGE_COLOUR, "s", -13)):
            shown = [p for p in ordered if getattr(p, key) is not None]
            if not shown:
                continue
            word = WORDS["activity" if key == "clasi_a" else "damage"][lang]
            (line,) = ax.plot([p.study_day for p in shown], [getattr(p, key) for p in shown],
                              color=colour, marker=marker, linewidth=2, label=word)
            line.set_gid(gid)
            for p in shown:
                ax.annotate(str(getattr(p, key)), (p.study_day, getattr(p, key)),
                            xytext=(0, nudge), textcoords="offset points", ha="center",
                            color=colour, fontsize=8)
        if ordered:
            ax.set_xticks(days, [f"{p.visit_id}\n{p.study_day}" for p in ordered], fontsize=8)
        else:
            ax.text(0.5, 0.5, WORDS["empty"][lang], transform=ax.transAxes, ha="center",
                    color=GUIDE_COLOUR, gid="empty-note")
        ax.set_xlabel(WORDS["x"][lang])
        ax.set_ylabel(WORDS["y"][lang])
        ax.set_title(WORDS["title"][lang])
        ax.grid(axis="y", color="#e5e7eb")
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout(rect=(0, 0.1, 1, 1))
        if ax.get_legend_handles_labels()[0]:
            fig.legend(loc="lower center", ncol=4, fontsize=8, frameon=False)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "Equipoise"})
    return buffer.getvalue()


__all__ = ["TrajectoryPoint", "assessment_study_day", "response_level", "trajectory_svg"]
