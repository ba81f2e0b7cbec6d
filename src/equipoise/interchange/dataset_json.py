"""CDISC Dataset-JSON 1.1, written row by row (the `.json` document and the `.ndjson` variant).

Both forms put the metadata, including the row count `records`, before the rows. Rows are
serialized one at a time into a temporary file while they are counted, then the metadata and the
spooled rows are copied to the output: memory holds one row, whatever the dataset's size.

Missing values are JSON null (numbers, dates) or "" (text), as in CDISC's SDTM example.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from equipoise.interchange.timestamps import utc_stamp

VERSION = "1.1.0"


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    data_type: str  # string | integer | decimal | float | double | boolean | date | datetime
    length: int | None = None
    key_sequence: int | None = None
    codelist: str | None = None  # the code list's name in the data dictionary (not part of Dataset-JSON)

    def as_json(self, dataset: str) -> dict[str, Any]:
        out: dict[str, Any] = {"itemOID": f"IT.{dataset}.{self.name}", "name": self.name, "label": self.label,
                               "dataType": self.data_type}
        if self.length is not None:
            out["length"] = self.length
        if self.key_sequence is not None:
            out["keySequence"] = self.key_sequence
        return out


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    label: str
    columns: tuple[Column, ...]
    study_oid: str
    metadata_version_oid: str



# One encoder for every row: json.dumps with non-default options builds a new encoder per call.
_ROW_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _row_json(row: Sequence[Any]) -> str:
    return _ROW_ENCODER.encode(row if isinstance(row, list) else list(row))


def _write_rows(out: IO[str], info: DatasetInfo, rows: Iterable[Sequence[Any]], ndjson: bool) -> int:
    width = len(info.columns)
    separator = "\n" if ndjson else ",\n"
    count = 0
    for row in rows:
        if len(row) != width:
            raise ValueError(f"{info.name}: a row has {len(row)} values for {width} columns")
        if count:
            out.write(separator)
        out.write(_row_json(row))
        count += 1
    return count


def _metadata_json(info: DatasetInfo, count: int, created: dt.datetime, db_modified: dt.datetime | None,
                   originator: str, source_version: str) -> str:
    meta: dict[str, Any] = {
        "datasetJSONCreationDateTime": utc_stamp(created),
        "datasetJSONVersion": VERSION,
        "fileOID": f"{info.study_oid}/{info.metadata_version_oid}/{info.name}",
        "originator": originator or "Equipoise",
        "sourceSystem": {"name": "Equipoise", "version": source_version or "unknown"},
        "studyOID": info.study_oid,
        "metaDataVersionOID": info.metadata_version_oid,
        "itemGroupOID": f"IG.{info.name}",
        "records": count,
        "name": info.name,
        "label": info.label,
        "columns": [c.as_json(info.name) for c in info.columns],
    }
    if db_modified is not None:
        meta["dbLastModifiedDateTime"] = utc_stamp(db_modified)
    return json.dumps(meta, ensure_ascii=False, separators=(",", ":"))


def write_dataset(out: IO[str], info: DatasetInfo, rows: Iterable[Sequence[Any]], *, created: dt.datetime,
                  db_modified: dt.datetime | None = None, ndjson: bool = False,
                  originator: str = "", source_version: str = "", records: int | None = None) -> int:
    """Write one dataset to the text stream `out`; returns the number of rows.

    The metadata, which comes first, states the number of rows: pass it as `records` when it is
    known (the rows then go straight to `out`, and a different count is an error); otherwise the
    rows are spooled to a temporary file and counted first."""
    if records is None:
        with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
            count = _write_rows(spool, info, rows, ndjson)
            _head(out, _metadata_json(info, count, created, db_modified, originator, source_version), count, ndjson)
            spool.seek(0)
            shutil.copyfileobj(spool, out)
    else:
        _head(out, _metadata_json(info, records, created, db_modified, originator, source_version), records, ndjson)
        count = _write_rows(out, info, rows, ndjson)
        if count != records:
            raise ValueError(f"{info.name}: {count} rows written where the metadata says {records}")
    out.write("\n" if ndjson else "\n]}\n")
    return count


def _head(out: IO[str], meta: str, count: int, ndjson: bool) -> None:
    if ndjson:
        out.write(meta)
        if count:
            out.write("\n")
    else:
        out.write(meta[:-1])
        out.write(',"rows":[\n')
