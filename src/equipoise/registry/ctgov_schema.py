"""Check a study document against ClinicalTrials.gov's published OpenAPI document.

The API publishes its data model as an OpenAPI 3.0 document; its `Study` schema is what a study
document must satisfy. The published schema lets unknown keys through, so a misspelt field
(`enrolmentInfo`) would validate and then be silently dropped by the registry. `forbid_unknown`
closes every object schema that lists its properties, turning such typos into errors.
"""

from __future__ import annotations

import copy
from typing import Any

from jsonschema.protocols import Validator
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

DOCUMENT_URI = "urn:equipoise:ctgov-openapi"
STUDY_POINTER = "#/components/schemas/Study"


def _closed(node: Any) -> Any:
    """A copy of a schema tree where every object that lists its properties refuses others."""
    if isinstance(node, dict):
        out = {key: _closed(value) for key, value in node.items()}
        if isinstance(out.get("properties"), dict) and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [_closed(item) for item in node]
    return node


def study_validator(openapi: dict[str, Any], *, forbid_unknown: bool = False) -> Validator:
    """A validator for the `Study` schema of `openapi`, resolving `$ref`s inside that document.

    Raises `ValueError` naming the problem when the document is not OpenAPI 3.0 or has no
    `components.schemas.Study`.
    """
    version = str(openapi.get("openapi", ""))
    if not version.startswith("3.0"):
        raise ValueError(f"openapi: expected an OpenAPI 3.0 document, got version {version!r}")
    if "Study" not in openapi.get("components", {}).get("schemas", {}):
        raise ValueError("components.schemas.Study: missing from the OpenAPI document")
    contents = _closed(copy.deepcopy(openapi)) if forbid_unknown else openapi
    registry = Registry().with_resource(
        DOCUMENT_URI, Resource.from_contents(contents, default_specification=DRAFT4)
    )
    return OAS30Validator(
        {"$ref": DOCUMENT_URI + STUDY_POINTER},
        registry=registry,
        format_checker=oas30_format_checker,
    )


def schema_problems(document: Any, validator: Validator) -> list[str]:
    """Every violation, as `path.to.key: message`, in document order."""
    errors = sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    return [
        f"{'.'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
        for error in errors
    ]
