"""The statistician's CSV files: one per domain (`csv_writer`, rows written as they come), and the
data dictionary.

SAS XPORT is `xport`. Dates stay ISO 8601 text, as SDTM keeps them (--DTC variables are character).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import IO, Any

from equipoise.interchange.dataset_json import Column
from equipoise.interchange.terminology import CODELISTS

DICTIONARY_HEADER = ("dataset", "dataset_label", "variable", "label", "type", "length", "codelist",
                     "codelist_values", "codelist_source")


def csv_writer(out: IO[str], columns: Sequence[Column]) -> Any:
    """A `csv.writer` on `out` that has written the header; it writes None as an empty field."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.name for c in columns])
    return writer


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

