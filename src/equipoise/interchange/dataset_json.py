"""CDISC Dataset-JSON 1.1, written row by row (the `.json` document and the `.ndjson` variant).

Both forms put the metadata, including the row count `records`, before the rows. Rows are
serialized in batches into a temporary file while they are counted (`DatasetSpool`), then the
metadata and the spooled rows are copied to the output: memory holds one batch of rows, whatever
the dataset's size.

Missing values are JSON null (numbers, dates) or "" (text), as in CDISC's SDTM example.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Sequence
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
BATCH = 1000  # rows encoded and written together


class DatasetSpool:
    """One dataset's rows, encoded as they come into a temporary file and counted, then written
    after the metadata (which states the count) as a Dataset-JSON or NDJSON document."""

    def __init__(self, info: DatasetInfo, ndjson: bool):
        self.info, self.ndjson, self.count = info, ndjson, 0
        self._separator = "\n" if ndjson else ",\n"
        self._file: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")

    def add(self, rows: Sequence[Sequence[Any]]) -> None:
        """A batch of rows, each a list or tuple in column order (both are JSON arrays)."""
        width = len(self.info.columns)
        wrong = next((len(row) for row in rows if len(row) != width), None)
        if wrong is not None:
            raise ValueError(f"{self.info.name}: a row has {wrong} values for {width} columns")
        if not rows:
            return
        if self.count:
            self._file.write(self._separator)
        self._file.write(self._separator.join(map(_ROW_ENCODER.encode, rows)))
        self.count += len(rows)

    def close(self) -> None:
        self._file.close()

    def write(self, out: IO[str], *, created: dt.datetime, db_modified: dt.datetime | None = None,
              originator: str = "", source_version: str = "") -> int:
        """The whole document to the text stream `out`; closes the spool; returns the row count."""
        meta = _metadata_json(self.info, self.count, created, db_modified, originator, source_version)
        if self.ndjson:
            out.write(meta)
            if self.count:
                out.write("\n")
        else:
            out.write(meta[:-1])
            out.write(',"rows":[\n')
        with self._file:
            self._file.seek(0)
            shutil.copyfileobj(self._file, out)
        out.write("\n" if self.ndjson else "\n]}\n")
        return self.count


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

