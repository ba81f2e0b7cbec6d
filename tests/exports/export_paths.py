"""Where the export tests find the repository, the official schemas and the ODM namespace."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STANDARDS = REPO / "tests" / "standards"
ODM_XSD = STANDARDS / "cdisc-odm-1.3.2" / "ODM1-3-2.xsd"
DATASET_SCHEMA = STANDARDS / "dataset-json-1.1" / "dataset.schema.json"
NDJSON_SCHEMA = STANDARDS / "dataset-json-1.1" / "dataset-ndjson-schema.json"
ODM_NS = {"odm": "http://www.cdisc.org/ns/odm/v1.3"}
DEMO_DAY = dt.date(2026, 11, 2)
