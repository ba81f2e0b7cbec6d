"""A refused change on the administrator's pages changes nothing and keeps what was typed.

The page comes back with the refusal's own status, the refusal beside the form that was sent (its
folded section open), and the reason, role and site as they were chosen.
"""

from __future__ import annotations

import html
import re

import pytest


def _field(page: str, input_id: str) -> str:
    match = re.search(rf'<input id="{input_id}"[^>]*>', page)
    assert match, f"no input {input_id}"
    return match.group(0)


@pytest.mark.django_db
def test_refused_grant_keeps_the_role_and_says_why(client, people):
    from equipoise.records.models import Membership

    before = Membership.objects.count()
    client.force_login(people["sponsor"])
    response = client.post("/administration/users/dm/grant/", {"role": "investigator", "site": ""},
                           HTTP_ACCEPT_LANGUAGE="fr")
    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "Rien n'a été modifié : le rôle Investigateur s'exerce dans un centre : choisissez le centre" in page
    assert '<option value="investigator" selected>' in page
    assert Membership.objects.count() == before


@pytest.mark.django_db
def test_refused_deactivation_keeps_the_reason_and_leaves_the_account_active(client, people):
    from equipoise.records.models import AuditEvent

    client.force_login(people["sponsor"])
    events_before = AuditEvent.objects.count()
    response = client.post("/administration/users/inv_a/deactivate/", {"reason": "   "}, HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was changed: a reason is required to deactivate an account" in page
    assert "<details open><summary>Deactivate the account" in page
    assert 'value="   " aria-invalid="true"' in _field(page, "deactivate-reason")
    people["inv_a"].refresh_from_db()
    assert people["inv_a"].is_active
    assert AuditEvent.objects.filter(action="user.deactivate").count() == 0
    assert AuditEvent.objects.count() == events_before


@pytest.mark.django_db
def test_refused_site_change_keeps_the_reason_on_its_row(client, people, admin_actor):
    from equipoise.people.actions.sites import add_site, open_site
    from equipoise.records.models import Site, SiteRecruitment

    add_site(admin_actor, "CCH", "Hôpital Cochin", "Paris", "Pr Jeanne Martin")
    open_site(admin_actor, "CCH")
    client.force_login(people["sponsor"])
    # Someone else closed it meanwhile, then it was reopened; a second close from a stale page.
    assert client.post("/administration/sites/CCH/close/", {"reason": "target reached"}).status_code == 302
    response = client.post("/administration/sites/CCH/close/", {"reason": "target reached at last"},
                           HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 409
    assert "Nothing was changed: site CCH is already: Closed" in page
    assert Site.objects.get(code="CCH").recruitment == SiteRecruitment.CLOSED

