"""Token authentication: 401 without a valid token on every route, only the SHA-256 stored,
CSRF not involved, a session cookie not enough, and the CLI that prints a token once."""

import hashlib

import pytest
from api_testing import NOW, assert_error, form_path, snapshot
from django.test import Client

from equipoise import cli
from equipoise.api.auth import user_for_token
from equipoise.records.actions.api_tokens import create_token
from equipoise.records.models import ApiToken, AuditEvent


def every_route(subject):
    form = form_path(subject)
    return [
        ("GET", "/subjects"), ("POST", "/subjects"), ("GET", f"/subjects/{subject.code}"),
        ("GET", f"/subjects/{subject.code}/visits"), ("GET", form), ("PUT", form),
        ("POST", form + "/complete"), ("POST", form + "/reopen"), ("POST", form + "/lock"),
        ("GET", form + "/history"), ("GET", "/queries"), ("POST", "/queries"), ("GET", "/queries/1"),
        ("POST", "/queries/1/answer"), ("POST", "/queries/1/close"),
    ]


@pytest.mark.parametrize("header", [
    None, "Bearer", "Bearer eqp_not-a-real-token", "Token whatever", "Basic aW52X2E6eA==",
])
def test_every_route_answers_401_without_a_valid_token(api, subject_a, header):
    before = snapshot()
    for method, path in every_route(subject_a):
        extra = {"HTTP_AUTHORIZATION": header} if header else {}
        body = {"site": "TNN"} if method != "GET" else None
        response = api.call(None, method, path, body, **extra)
        error = assert_error(response, 401, "Authorization", "token")
        assert response["WWW-Authenticate"].startswith("Bearer"), path
        assert "token" in error["detail"]
    assert snapshot() == before


def test_only_the_sha256_is_stored_and_the_token_works(people, api):
    token = create_token(people["inv_a"], "laptop", NOW)
    row = ApiToken.objects.get(label="laptop")
    assert row.key_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(ApiToken.objects.values_list()))
    assert user_for_token(token) == people["inv_a"]
    event = AuditEvent.objects.filter(action="api_token.create", object_id=str(row.pk)).get()
    assert event.username == "inv_a" and token not in str(event.changes)
    response = Client().get("/api/v1/subjects", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200


def test_tokens_are_distinct_and_labels_checked(people):
    assert create_token(people["dm"], "a", NOW) != create_token(people["dm"], "a", NOW)
    with pytest.raises(ValueError, match="label"):
        create_token(people["dm"], "  ", NOW)
    with pytest.raises(ValueError, match="time zone"):
        create_token(people["dm"], "x", NOW.replace(tzinfo=None))


def test_an_inactive_user_token_is_refused(people, api):
    people["inv_a"].is_active = False
    people["inv_a"].save()
    assert_error(api.get("inv_a", "/subjects"), 401, "Authorization")


def test_a_logged_in_session_without_token_is_refused(people, subject_a):
    client = Client()
    client.force_login(people["inv_a"])
    assert client.get(f"/api/v1/subjects/{subject_a.code}").status_code == 401


def test_token_writes_need_no_csrf_token(api, subject_a):
    """The test client enforces CSRF checks; a bearer-token POST still succeeds."""
    response = api.post("inv_a", "/subjects", {"site": "TNN"})
    assert response.status_code == 201, response.content


def test_openapi_and_docs_need_no_token(db):
    assert Client().get("/api/v1/openapi.json").status_code == 200
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200 and b"/api/v1/openapi.json" in docs.content
    assert b"cdn." not in docs.content  # no third-party scripts


def test_cli_creates_a_token_that_authenticates(people, capsys):
    assert cli.main(["api", "token", "create", "monitor", "--label", "export script"]) == 0
    out, err = capsys.readouterr()
    token = out.strip()
    assert "shown only now" in err and len(out.splitlines()) == 1
    assert ApiToken.objects.filter(user=people["monitor"], label="export script").exists()
    response = Client().get("/api/v1/subjects", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200


def test_cli_refuses_an_unknown_user(db, capsys):
    assert cli.main(["api", "token", "create", "nobody"]) == 2
    assert "nobody" in capsys.readouterr().err
    assert not ApiToken.objects.exists()
