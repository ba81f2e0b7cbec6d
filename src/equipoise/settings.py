"""Django settings, read from the environment.

- `DATABASE_URL` switches to PostgreSQL (e.g. postgres://postgres@127.0.0.1:5432/equipoise);
  without it the embedded SQLite database lives in `var/equipoise.sqlite3`.
- `EQUIPOISE_MODE` is `production` (the default), `demo` or `test`. Outside demo and test the
  system refuses to start without a real `EQUIPOISE_SECRET_KEY`.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent
# The checkout holding `protocols/` (src layout: two levels up), unless EQUIPOISE_HOME says otherwise.
_CHECKOUT = BASE_DIR.parents[1]
PROJECT_DIR = Path(os.environ.get("EQUIPOISE_HOME", _CHECKOUT if (_CHECKOUT / "protocols").is_dir() else Path.cwd()))
VAR_DIR = Path(os.environ.get("EQUIPOISE_VAR", PROJECT_DIR / "var"))
PROTOCOLS_DIR = Path(os.environ.get("EQUIPOISE_PROTOCOLS", PROJECT_DIR / "protocols"))

MODE = os.environ.get("EQUIPOISE_MODE", "production")
if MODE not in {"production", "demo", "test"}:
    raise ImproperlyConfigured(f"EQUIPOISE_MODE must be production, demo or test, not {MODE!r}")


def _secret_key() -> str:
    key = os.environ.get("EQUIPOISE_SECRET_KEY", "")
    if key:
        if len(key) < 50:
            raise ImproperlyConfigured("EQUIPOISE_SECRET_KEY must be at least 50 characters")
        return key
    if MODE == "production":
        raise ImproperlyConfigured(
            "EQUIPOISE_SECRET_KEY is not set. Set a random secret of 50+ characters, "
            "or run with EQUIPOISE_MODE=demo for a local demonstration."
        )
    if MODE == "test":
        return secrets.token_urlsafe(64)
    key_file = VAR_DIR / "demo-secret-key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("EQUIPOISE_DEBUG") == "1" and MODE != "production"
ALLOWED_HOSTS = [h for h in os.environ.get("EQUIPOISE_ALLOWED_HOSTS", "").split(",") if h]
if MODE != "production":
    ALLOWED_HOSTS += ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "equipoise.records",
    "equipoise.web",
    "equipoise.allocation",
    "equipoise.treatment",
    "equipoise.stats_db",
    "equipoise.exports",
    "equipoise.people",
    "django_tasks_db",
    "equipoise.operations",
]

MIDDLEWARE = [
    "equipoise.operations.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "equipoise.web.session_refresh.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "equipoise.web.middleware.RequestIdMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "equipoise.people.middleware.SecondFactorMiddleware",
]

ROOT_URLCONF = "equipoise.urls"
WSGI_APPLICATION = "equipoise.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "equipoise.web.context_processors.roles",
                "equipoise.web.context_processors.public_trials",
                "equipoise.web.context_processors.choices",
            ],
        },
    }
]


def _database() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Persistent connections (one per worker thread), checked before reuse after an error.
        database: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True))
        if database["ENGINE"] == "django.db.backends.postgresql":
            # No JIT compilation: past a cost of 100,000 (a list page's counts once the trial holds
            # about 10,000 subjects) PostgreSQL compiled each statement anew, 100 to 500 ms a time,
            # more than the statement itself then took to run (EXPLAIN ANALYZE, benchmarks/web_load.py).
            options: dict[str, Any] = database.setdefault("OPTIONS", {})
            options["options"] = f"{options.get('options', '')} -c jit=off".strip()
        return database
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "equipoise.sqlite3",
        "OPTIONS": {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGIN_LOCKOUT_FAILURES = int(os.environ.get("EQUIPOISE_LOCKOUT_FAILURES", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("EQUIPOISE_LOCKOUT_MINUTES", "15"))

# Two-factor sign-in (django-otp TOTP): every account must enrol in production; optional in demo
# and test, where the demo logins sign in with a password alone until their holder enrols.
REQUIRE_SECOND_FACTOR = MODE == "production"
OTP_TOTP_ISSUER = "Equipoise"
# Guessing is stopped by the sign-in lockout, which counts wrong codes with wrong passwords;
# django-otp's own growing delay would refuse a right code typed just after a wrong one.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
INVITATION_VALID_HOURS = 72
PASSWORD_RESET_TIMEOUT = 60 * 60  # a forgotten-password link is valid one hour
RECOVERY_CODES = 10

SESSION_COOKIE_AGE = 30 * 60
# The idle timeout slides by re-saving the session at most once a minute, not on every page view
# (see web/session_refresh.py): reads stay reads.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if MODE == "production":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    # Production is HTTPS only: TLS in the server itself (EQUIPOISE_TLS_CERT / EQUIPOISE_TLS_KEY) or
    # in a reverse proxy that says so in X-Forwarded-Proto (EQUIPOISE_BEHIND_TLS_PROXY=1). Plain HTTP is
    # redirected, except /health/ for the hospital's monitoring.
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    if os.environ.get("EQUIPOISE_BEHIND_TLS_PROXY") == "1":
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # HSTS for subdomains and preload are on unless the hospital's IT turns them off deliberately
    # (other services on subdomains still on HTTP); turning one off silences its deploy check.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("EQUIPOISE_HSTS_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("EQUIPOISE_HSTS_PRELOAD", "1") == "1"
    SILENCED_SYSTEM_CHECKS = ([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]) + (
        [] if SECURE_HSTS_PRELOAD else ["security.W021"])
    # Static files served by the application itself (whitenoise), compressed, from STATIC_ROOT,
    # which `equipoise serve --production` fills (collectstatic) before starting.
    MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                      "whitenoise.middleware.WhiteNoiseMiddleware")
    STORAGES = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}}

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Statistics pages serve figures computed at most this many seconds ago while data entry goes on
# (stats_db/computed.py); the statistician can ask for a fresh computation at any time.
STATS_MAX_AGE = int(os.environ.get("EQUIPOISE_STATS_MAX_AGE", "900"))

DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("EQUIPOISE_STATIC_ROOT", VAR_DIR / "static"))



def _mailer() -> dict:
    """The email backend from the environment: SMTP in production, the console elsewhere, unless told.

    SMTP settings: EQUIPOISE_EMAIL_HOST, _PORT, _USER, _PASSWORD, _USE_TLS=1 or _USE_SSL=1.
    """
    smtp, console = "django.core.mail.backends.smtp.EmailBackend", "django.core.mail.backends.console.EmailBackend"
    backend = os.environ.get("EQUIPOISE_EMAIL_BACKEND", smtp if MODE == "production" else console)
    options: dict = {}
    if backend.endswith("smtp.EmailBackend"):
        options = {"host": os.environ.get("EQUIPOISE_EMAIL_HOST", "localhost"),
                   "port": int(os.environ.get("EQUIPOISE_EMAIL_PORT", "25")),
                   "username": os.environ.get("EQUIPOISE_EMAIL_USER", ""),
                   "password": os.environ.get("EQUIPOISE_EMAIL_PASSWORD", ""),
                   "use_tls": os.environ.get("EQUIPOISE_EMAIL_USE_TLS") == "1",
                   "use_ssl": os.environ.get("EQUIPOISE_EMAIL_USE_SSL") == "1",
                   "timeout": 30}
    elif backend.endswith("filebased.EmailBackend"):
        options = {"file_path": os.environ.get("EQUIPOISE_EMAIL_FILE_PATH", str(VAR_DIR / "mail"))}
    return {"BACKEND": backend, "OPTIONS": options} if options else {"BACKEND": backend}


MAILERS = {"default": _mailer()}
DEFAULT_FROM_EMAIL = os.environ.get("EQUIPOISE_FROM_EMAIL", "equipoise@localhost")
SPONSOR_SAFETY_EMAIL = os.environ.get("EQUIPOISE_SPONSOR_EMAIL", "pharmacovigilance@sponsor.invalid")

# Background work (reminders, nightly audit verification) goes through Django's tasks framework,
# queued in this database (django-tasks-db) and run by `equipoise worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The worker's clock: EQUIPOISE_CLOCK_SHIFT_HOURS moves the time the reminders are judged at forward
# (a rehearsal or a test of the schedule; never needed in normal running). Scheduler heartbeat older
# than EQUIPOISE_HEARTBEAT_MAX_AGE seconds turns /health/ red.
CLOCK_SHIFT_HOURS = float(os.environ.get("EQUIPOISE_CLOCK_SHIFT_HOURS", "0"))
HEARTBEAT_MAX_AGE_SECONDS = int(os.environ.get("EQUIPOISE_HEARTBEAT_MAX_AGE", "300"))

# One JSON line per request on standard error in production (equipoise.operations.request_log).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"bare": {"format": "%(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler"},
                 "json_lines": {"class": "logging.StreamHandler", "formatter": "bare"}},
    "loggers": {"equipoise.requests": {"handlers": ["json_lines"], "propagate": False,
                                       "level": "INFO" if MODE == "production" else "WARNING"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
