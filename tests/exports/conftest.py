"""The demo trial, seeded once per module through the real actions, and the official schemas.

The demo corrects some values with reasons (`demo.corrections`), so the audit trail, and the
ODM files made from it, hold changes with reasons for change.
"""

from __future__ import annotations

import json

import pytest
from export_paths import DATASET_SCHEMA, DEMO_DAY, NDJSON_SCHEMA, ODM_XSD, REPO

from demo_rollback import demo_kept_for_the_module


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo trial in one transaction kept for the module's tests, rolled back at the end."""
    with django_db_blocker.unblock(), demo_kept_for_the_module(DEMO_DAY, REPO / "protocols"):
        yield


@pytest.fixture(scope="session")
def odm_schema():
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(ODM_XSD)))


@pytest.fixture(scope="session")
def dataset_validator():
    import jsonschema

    schema = json.loads(DATASET_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@pytest.fixture(scope="session")
def ndjson_metadata_validator():
    """The NDJSON schema's own `DatasetMetadata` (see tests/standards/README.md for why not the root)."""
    import jsonschema

    schema = json.loads(NDJSON_SCHEMA.read_bytes().decode("utf-16"))
    sub = {"$schema": schema["$schema"], **schema["$defs"]["DatasetMetadata"]}
    cls = jsonschema.validators.validator_for(sub)
    cls.check_schema(sub)
    return cls(sub)
