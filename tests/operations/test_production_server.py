"""`equipoise serve --production`: refuses unsafe configurations; serves HTTPS with gunicorn,
static files through whitenoise, /health/, and one JSON log line per request."""

from __future__ import annotations

import gzip
import json
import os
import urllib.request

import pytest

from operations.production import ProductionServer, Session, equipoise

pytestmark = pytest.mark.server
# The refusals do not depend on the database: checked once, on the SQLite run of the suite.
sqlite_only = pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"),
                                 reason="configuration refusals are checked on the SQLite run")


@sqlite_only
@pytest.mark.parametrize(("change", "expected"), [
    ({"EQUIPOISE_SECRET_KEY": None}, "EQUIPOISE_SECRET_KEY is not set"),
    ({"EQUIPOISE_DEBUG": "1"}, "EQUIPOISE_DEBUG=1"),
    ({"EQUIPOISE_ALLOWED_HOSTS": ""}, "EQUIPOISE_ALLOWED_HOSTS is empty"),
    ({"EQUIPOISE_TLS_CERT": None, "EQUIPOISE_TLS_KEY": None}, "No HTTPS"),
    ({"EQUIPOISE_MODE": "demo"}, "only in production mode"),
    ({"EQUIPOISE_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, "mail.E001"),
    ({"EQUIPOISE_SECRET_KEY": "a" * 60}, "security.W009"),
])
def test_an_unsafe_configuration_is_refused_before_listening(prod_env, change, expected):
    env = dict(prod_env)
    for name, value in change.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    done = equipoise(env, "serve", "--production", timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Refusing to start the production server" in done.stderr or "is not set" in done.stderr
    assert expected in done.stderr


def test_migrations_must_be_applied_first(prod_env):
    done = equipoise(prod_env, "serve", "--production", timeout=120)
    assert done.returncode == 2 and "run `equipoise migrate` first" in done.stderr


def test_the_production_server_serves_health_static_files_and_json_logs(prod_env, tmp_path):
    assert equipoise(prod_env, "migrate").returncode == 0
    server = ProductionServer(prod_env, tmp_path / "server.log").start()
    try:
        client = Session(server.url)
        status, _, body = client.get("/health/")
        report = json.loads(body)
        assert status == 503 and report["status"] == "failing"
        assert report["checks"]["database"]["ok"] and report["checks"]["migrations"]["ok"]
        assert report["checks"]["audit_head"]["ok"]
        assert not report["checks"]["scheduler"]["ok"]
        assert "equipoise worker" in report["checks"]["scheduler"]["detail"]

        beat = equipoise(prod_env, "worker", "--once")
        assert beat.returncode == 0, beat.stderr
        status, _, body = client.get("/health/")
        assert status == 200 and json.loads(body)["status"] == "ok"

        # Static files come from the application itself (whitenoise), compressed.
        status, headers, _ = client.get("/login/")
        assert status == 200 and headers["Server"] == "gunicorn"
        assert "max-age=31536000" in headers["Strict-Transport-Security"]
        with client.opener.open(urllib.request.Request(server.url + "/static/web/clasi.css",
                                                 headers={"Accept-Encoding": "gzip"}), timeout=30) as response:
            assert response.status == 200 and response.headers["Content-Encoding"] == "gzip"
            assert b"{" in gzip.decompress(response.read())

        status, headers = client.post("/login/", {"username": "nobody", "password": "wrong-password-123"})
        assert status == 200
        failed_login_id = headers["X-Request-Id"]
    finally:
        server.stop()
    lines = server.json_log()
    by_id = {line["request_id"]: line for line in lines if line["request_id"]}
    assert by_id[failed_login_id]["method"] == "POST" and by_id[failed_login_id]["path"] == "/login/"
    assert by_id[failed_login_id]["status"] == 200
    assert {"time", "duration_ms", "user", "remote_addr"} <= by_id[failed_login_id].keys()
    health = [line for line in lines if line["path"] == "/health/"]
    assert [line["status"] for line in health] == [503, 200]
