"""Table 1: baseline characteristics by arm (and overall), without p-values.

CONSORT advises against significance tests of baseline differences in a randomized trial (any
difference is by definition chance), so the table only describes: n, mean (SD) or median (IQR)
for continuous variables, n (%) for categories, and the number missing when any is.
The same structure feeds the statistician's HTML page and the DSMB report (pooled or coded).
"""

from __future__ import annotations

import html
import re
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from equipoise.stats.analysis_dataset import AnalysisDataset, SubjectRecord, json_ready


@dataclass(frozen=True)
class Variable:
    """One Table 1 variable: how to read it from a subject and how to summarise it."""

    key: str
    label: str
    kind: str  # "mean_sd" | "median_iqr" | "categorical"
    read: Callable[[SubjectRecord], Any]
    levels: tuple[tuple[Any, str], ...] = ()


VARIABLES: tuple[Variable, ...] = (
    Variable("age_years", "Age, years", "mean_sd", lambda s: s.baseline.age_years),
    Variable("sex", "Sex", "categorical", lambda s: s.baseline.sex, (("female", "Female"), ("male", "Male"))),
    Variable("sle_associated", "Associated SLE", "categorical", lambda s: s.baseline.sle_associated,
             ((True, "Yes"), (False, "No"))),
    Variable("clasi_a", "CLASI-A", "mean_sd", lambda s: s.baseline.clasi_a),
    Variable("clasi_d", "CLASI-D", "median_iqr", lambda s: s.baseline.clasi_d),
    Variable("dlqi_total", "DLQI", "median_iqr", lambda s: s.baseline.dlqi_total),
    Variable("prednisone_mg_day", "Oral prednisone equivalent, mg/day", "median_iqr",
             lambda s: s.baseline.prednisone_mg_day),
    Variable("antimalarial_stable_months", "Antimalarials at stable dose, months", "median_iqr",
             lambda s: s.baseline.antimalarial_stable_months),
)


@dataclass(frozen=True)
class Cell:
    """One summary: `text` for display, the numbers for JSON and tests."""

    text: str
    n: int
    missing: int
    values: dict[str, float | None]


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    kind: str
    level: str | None
    cells: dict[str, Cell]


@dataclass(frozen=True)
class Table1:
    columns: list[tuple[str, str, int]]  # (column key, header label, n)
    rows: list[Row]

    def to_dict(self) -> dict[str, Any]:
        return json_ready(asdict(self))


def _continuous(values: Sequence[float], kind: str, missing: int) -> Cell:
    n = len(values)
    suffix = f"; missing {missing}" if missing else ""
    if not n:
        return Cell(f"—{suffix}", 0, missing, {})
    if kind == "mean_sd":
        mean = statistics.fmean(values)
        sd = statistics.stdev(values) if n > 1 else None
        text = f"{mean:.1f} ({sd:.1f})" if sd is not None else f"{mean:.1f}"
        return Cell(text + suffix, n, missing, {"mean": mean, "sd": sd})
    q1, median, q3 = (float(v) for v in np.percentile(values, [25, 50, 75]))
    return Cell(f"{median:.1f} ({q1:.1f}–{q3:.1f}){suffix}", n, missing, {"median": median, "q1": q1, "q3": q3})


def table1(
    groups: Mapping[str, tuple[str, Sequence[SubjectRecord]]],
    variables: Sequence[Variable] = VARIABLES,
) -> Table1:
    """Summaries per column. `groups` maps a column key to (header label, subjects).

    Percentages use the non-missing count of that column as denominator; quartiles use numpy's
    default linear interpolation.
    """
    columns = [(key, label, len(subjects)) for key, (label, subjects) in groups.items()]
    rows: list[Row] = []
    for var in variables:
        if var.kind == "categorical":
            for level, level_label in var.levels:
                cells = {}
                for key, (_, subjects) in groups.items():
                    values = [var.read(s) for s in subjects]
                    known = [v for v in values if v is not None]
                    count = sum(1 for v in known if v == level)
                    pct = 100 * count / len(known) if known else None
                    text = f"{count} ({pct:.1f}%)" if pct is not None else "—"
                    cells[key] = Cell(text, count, len(values) - len(known), {"count": count, "percent": pct})
                rows.append(Row(var.key, var.label, var.kind, level_label, cells))
        else:
            cells = {}
            for key, (_, subjects) in groups.items():
                values = [var.read(s) for s in subjects]
                known = [float(v) for v in values if v is not None]
                cells[key] = _continuous(known, var.kind, len(values) - len(known))
            rows.append(Row(var.key, var.label, var.kind, None, cells))
    return Table1(columns, rows)


