"""Two-factor sign-in: TOTP after the password, replay refused, lockout, recovery codes, production rule."""

from __future__ import annotations

import pytest
from django.test import Client

from .conftest import events, totp_code, wrong_code


def password_login(client, username="inv_a", password="correct-horse-battery"):
    return client.post("/login/", {"username": username, "password": password, "next": "/"})


@pytest.mark.django_db
def test_enrolled_user_must_give_a_code_after_the_password(client, people, enrolled):
    device, _ = enrolled(people["inv_a"])
    password_login(client)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/account/second-factor/")
    assert client.get("/subjects/TNN-0001/").status_code == 302  # no page before the code

    assert client.post("/account/second-factor/", {"otp_code": wrong_code(device), "next": "/"}).status_code == 403
    ok = client.post("/account/second-factor/", {"otp_code": totp_code(device, 1), "next": "/"})
    assert ok.status_code == 302 and ok["Location"] == "/"
    assert client.get("/").status_code == 200

    # The same code again (another session) is refused: replay.
    other = Client()
    password_login(other)
    replay = other.post("/account/second-factor/", {"otp_code": totp_code(device, 1), "next": "/"})
    assert replay.status_code == 403
    assert "already used" in replay.content.decode() or "déjà utilisé" in replay.content.decode()
    assert [e.reason for e in events("two_factor.failed")] == ["sign-in code", "sign-in code"]


@pytest.mark.django_db
def test_lockout_counts_wrong_codes(client, people, enrolled, settings):
    settings.LOGIN_LOCKOUT_FAILURES = 3
    device, _ = enrolled(people["inv_a"])
    password_login(client)
    for _ in range(3):
        assert client.post("/account/second-factor/", {"otp_code": wrong_code(device)}).status_code == 403
    assert events("login.lockout")
    locked = client.post("/account/second-factor/", {"otp_code": totp_code(device)})
    assert locked.status_code == 403 and client.get("/").status_code == 302
    # The password is locked too.
    assert password_login(Client()).status_code == 200


@pytest.mark.django_db
def test_recovery_code_signs_in_once(client, people, enrolled):
    _, codes = enrolled(people["inv_a"])
    password_login(client)
    assert client.post("/account/second-factor/", {"otp_code": codes[0]}).status_code == 302
    assert client.get("/").status_code == 200
    assert events("two_factor.recovery_code_used")[0].changes["recovery_codes_left"] == [None, 9]
    second = Client()
    password_login(second)
    assert second.post("/account/second-factor/", {"otp_code": codes[0]}).status_code == 403


@pytest.mark.django_db
def test_production_mode_requires_enrolment(client, people, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.REQUIRE_SECOND_FACTOR = True
    password_login(client)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/account/two-factor/")
    page = client.get("/account/two-factor/")
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=people["inv_a"])
    done = client.post("/account/two-factor/", {"otp_code": totp_code(device)})
    assert done.status_code == 200 and "<code>" in done.content.decode()
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_demo_and_test_mode_keep_password_only_sign_in(client, people, settings):
    assert settings.REQUIRE_SECOND_FACTOR is False
    password_login(client)
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_unblinding_asks_the_code_of_an_enrolled_user(people, enrolled, actor_of):
    from equipoise.allocation.actions.unblinding import emergency_unblind
    from equipoise.records.access import Rights
    from equipoise.records.actions.errors import ActionRefused
    from equipoise.records.actions.subjects import create_subject
    from equipoise.records.roles import Role

    enrolled(people["assessor_a"])
    actor = actor_of(people["assessor_a"], Role.BLINDED_ASSESSOR, "TNN")
    subject = create_subject(actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN"), people["site_a"], "nct06965244")
    with pytest.raises(ActionRefused, match="code") as refused:
        emergency_unblind(actor, Rights(frozenset({Role.BLINDED_ASSESSOR, Role.INVESTIGATOR})), subject,
                          "anaphylaxis, treatment depends on arm", "correct-horse-battery", otp_code="999999")
    assert refused.value.errors[0].field == "otp_code"
    assert events("subject.emergency_unblind_refused")[0].changes == {"otp_code": [None, "wrong"]}
