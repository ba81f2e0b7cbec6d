"""`equipoise serve --production`: refuse an unsafe configuration, then hand over to gunicorn.

gunicorn (pre-fork WSGI server, sync workers) serves the application; whitenoise, a middleware in
production mode, serves the collected static files. The environment says how:

- `EQUIPOISE_BIND` (default 127.0.0.1:8000) and `EQUIPOISE_WORKERS` (default 2 x cores + 1);
- `EQUIPOISE_TLS_CERT` / `EQUIPOISE_TLS_KEY`: gunicorn speaks HTTPS itself; or
  `EQUIPOISE_BEHIND_TLS_PROXY=1`: a reverse proxy on this machine terminates TLS and says so in
  X-Forwarded-Proto (trusted from `EQUIPOISE_FORWARDED_ALLOW_IPS`, default 127.0.0.1);
- anything else gunicorn knows through its own `GUNICORN_CMD_ARGS`.

Refused, with the reason, before anything listens: a mode other than production, DEBUG asked for,
no allowed hosts, no way to HTTPS, a warning from `check --deploy`, migrations not applied. A
missing or short secret key is refused when the settings load.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path


def refusals(environ: os._Environ | dict[str, str]) -> list[str]:
    """Every reason not to serve this configuration in production (empty: go ahead)."""
    from django.conf import settings
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    reasons = []
    if settings.MODE != "production":
        reasons.append(f"EQUIPOISE_MODE is {settings.MODE!r}: the production server runs only in production "
                       "mode (unset EQUIPOISE_MODE).")
    if environ.get("EQUIPOISE_DEBUG") == "1" or settings.DEBUG:
        reasons.append("EQUIPOISE_DEBUG=1: debug pages show settings and data to anyone; unset it.")
    if not settings.ALLOWED_HOSTS:
        reasons.append("EQUIPOISE_ALLOWED_HOSTS is empty: set the host name(s) the hospital's users type, "
                       "comma-separated (e.g. equipoise.hopital.fr).")
    cert, key = environ.get("EQUIPOISE_TLS_CERT", ""), environ.get("EQUIPOISE_TLS_KEY", "")
    behind_proxy = environ.get("EQUIPOISE_BEHIND_TLS_PROXY") == "1"
    if bool(cert) != bool(key):
        reasons.append("EQUIPOISE_TLS_CERT and EQUIPOISE_TLS_KEY go together: set both or neither.")
    elif cert:
        reasons += [f"{name} {path}: no such file." for name, path in
                    (("EQUIPOISE_TLS_CERT", cert), ("EQUIPOISE_TLS_KEY", key)) if not Path(path).is_file()]
    elif not behind_proxy:
        reasons.append("No HTTPS: set EQUIPOISE_TLS_CERT and EQUIPOISE_TLS_KEY (gunicorn serves HTTPS), or "
                       "EQUIPOISE_BEHIND_TLS_PROXY=1 when a reverse proxy terminates TLS.")
    out = io.StringIO()
    try:
        call_command("check", deploy=True, fail_level="WARNING", stdout=out, stderr=out)
    except SystemCheckError as exc:
        reasons.append(f"`check --deploy` is not clean:\n{exc}")
    if not reasons:
        from equipoise.operations.health import CheckFailed, check_migrations

        try:
            check_migrations()
        except CheckFailed as exc:
            reasons.append(f"{exc}; run `equipoise migrate` first.")
    return reasons


def default_workers() -> int:
    return 2 * (os.cpu_count() or 1) + 1


def gunicorn_argv(environ: os._Environ | dict[str, str]) -> list[str]:
    """The gunicorn command line for this environment."""
    argv = [sys.executable, "-m", "gunicorn", "equipoise.wsgi:application",
            "--bind", environ.get("EQUIPOISE_BIND", "127.0.0.1:8000"),
            "--workers", environ.get("EQUIPOISE_WORKERS", str(default_workers())),
            "--timeout", environ.get("EQUIPOISE_WORKER_TIMEOUT", "60"),
            "--graceful-timeout", "30",
            "--error-logfile", "-"]
    if environ.get("EQUIPOISE_TLS_CERT"):
        argv += ["--certfile", environ["EQUIPOISE_TLS_CERT"], "--keyfile", environ["EQUIPOISE_TLS_KEY"]]
    if environ.get("EQUIPOISE_BEHIND_TLS_PROXY") == "1":
        argv += ["--forwarded-allow-ips", environ.get("EQUIPOISE_FORWARDED_ALLOW_IPS", "127.0.0.1")]
    return argv


def static_fingerprint() -> str:
    """What the collected static files were made from: every source file's path, size and time."""
    import hashlib

    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collect_static() -> None:
    """Collect (and compress) the static files unless the sources are unchanged since last time."""
    from django.conf import settings
    from django.core.management import call_command

    stamp = Path(settings.STATIC_ROOT) / ".equipoise-sources"
    fingerprint = static_fingerprint()
    if stamp.is_file() and stamp.read_text() == fingerprint:
        return
    print("Collecting and compressing static files (first start or after an upgrade)...", file=sys.stderr, flush=True)
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint)


def serve_production() -> int:
    """Refuse or exec gunicorn (this process becomes its master, so signals reach it directly)."""
    from django.core.exceptions import ImproperlyConfigured

    try:
        from equipoise.django_setup import setup

        setup()
        reasons = refusals(os.environ)
    except ImproperlyConfigured as exc:
        reasons = [str(exc)]
    if reasons:
        print("Refusing to start the production server:", file=sys.stderr)
        for reason in reasons:
            print(f"- {reason}", file=sys.stderr)
        return 2
    collect_static()
    argv = gunicorn_argv(os.environ)
    print(f"Equipoise production server: gunicorn on {argv[argv.index('--bind') + 1]}, "
          f"{argv[argv.index('--workers') + 1]} workers", file=sys.stderr, flush=True)
    os.execv(argv[0], argv)
    return 0  # not reached
