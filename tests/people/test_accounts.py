"""Accounts: invitation, roles, deactivation, passwords; every refusal changes nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from equipoise.records.actions.errors import ActionRefused

from .conftest import events, totp_code, wrong_code

LINK = re.compile(r"http://testserver(/account/invitation/[^/\s]+/)")


def invite_investigator(client, people, username="dr.claire"):
    client.force_login(people["sponsor"])
    with pytest.MonkeyPatch.context():
        response = client.post("/administration/users/", {
            "username": username, "email": f"{username}@hopital.example", "first_name": "Claire",
            "last_name": "Dubois", "role": "investigator", "site": "TNN"}, follow=True)
    assert response.status_code == 200
    client.logout()
    return LINK.search(mail.outbox[-1].body).group(1)


@pytest.mark.django_db(transaction=True)
def test_invitation_sets_password_and_second_factor_once(client, people):
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    path = invite_investigator(client, people)
    user = get_user_model().objects.get(username="dr.claire")
    assert not user.is_active and not user.has_usable_password()
    assert user.memberships.get().role == "investigator"
    assert "72" in mail.outbox[-1].body

    page = client.get(path)
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    # A weak password is refused: nothing changes, the link still works.
    weak = client.post(path, {"password": "password", "again": "password", "otp_code": totp_code(device)})
    assert weak.status_code == 400
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()

    # A wrong code: refused and audited.
    wrong = client.post(path, {"password": "Tenon-lupus-2026!", "again": "Tenon-lupus-2026!", "otp_code": wrong_code(device)})
    assert wrong.status_code == 403
    assert events("two_factor.failed")

    done = client.post(path, {"password": "Tenon-lupus-2026!", "again": "Tenon-lupus-2026!",
                              "otp_code": totp_code(device)})
    assert done.status_code == 200
    assert len(re.findall(r"<li><code>", done.content.decode())) == 10  # recovery codes shown once
    user.refresh_from_db()
    assert user.is_active and user.check_password("Tenon-lupus-2026!")
    assert {e.action for e in events("user.invitation_accept") + events("two_factor.enrol")} == {
        "user.invitation_accept", "two_factor.enrol"}

    # Reused: refused with a clear message, audited.
    client.logout()
    again = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 410 and "already used" in again.content.decode()
    french = client.get(path, HTTP_ACCEPT_LANGUAGE="fr")
    assert "cette invitation a déjà été utilisée" in french.content.decode()
    assert events("user.invitation_refused")


@pytest.mark.django_db
def test_expired_invitation_refused_and_audited(people, admin_actor):
    from equipoise.people.actions.accounts import invite, open_invitation

    past = timezone.now() - dt.timedelta(hours=73)
    _, link = invite(admin_actor, "late", "late@example.org", "Léa", "Tard", [("monitor", None)],
                     lambda token: token, now=past)
    with pytest.raises(ActionRefused, match="expired") as refused:
        open_invitation(link)
    assert refused.value.status == 410
    assert events("user.invitation_refused")[0].reason.startswith("this invitation has expired")
    # Within 72 hours it opens.
    _, fresh = invite(admin_actor, "early", "early@example.org", "Léo", "Tôt", [("monitor", None)],
                      lambda token: token, now=timezone.now() - dt.timedelta(hours=71))
    assert open_invitation(fresh).user.username == "early"


@pytest.mark.django_db
def test_roles_granted_and_revoked_by_sponsor_only_never_self(client, people, admin_actor):
    from equipoise.people.actions.accounts import grant_role, revoke_role
    from equipoise.records.models import AuditEvent, Membership

    grant_role(admin_actor, "inv_a", "investigator", "SLS")
    assert Membership.objects.filter(user=people["inv_a"], site__code="SLS").exists()
    revoke_role(admin_actor, "inv_a", "investigator", "SLS")
    assert not Membership.objects.filter(user=people["inv_a"], site__code="SLS").exists()
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="role.")] == ["role.grant", "role.revoke"]

    before = Membership.objects.count()
    with pytest.raises(ActionRefused, match="own roles"):
        grant_role(admin_actor, "sponsor", "statistician", None)
    with pytest.raises(ActionRefused, match="held at one site"):
        grant_role(admin_actor, "dm", "investigator", None)
    with pytest.raises(ActionRefused, match="across all sites"):
        grant_role(admin_actor, "dm", "sponsor_admin", "TNN")
    assert Membership.objects.count() == before
    assert events("role.grant_refused")

    # Someone without the right: 403, audited, nothing granted.
    client.force_login(people["inv_a"])
    response = client.post("/administration/users/inv_b/grant/", {"role": "investigator", "site": "TNN"})
    assert response.status_code == 403
    assert Membership.objects.count() == before
    assert AuditEvent.objects.filter(action="role.grant_refused", username="inv_a").exists()


@pytest.mark.django_db
def test_change_password_needs_current_and_a_strong_one(client, people):
    client.force_login(people["inv_a"])
    wrong = client.post("/account/password/", {"current": "nope", "new": "Another-long-pass-1", "again": "Another-long-pass-1"})
    assert wrong.status_code == 403 and events("password.change_refused")
    weak = client.post("/account/password/", {"current": "correct-horse-battery", "new": "12345678", "again": "12345678"})
    assert weak.status_code == 400
    people["inv_a"].refresh_from_db()
    assert people["inv_a"].check_password("correct-horse-battery")
    ok = client.post("/account/password/", {"current": "correct-horse-battery", "new": "Another-long-pass-1",
                                            "again": "Another-long-pass-1"})
    assert ok.status_code == 302
    people["inv_a"].refresh_from_db()
    assert people["inv_a"].check_password("Another-long-pass-1") and events("password.change")
    assert client.get("/").status_code == 200  # this session goes on


@pytest.mark.django_db(transaction=True)
def test_forgotten_password_link_works_once(client, people):
    people["inv_a"].email = "inv.a@hopital.example"
    people["inv_a"].save()
    client.post("/account/password-reset/", {"email": "inv.a@hopital.example"})
    client.post("/account/password-reset/", {"email": "nobody@nowhere.example"})
    assert len(mail.outbox) == 1
    path = re.search(r"http://testserver(/account/password-reset/\S+/)", mail.outbox[0].body).group(1)
    assert client.post(path, {"new": "short", "again": "short"}).status_code == 400
    assert client.post(path, {"new": "Brand-new-passw0rd", "again": "Brand-new-passw0rd"}).status_code == 302
    people["inv_a"].refresh_from_db()
    assert people["inv_a"].check_password("Brand-new-passw0rd")
    reused = client.get(path)
    assert reused.status_code == 410 and events("password.reset_refused") and events("password.reset")


@pytest.mark.django_db
def test_a_new_invitation_replaces_the_old_and_reactivation_is_audited(people, admin_actor):
    from equipoise.people.actions.accounts import (
        deactivate,
        invite,
        open_invitation,
        reactivate,
        reinvite,
    )

    _, first = invite(admin_actor, "nurse", "nurse@example.org", "Inès", "Roy", [("pharmacist", "TNN")],
                      lambda token: token)
    second = reinvite(admin_actor, "nurse", lambda token: token)
    with pytest.raises(ActionRefused, match="replaced"):
        open_invitation(first)
    assert open_invitation(second).user.username == "nurse"
    with pytest.raises(ActionRefused, match="not accepted"):
        reactivate(admin_actor, "nurse", "back")

    deactivate(admin_actor, "inv_a", "on leave")
    with pytest.raises(ActionRefused, match="reason"):
        reactivate(admin_actor, "inv_a", " ")
    reactivate(admin_actor, "inv_a", "back from leave")
    people["inv_a"].refresh_from_db()
    assert people["inv_a"].is_active
    assert events("user.activate")[0].changes == {"is_active": [False, True]}
    assert [e.action for e in events("user.reinvite")] == ["user.reinvite"]
