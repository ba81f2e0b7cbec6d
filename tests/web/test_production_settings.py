"""A trial system refuses to start outside demo or test mode without a real secret key."""

import os
import subprocess
import sys


def _import_settings(env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("EQUIPOISE_")}
    env.update(env_overrides)
    return subprocess.run([sys.executable, "-c", "import equipoise.settings as s; print(s.DEBUG, s.MODE)"],
                          env=env, capture_output=True, text=True)


def test_production_without_a_secret_refuses_to_start():
    result = _import_settings({"EQUIPOISE_MODE": "production"})
    assert result.returncode != 0 and "EQUIPOISE_SECRET_KEY is not set" in result.stderr


def test_production_with_a_short_secret_refuses_to_start():
    result = _import_settings({"EQUIPOISE_MODE": "production", "EQUIPOISE_SECRET_KEY": "too-short"})
    assert result.returncode != 0 and "at least 50 characters" in result.stderr


def test_production_with_a_real_secret_starts_without_debug():
    result = _import_settings({"EQUIPOISE_MODE": "production", "EQUIPOISE_SECRET_KEY": "x" * 64,
                               "EQUIPOISE_DEBUG": "1"})
    assert result.returncode == 0 and result.stdout.strip() == "False production"


def test_unknown_mode_is_refused():
    result = _import_settings({"EQUIPOISE_MODE": "staging"})
    assert result.returncode != 0 and "EQUIPOISE_MODE" in result.stderr
