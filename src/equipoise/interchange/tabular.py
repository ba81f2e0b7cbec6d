"""The statistician's files: one CSV per domain, the data dictionary, and SAS XPORT v5.

CSV is written row by row. XPORT goes through pyreadstat, which takes a whole data frame: an
`.xpt` file is built from one domain held in memory (the CSV and Dataset-JSON files stream).
Dates stay ISO 8601 text, as SDTM keeps them (--DTC variables are character).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from equipoise.interchange.dataset_json import Column
from equipoise.interchange.terminology import CODELISTS

DICTIONARY_HEADER = ("dataset", "dataset_label", "variable", "label", "type", "length", "codelist",
                     "codelist_values", "codelist_source")


def write_csv(out: IO[str], columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.name for c in columns])
    count = 0
    for row in rows:  # the csv module writes None as an empty field
        writer.writerow(row)
        count += 1
    return count


def dictionary_rows(datasets: Iterable[tuple[str, str, Sequence[Column]]]) -> Iterable[list[Any]]:
    for name, label, columns in datasets:
        for c in columns:
            cl = CODELISTS.get(c.codelist or "")
            yield [name, label, c.name, c.label, c.data_type, c.length or "", c.codelist or "",
                   " | ".join(cl.values) if cl else "", cl.source if cl else ""]


def write_dictionary(out: IO[str], datasets: Iterable[tuple[str, str, Sequence[Column]]]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(DICTIONARY_HEADER)
    writer.writerows(dictionary_rows(datasets))


def write_xpt(path: Path, name: str, label: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> int:
    """One domain as a SAS XPORT version 5 file; numbers as SAS numerics, everything else as text."""
    import pandas as pd
    import pyreadstat

    data: dict[str, list[Any]] = {c.name: [] for c in columns}
    for row in rows:
        for c, v in zip(columns, row, strict=True):
            data[c.name].append(v)
    frame = pd.DataFrame({
        c.name: (pd.Series(data[c.name], dtype="float64") if c.data_type in ("integer", "float", "decimal", "double")
                 else pd.Series(["" if v is None else str(v) for v in data[c.name]], dtype="object"))
        for c in columns
    })
    pyreadstat.write_xport(frame, str(path), file_label=label[:40], column_labels=[c.label[:40] for c in columns],
                           table_name=name, file_format_version=5)
    return len(frame)
