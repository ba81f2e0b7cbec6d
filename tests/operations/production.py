"""A production server (`equipoise serve --production`) and its commands, in processes of their own.

The server runs exactly as a hospital runs it: production mode, a real secret, allowed hosts, HTTPS
through gunicorn with a throwaway self-signed certificate, on a free port of 127.0.0.1. Its database
is a SQLite file in a temporary EQUIPOISE_VAR, or, when DATABASE_URL names PostgreSQL, a fresh
database made on that server for the test and dropped after it.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PASSWORD = "correct-horse-battery"
INSECURE = ssl.create_default_context()
INSECURE.check_hostname = False
INSECURE.verify_mode = ssl.CERT_NONE


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def production_env(var: Path, certs: tuple[Path, Path], static_root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EQUIPOISE_", "DJANGO_"))}
    env.update({"EQUIPOISE_MODE": "production", "EQUIPOISE_SECRET_KEY": secrets.token_urlsafe(64),
                "EQUIPOISE_ALLOWED_HOSTS": "127.0.0.1,localhost", "EQUIPOISE_VAR": str(var),
                "EQUIPOISE_HOME": str(REPO), "EQUIPOISE_STATIC_ROOT": str(static_root),
                "EQUIPOISE_TLS_CERT": str(certs[0]), "EQUIPOISE_TLS_KEY": str(certs[1]),
                "EQUIPOISE_WORKERS": "2", "PYTHONUNBUFFERED": "1"})
    return env


@contextlib.contextmanager
def own_database(env: dict[str, str]) -> Iterator[dict[str, str]]:
    """SQLite in EQUIPOISE_VAR; on PostgreSQL (DATABASE_URL set) a database of this test's own."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        env.pop("DATABASE_URL", None)
        yield env
        return
    import psycopg

    name = f"equipoise_ops_{uuid.uuid4().hex[:10]}"
    admin = urllib.parse.urlsplit(base)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = urllib.parse.urlsplit(base)._replace(path=f"/{name}").geturl()
    try:
        yield env
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def equipoise(env: dict[str, str], *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(VENV_BIN / "equipoise"), *args], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


class ProductionServer:
    """`equipoise serve --production` in a process group of its own (master and workers)."""

    def __init__(self, env: dict[str, str], log: Path):
        self.env = dict(env)
        self.port = free_port()
        self.env["EQUIPOISE_BIND"] = f"127.0.0.1:{self.port}"
        self.url = f"https://127.0.0.1:{self.port}"
        self.log_path = log
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 300) -> ProductionServer:
        log = open(self.log_path, "a")
        self.process = subprocess.Popen([str(VENV_BIN / "equipoise"), "serve", "--production"], env=self.env,
                                        cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/login/", timeout=5, context=INSECURE).read()
                return self
            except urllib.error.HTTPError:
                return self
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("server did not start: " + self.log_path.read_text()[-3000:]) from None
                time.sleep(0.3)

    def kill9(self) -> None:
        """SIGKILL to the master and every worker at once, as a power cut would."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)

    def log_lines(self) -> list[str]:
        return self.log_path.read_text().splitlines()

    def json_log(self) -> list[dict]:
        out = []
        for line in self.log_lines():
            if line.startswith("{"):
                with contextlib.suppress(ValueError):
                    out.append(json.loads(line))
        return out


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Session:
    """One signed-in browser session over HTTPS (cookie jar, CSRF token)."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect,
                                                  urllib.request.HTTPSHandler(context=INSECURE))

    def get(self, path: str, timeout: float = 60) -> tuple[int, dict[str, str], bytes]:
        try:
            with self.opener.open(self.base + path, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def post(self, path: str, data: dict | None = None, timeout: float = 60) -> tuple[int, dict[str, str]]:
        body = urllib.parse.urlencode(data or {}, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST",
                                         headers={"X-CSRFToken": self.csrf(), "Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers)

    def login(self, username: str, password: str = PASSWORD, second_factor: str = "") -> None:
        """Sign in; `second_factor` is a recovery code (production asks one of enrolled accounts)."""
        self.get("/login/")
        status, headers = self.post("/login/", {"username": username, "password": password})
        assert status == 302, f"login answered {status}"
        if second_factor:
            self.get("/account/second-factor/")
            status, headers = self.post("/account/second-factor/", {"otp_code": second_factor})
            assert status == 302, f"second factor answered {status}"
