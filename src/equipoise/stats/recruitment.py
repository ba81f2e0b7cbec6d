"""Recruitment: cumulative randomizations per site and overall, against a linear plan.

The plan is a straight line from 0 at `plan_start` to `target` (the protocol's total enrolment,
122 for this trial) at `plan_end`; both dates are passed in, so an amended recruitment period
needs no code change. Arm is never used here: the figure is safe for blinded readers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, num2date
from matplotlib.ticker import FuncFormatter

from equipoise.stats.analysis_dataset import AnalysisDataset, DatasetError
from equipoise.stats.figures import figure_bytes, house_style, new_figure, series_colour
from equipoise.stats.report_words import day as day_in_words


@dataclass(frozen=True)
class CumulativeSeries:
    """Step series: after each date in `dates`, `counts` subjects randomized in total."""

    label: str
    dates: list[date]
    counts: list[int]


def cumulative_series(dates: Sequence[date], label: str) -> CumulativeSeries:
    per_day = Counter(dates)
    days = sorted(per_day)
    running, counts = 0, []
    for day in days:
        running += per_day[day]
        counts.append(running)
    return CumulativeSeries(label, days, counts)


def recruitment_series(dataset: AnalysisDataset) -> list[CumulativeSeries]:
    """Overall series first, then one per site in alphabetical order."""
    overall = cumulative_series([s.randomized_on for s in dataset.subjects], "All sites")
    sites = sorted({s.site for s in dataset.subjects})
    return [overall] + [
        cumulative_series([s.randomized_on for s in dataset.subjects if s.site == site], site) for site in sites
    ]


def planned_count(on: date, plan_start: date, plan_end: date, target: int) -> float:
    """Linear plan: expected cumulative randomizations on a given day."""
    if plan_end <= plan_start:
        raise DatasetError("plan_end", plan_end.isoformat(), f"must be after plan_start {plan_start.isoformat()}")
    fraction = (on - plan_start).days / (plan_end - plan_start).days
    return target * min(1.0, max(0.0, fraction))


MONTHS_FR_SHORT = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
                   "déc.")


def french_month(value: float, _position: int | None = None) -> str:
    """A date tick in French: the year in January, else the month's abbreviation ("sept.")."""
    moment = num2date(value)
    if moment.month == 1 and moment.day == 1:
        return str(moment.year)
    return MONTHS_FR_SHORT[moment.month - 1]


def recruitment_figure(
    dataset: AnalysisDataset,
    *,
    plan_start: date,
    plan_end: date,
    target: int,
    fmt: str = "svg",
    by_site: bool = True,
    language: str = "en",
) -> bytes:
    """Cumulative recruitment (overall and per site) with the linear plan, as SVG or PNG, in English
    or French (`language`)."""
    french = language.startswith("fr")
    if target < 1:
        raise DatasetError("target", target, "must be at least 1")
    planned_count(plan_start, plan_start, plan_end, target)  # validates the dates
    series = recruitment_series(dataset)
    with house_style():
        fig = new_figure(7.0, 3.8)
        ax = fig.subplots()
        # Dates go to matplotlib through its units framework (AutoDateLocator below); its type
        # stubs only know numbers, hence the three ignores.
        ax.plot([plan_start, plan_end], [0, target], linestyle="--", color="#777777",  # type: ignore[arg-type]
                label=(f"Plan ({target} au {day_in_words(plan_end, 'fr')})" if french
                       else f"Plan ({target} by {plan_end.isoformat()})"))
        for i, s in enumerate(series if by_site else series[:1]):
            if not s.dates:
                continue
            xs = [plan_start if plan_start < s.dates[0] else s.dates[0]] + s.dates + [dataset.data_cutoff]
            ys = [0] + s.counts + [s.counts[-1]]
            ax.step(xs, ys, where="post", color="#000000" if i == 0 else series_colour(i - 1),  # type: ignore[arg-type]
                    linewidth=2.0 if i == 0 else 1.0,
                    label=f"{'Tous les centres' if french and i == 0 else s.label} ({s.counts[-1]})")
        ax.axvline(dataset.data_cutoff, color="#bbbbbb", linewidth=0.8)  # type: ignore[arg-type]
        locator = AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(FuncFormatter(french_month) if french else ConciseDateFormatter(locator))
        ax.set_ylabel("Patients randomisés (cumul)" if french else "Subjects randomized (cumulative)")
        ax.legend(frameon=False, fontsize=7, loc="upper left")
        return figure_bytes(fig, fmt)