def table1_by_arm(
    dataset: AnalysisDataset, arm_labels: Mapping[str, str] | None = None, *, overall: bool = True
) -> Table1:
    """One column per arm (labels via `arm_labels`, e.g. names or DSMB codes), plus Total."""
    labels = arm_labels or {a: a for a in dataset.arms}
    groups: dict[str, tuple[str, Sequence[SubjectRecord]]] = {
        labels[arm]: (labels[arm], subjects) for arm, subjects in dataset.by_arm().items()
    }
    if overall:
        groups["total"] = ("Total", dataset.subjects)
    return table1(groups)


def table1_pooled(dataset: AnalysisDataset) -> Table1:
    """A single all-subjects column (DSMB open part)."""
    return table1({"total": ("All randomized", dataset.subjects)})


# The table's words in French; English is the words themselves (labels are keyed by variable).
FRENCH = {
    "labels": {
        "age_years": "Âge, années", "sex": "Sexe", "sle_associated": "Lupus systémique associé",
        "clasi_a": "CLASI-A", "clasi_d": "CLASI-D", "dlqi_total": "DLQI",
        "prednisone_mg_day": "Équivalent prednisone oral, mg/j",
        "antimalarial_stable_months": "Antipaludéens à dose stable, mois",
    },
    "words": {
        "Female": "Femme", "Male": "Homme", "Yes": "Oui", "No": "Non", "mean (SD)": "moyenne (ET)",
        "median (IQR)": "médiane (EIQ)", "n (%)": "n (%)", "Characteristic": "Caractéristique",
        "Table 1. Baseline characteristics": "Tableau 1. Caractéristiques à l'inclusion",
        "Total": "Total", "All randomized": "Tous les patients randomisés", "; missing ": " ; manquants : ",
    },
}


# French writes "43,6" and "81,2 %" (a decimal comma; a no-break space before the percent sign).
_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")
_PERCENT_SIGN = re.compile(r"(?<=\d)%")


def _kind_hint(kind: str) -> str:
    return {"mean_sd": "mean (SD)", "median_iqr": "median (IQR)", "categorical": "n (%)"}[kind]


def table1_html(table: Table1, caption: str = "Table 1. Baseline characteristics", language: str = "en") -> str:
    """An accessible HTML table (escaped text, header cells with scope), in English or French."""
    french = language.startswith("fr")

    def say(words: str) -> str:
        return FRENCH["words"].get(words, words) if french else words

    def label_of(row: Row) -> str:
        return FRENCH["labels"].get(row.key, row.label) if french else row.label

    def cell_text(text: str) -> str:
        if not french:
            return text
        text = _DECIMAL_POINT.sub(",", text.replace("; missing ", say("; missing ")))
        return _PERCENT_SIGN.sub("\u00a0%", text)

    esc = html.escape
    out = [f'<table class="table1"><caption>{esc(say(caption))}</caption><thead><tr>'
           f'<th scope="col">{esc(say("Characteristic"))}</th>']
    for _, label, n in table.columns:
        out.append(f'<th scope="col">{esc(say(label))}<br><span class="n">n = {n}</span></th>')
    out.append("</tr></thead><tbody>")
    previous = None
    for row in table.rows:
        if row.level is not None and row.key != previous:
            out.append(f'<tr class="group"><th scope="row" colspan="{len(table.columns) + 1}">'
                       f"{esc(label_of(row))}, {esc(say(_kind_hint(row.kind)))}</th></tr>")
        previous = row.key
        label = (f"&nbsp;&nbsp;{esc(say(row.level))}" if row.level is not None
                 else f"{esc(label_of(row))}, {esc(say(_kind_hint(row.kind)))}")
        out.append(f'<tr><th scope="row">{label}</th>')
        for key, _, _ in table.columns:
            out.append(f"<td>{esc(cell_text(row.cells[key].text))}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)
