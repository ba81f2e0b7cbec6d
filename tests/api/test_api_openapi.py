"""The OpenAPI document loads, is structurally valid OpenAPI 3.1, and describes every route,
its bearer security and the one error shape."""

import importlib.util

import pytest
from django.test import Client
from openapi_schema_validator import OAS31Validator

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture
def document(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    return response.json()


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_document_is_valid_openapi(document):
    if importlib.util.find_spec("openapi_spec_validator"):
        from openapi_spec_validator import validate

        validate(document)
    assert document["openapi"].startswith("3.1.")
    assert document["info"]["title"] and document["info"]["version"]
    schemas = document["components"]["schemas"]
    for schema in schemas.values():
        OAS31Validator.check_schema(schema)  # each component is a valid OAS 3.1 schema
    for ref in _refs(document):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref
    operation_ids = []
    for path, item in document["paths"].items():
        assert path.startswith("/api/v1/")
        for method, operation in item.items():
            assert method in HTTP_METHODS, (path, method)
            operation_ids.append(operation["operationId"])
            assert operation["responses"], (path, method)
            for code in operation["responses"]:
                assert code.isdigit() and 100 <= int(code) < 600
            for parameter in operation.get("parameters", []):
                assert parameter["in"] in {"path", "query", "header", "cookie"}
                if parameter["in"] == "path":
                    assert parameter["required"] is True and "{" + parameter["name"] + "}" in path
    assert len(operation_ids) == len(set(operation_ids))


def test_document_describes_routes_security_and_errors(document):
    paths = document["paths"]
    form = "/api/v1/subjects/{code}/visits/{visit_id}/forms/{form_id}"
    expected = {
        "/api/v1/subjects": {"get", "post"}, "/api/v1/subjects/{code}": {"get"},
        "/api/v1/subjects/{code}/visits": {"get"}, form: {"get", "put"},
        form + "/complete": {"post"}, form + "/reopen": {"post"}, form + "/lock": {"post"},
        form + "/history": {"get"}, "/api/v1/queries": {"get", "post"},
        "/api/v1/queries/{query_id}": {"get"}, "/api/v1/queries/{query_id}/answer": {"post"},
        "/api/v1/queries/{query_id}/close": {"post"},
        "/api/v1/subjects/{code}/randomize": {"post"},
    }
    assert {p: set(ops) for p, ops in paths.items()} == expected
    scheme = document["components"]["securitySchemes"]["TokenAuth"]
    assert scheme == {"type": "http", "scheme": "bearer"}
    for item in paths.values():
        for operation in item.values():
            assert operation["security"] == [{"TokenAuth": []}]
            assert operation["responses"]["401"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorOut"}
    error = document["components"]["schemas"]["ErrorOut"]
    assert set(error["required"]) == {"detail", "errors"}
    put = paths[form]["put"]
    assert {"200", "201", "400", "403", "404", "409", "413"} <= set(put["responses"])
    body = document["components"]["schemas"]["FormWrite"]
    assert body["additionalProperties"] is False and body["required"] == ["data"]
