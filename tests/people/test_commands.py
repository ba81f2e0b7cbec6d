"""`equipoise admin/site/user`: the command line runs the same actions as the pages, audited alike."""

from __future__ import annotations

import pytest

from equipoise import cli

from .conftest import events


@pytest.mark.django_db
def test_first_sponsor_admin_then_sites_and_users_from_the_command_line(protocol_version, capsys):
    from django.contrib.auth import get_user_model

    from equipoise.people.actions.accounts import open_invitation
    from equipoise.records.models import Membership, Site

    assert cli.main(["admin", "create-sponsor-admin", "chef", "--email", "chef@aphp.example",
                     "--first-name", "Paul", "--last-name", "Martin", "--base-url", "https://trial.example"]) == 0
    link = capsys.readouterr().out.strip().splitlines()[-1]
    assert link.startswith("https://trial.example/account/invitation/")
    assert open_invitation(link.rstrip("/").rsplit("/", 1)[1]).user.username == "chef"
    assert events("user.invite")[0].role == "command_line"
    # Only once: from then on the sponsor administrator invites the others.
    chef = get_user_model().objects.get(username="chef")
    chef.is_active = True
    chef.save()
    assert cli.main(["admin", "create-sponsor-admin", "second", "--email", "x@y.example",
                     "--first-name", "A", "--last-name", "B"]) == 1
    assert "already exists" in capsys.readouterr().err

    assert cli.main(["site", "add", "HEGP", "--name", "HEGP Dermatologie", "--city", "Paris",
                     "--principal-investigator", "Dr Roux", "--as", "chef"]) == 0
    assert cli.main(["site", "open", "HEGP", "--as", "chef"]) == 0
    assert Site.objects.get(code="HEGP").recruitment == "recruiting"
    assert cli.main(["user", "invite", "dr.roux", "--email", "roux@hegp.example", "--first-name", "Emma",
                     "--last-name", "Roux", "--role", "investigator@HEGP", "--as", "chef"]) == 0
    assert Membership.objects.get(user__username="dr.roux").site.code == "HEGP"
    assert cli.main(["user", "revoke", "dr.roux", "investigator@HEGP", "--as", "chef"]) == 0
    assert cli.main(["user", "grant", "chef", "monitor", "--as", "chef"]) == 1  # never one's own roles
    assert cli.main(["site", "add", "XX1", "--name", "n", "--city", "c", "--principal-investigator", "p",
                     "--as", "dr.roux"]) == 1  # not a sponsor administrator
    assert not Site.objects.filter(code="XX1").exists()
    capsys.readouterr()
    assert cli.main(["user", "list"]) == 0
    listing = capsys.readouterr().out
    assert "dr.roux" in listing and "invited" in listing and "sponsor_admin" in listing
    assert {e.action for e in events("role.revoke")} == {"role.revoke"}
