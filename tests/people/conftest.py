"""Helpers for the people tests: codes computed from a device's key, as an authenticator app would."""

from __future__ import annotations

import time

import pytest


def totp_code(device, steps_ahead: int = 0) -> str:
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device) -> str:
    """A six-digit code no step in the accepted window produces (a fixed one is right about once a million runs)."""
    window = {totp_code(device, step) for step in range(-device.tolerance - 1, device.tolerance + 2)}
    return next(code for code in (f"{n:06d}" for n in range(123456, 1000000)) if code not in window)


@pytest.fixture(autouse=True)
def english():
    """Actions word their refusals in the reader's language; these tests read the English."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def admin_actor(people):
    from equipoise.people.authority import admin_actor

    return admin_actor(people["sponsor"], "test")


@pytest.fixture
def enrolled(people):
    """Give a user a confirmed authenticator app; returns (device, recovery codes)."""
    from equipoise.people.actions.two_factor import confirm_totp, pending_totp, self_actor

    def enrol(user):
        actor = self_actor(user, "test")
        device = pending_totp(actor)
        codes = confirm_totp(actor, device, totp_code(device))
        device.refresh_from_db()
        return device, codes

    return enrol


def events(action: str):
    from equipoise.records.models import AuditEvent

    return list(AuditEvent.objects.filter(action=action))
