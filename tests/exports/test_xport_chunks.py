"""SAS XPORT written in chunks: pyreadstat reads a many-chunk file back whole, every value agreeing."""

from __future__ import annotations

import math

import pyreadstat
import pytest

from equipoise.interchange.dataset_json import Column
from equipoise.interchange.xport import RECORD, rows_per_chunk, text_widths, write_xpt

COLUMNS = (Column("STUDYID", "Study Identifier", "string"), Column("USUBJID", "Unique Subject Identifier", "string"),
           Column("FASEQ", "Sequence Number", "integer"), Column("FAORRES", "Result or Finding", "string"),
           Column("FASTRESN", "Numeric Result", "float"), Column("FADTC", "Date of Collection", "date"))


def _rows(n: int) -> list[list]:
    """Text of varying widths (the widest late, some empty or missing, accented), numbers with gaps."""
    rows = []
    for i in range(n):
        text = ["", "1", "2.5", "érythème", None, "x" * (i % 17)][i % 6]
        rows.append(["NCT06965244", f"NCT06965244-TNN-{i:05d}", i + 1, text,
                     None if i % 7 == 0 else i / 4, None if i % 5 == 0 else f"2026-01-{1 + i % 28:02d}"])
    rows[-1][3] = "the widest value, written in the last chunk"
    return rows


def _expected(rows, column: int):
    if COLUMNS[column].data_type in ("integer", "float"):
        return [None if r[column] is None else float(r[column]) for r in rows]
    return ["" if r[column] is None else str(r[column]) for r in rows]


def _read(path):
    frame, meta = pyreadstat.read_xport(str(path))
    values = {c: [None if isinstance(v, float) and math.isnan(v) else v for v in frame[c]] for c in frame.columns}
    return values, meta


@pytest.mark.parametrize("n, chunk_rows", [(1, 40), (37, 40), (40, 40), (41, 40), (1003, 40), (1003, 160)])
def test_a_file_written_in_chunks_reads_back_whole(tmp_path, n, chunk_rows):
    rows = _rows(n)
    path = tmp_path / "fa.xpt"
    assert write_xpt(path, "FA", "Findings About", COLUMNS, lambda: iter(rows), chunk_rows=chunk_rows) == n
    values, meta = _read(path)
    assert meta.number_rows == n and meta.table_name == "FA"
    assert list(values) == [c.name for c in COLUMNS]
    assert meta.column_labels == [c.label for c in COLUMNS]
    for i, c in enumerate(COLUMNS):
        assert values[c.name] == _expected(rows, i), c.name
    assert path.stat().st_size % RECORD == 0


def test_chunks_give_the_same_file_as_one_write(tmp_path):
    rows = _rows(500)
    write_xpt(tmp_path / "chunked.xpt", "FA", "Findings About", COLUMNS, lambda: iter(rows), chunk_rows=40)
    write_xpt(tmp_path / "whole.xpt", "FA", "Findings About", COLUMNS, lambda: iter(rows), chunk_rows=10_000)
    chunked, whole = (tmp_path / "chunked.xpt").read_bytes(), (tmp_path / "whole.xpt").read_bytes()
    assert len(chunked) == len(whole)
    # the headers carry the time of writing; the observations (and their padding) are the same bytes
    row_bytes = sum(text_widths(COLUMNS, rows).values()) + 8 * 2
    observations = math.ceil(500 * row_bytes / RECORD) * RECORD
    assert chunked[-observations:] == whole[-observations:]
    assert chunked[:-observations].startswith(whole[:80])


def test_an_empty_domain_is_a_file_without_rows(tmp_path):
    path = tmp_path / "ex.xpt"
    assert write_xpt(path, "EX", "Exposure", COLUMNS, lambda: iter([])) == 0
    _, meta = _read(path)
    assert meta.number_rows == 0 and meta.column_names == [c.name for c in COLUMNS]


def test_a_chunk_fills_whole_records():
    for row_bytes in (1, 8, 13, 80, 81, 160, 333):
        per = rows_per_chunk(row_bytes, 100)
        assert per * row_bytes % RECORD == 0 and per >= 1


def test_text_widths_count_utf8_bytes_and_skip_numbers():
    assert text_widths(COLUMNS, [["ab", "é", 1, None, 2.0, ""]]) == {0: 2, 1: 2, 3: 1, 5: 1}
