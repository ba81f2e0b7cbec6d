"""SAS XPORT version 5 (`.xpt`) written in chunks, each chunk encoded by pyreadstat.

pyreadstat writes a whole data frame at once. An XPORT v5 file is its headers (library, member,
one namestr per variable, then the OBS header; all in 80-byte records) followed by the
observations, each one fixed-width record laid end to end, the last 80-byte record padded with
blanks. No header counts the observations. So a domain is written as:

1. a first pass over its rows measures each text column's widest value (UTF-8 bytes), so every
   chunk declares the same variable lengths (a text value is blank-padded to its variable's
   length, which readers strip);
2. chunks of rows, a number of rows whose bytes are a multiple of 80, each written by pyreadstat
   to a scratch file: the first chunk's file is copied whole (headers and observations), later
   chunks only after the headers, so the observations follow each other as if written at once;
   only the last chunk ends with pyreadstat's padding.

Memory holds one chunk's data frame. Numbers are SAS numerics; everything else is text (dates
stay ISO 8601, as SDTM's --DTC variables are character).
"""

from __future__ import annotations

import itertools
import math
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from equipoise.interchange.dataset_json import Column

NUMERIC = frozenset({"integer", "float", "decimal", "double"})
RECORD = 80  # XPORT's record length
NUMERIC_WIDTH = 8
CHUNK_ROWS = 4000


def _texts(values: Iterable[Any]) -> list[str]:
    return ["" if v is None else str(v) for v in values]


def text_widths(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> dict[int, int]:
    """Column index -> the widest value of each text column in UTF-8 bytes (at least 1)."""
    widths = {i: 1 for i, c in enumerate(columns) if c.data_type not in NUMERIC}
    for batch in itertools.batched(rows, CHUNK_ROWS):
        values = list(zip(*batch, strict=True))
        for i, width in widths.items():
            widths[i] = max(width, *map(len, map(str.encode, _texts(values[i]))))
    return widths


def rows_per_chunk(row_bytes: int, about: int = CHUNK_ROWS) -> int:
    """The multiple of 80 / gcd(row bytes, 80) nearest `about` (at least one step): a chunk of that
    many rows fills whole 80-byte records, so the next chunk's rows follow without padding."""
    step = RECORD // math.gcd(row_bytes, RECORD)
    return max(step, round(about / step) * step)


def write_xpt(path: Path, name: str, label: str, columns: Sequence[Column],
              rows: Callable[[], Iterable[Sequence[Any]]], chunk_rows: int = CHUNK_ROWS) -> int:
    """Write one domain to `path`; `rows()` gives its rows and is called twice (widths, then
    writing). Returns the number of rows."""
    import pandas as pd
    import pyreadstat

    widths = text_widths(columns, rows())
    row_bytes = sum(widths.get(i, NUMERIC_WIDTH) for i in range(len(columns)))
    per_chunk = rows_per_chunk(row_bytes, chunk_rows)
    labels: list[str | None] = [c.label[:40] for c in columns]

    def frame(chunk: list[Sequence[Any]]) -> Any:
        data = {}
        by_column = list(zip(*chunk, strict=True)) or [()] * len(columns)
        for i, c in enumerate(columns):
            if i not in widths:
                data[c.name] = pd.Series(by_column[i], dtype="float64")
                continue
            values = _texts(by_column[i])
            if values:  # the first value blank-padded to the variable's length, so pyreadstat declares it
                values[0] = values[0] + " " * (widths[i] - len(values[0].encode("utf-8")))
            data[c.name] = pd.Series(values, dtype="object")
        return pd.DataFrame(data)

    count, header = 0, None
    with path.open("wb") as out, tempfile.TemporaryDirectory(prefix="equipoise-xpt-") as scratch:
        piece = Path(scratch) / "chunk.xpt"

        def write(chunk: list[Sequence[Any]]) -> None:
            nonlocal header
            pyreadstat.write_xport(frame(chunk), str(piece), file_label=label[:40], column_labels=labels,
                                   table_name=name, file_format_version=5)
            with piece.open("rb") as written:
                if header is None:
                    header = piece.stat().st_size - len(chunk) * row_bytes
                    if len(chunk) < per_chunk:  # the only chunk: its padding follows the rows
                        header -= (-len(chunk) * row_bytes) % RECORD
                    if header % RECORD:
                        raise ValueError(f"{name}: pyreadstat wrote headers of {header} bytes, not whole records")
                else:
                    written.seek(header)
                shutil.copyfileobj(written, out)

        chunk: list[Sequence[Any]] = []
        for row in rows():
            chunk.append(row)
            if len(chunk) == per_chunk:
                write(chunk)
                count += len(chunk)
                chunk = []
        if chunk or count == 0:
            write(chunk)
            count += len(chunk)
    return count
