"""Sites: added, opened and closed by the sponsor administrator; strata and the public page follow."""

from __future__ import annotations

import pytest

from equipoise.records.actions.errors import ActionRefused

from .conftest import events


@pytest.mark.django_db
def test_add_open_close_site_audited_and_strata_follow(people, admin_actor, protocol_version, actor_of):
    from equipoise.allocation.stratum import configured_stratification
    from equipoise.people.actions.sites import add_site, close_site, open_site
    from equipoise.records.actions.subjects import create_subject
    from equipoise.records.models import Site
    from equipoise.records.protocol_versions import protocol_of
    from equipoise.records.roles import Role

    site = add_site(admin_actor, "cch", "Hôpital Cochin, Dermatologie", "Paris", "Pr Jeanne Martin")
    assert (site.code, site.recruitment, site.principal_investigator) == ("CCH", "not_yet_recruiting", "Pr Jeanne Martin")
    protocol = protocol_of(protocol_version)
    strata = configured_stratification(protocol)
    assert any("CCH" in label for label in strata.strata())

    # Not yet open: no patient can be screened there.
    actor = actor_of(people["inv_a"], Role.INVESTIGATOR, "CCH")
    with pytest.raises(ActionRefused, match="not open for recruitment"):
        create_subject(actor, site, protocol_version.protocol_id)
    assert not site.subjects.exists()

    open_site(admin_actor, "CCH")
    subject = create_subject(actor, Site.objects.get(code="CCH"), protocol_version.protocol_id)
    assert subject.code == "CCH-0001"
    close_site(admin_actor, "CCH", "recruitment target reached")
    with pytest.raises(ActionRefused, match="not open"):
        create_subject(actor, Site.objects.get(code="CCH"), protocol_version.protocol_id)

    assert [e.changes["recruitment"] for e in events("site.open")] == [["not_yet_recruiting", "recruiting"]]
    closed = events("site.close")[0]
    assert closed.reason == "recruitment target reached" and closed.username == "sponsor"
    assert events("site.create")[0].changes["principal_investigator"] == [None, "Pr Jeanne Martin"]


@pytest.mark.django_db
def test_site_refusals_change_nothing(people, admin_actor):
    from equipoise.people.actions.sites import add_site, open_site
    from equipoise.records.models import AuditEvent, Site

    before = (Site.objects.count(), AuditEvent.objects.count())
    for args, message in [(("TNN", "Dup", "Paris", "Dr X"), "already exists"),
                          (("t", "Bad", "Paris", "Dr X"), "2 to 8 capital"),
                          (("NEW", "", "Paris", "Dr X"), "Name is required"),
                          (("NEW", "New", "Paris", " "), "Principal investigator is required")]:
        with pytest.raises(ActionRefused, match=message):
            add_site(admin_actor, *args)
    with pytest.raises(ActionRefused, match="already"):
        open_site(admin_actor, "TNN")  # the persona sites are recruiting
    assert (Site.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.django_db
def test_site_pages_sponsor_only_and_public_page_lists_database_sites(client, people):
    from equipoise.records.models import AuditEvent

    client.force_login(people["inv_a"])
    assert client.get("/administration/sites/").status_code == 403
    response = client.post("/administration/sites/", {"code": "CCH", "name": "Cochin", "city": "Paris",
                                                      "principal_investigator": "Dr X"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="site.create_refused", username="inv_a").exists()

    client.force_login(people["sponsor"])
    response = client.post("/administration/sites/", {"code": "CCH", "name": "Hôpital Cochin", "city": "Paris",
                                                      "principal_investigator": "Dr X"}, follow=True)
    assert "CCH" in response.content.decode()
    client.post("/administration/sites/CCH/open/")
    page = client.get("/trials/nct06965244/?lang=en").content.decode()
    assert "Hôpital Cochin" in page and "Recruiting" in page
