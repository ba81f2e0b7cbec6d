"""The language of the emails a person receives: chosen at the invitation, on their own account page,
or by the sponsor administrator; French (the site's) until chosen. Each change is audited."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from equipoise.people.languages import by_language, language_of, set_language

from .conftest import events

LINK = re.compile(r"http://testserver(/account/invitation/[^/\s]+/)")


def invite(client, people, username: str, language: str | None):
    client.force_login(people["sponsor"])
    form = {"username": username, "email": f"{username}@hopital.example", "first_name": "Claire",
            "last_name": "Dubois", "role": "investigator", "site": "TNN"}
    if language:
        form["language"] = language
    response = client.post("/administration/users/", form, follow=True)
    assert response.status_code == 200
    return mail.outbox[-1]


@pytest.mark.django_db(transaction=True)
def test_the_invitation_is_written_in_the_language_chosen_for_the_person(client, people):
    english = invite(client, people, "dr.smith", "en")
    assert english.subject == "Your Equipoise account" and "Follow this link within 72 hours" in english.body
    french = invite(client, people, "dr.dubois", "fr")
    assert french.subject == "Votre compte Equipoise" and "72 heures" in french.body
    by_default = invite(client, people, "dr.martin", None)
    assert by_default.subject == "Votre compte Equipoise"
    (event,) = [e for e in events("user.invite") if e.object_id == "dr.smith"]
    assert event.changes["language"] == [None, "en"]


@pytest.mark.django_db(transaction=True)
def test_the_password_reset_email_is_in_the_persons_language(client, people):
    people["inv_a"].email = "inv.a@tenon.example"
    people["inv_a"].save()
    client.post("/account/password-reset/", {"email": "inv.a@tenon.example"})
    assert "mot de passe" in mail.outbox[-1].subject
    set_language(people["inv_a"], "en")
    client.post("/account/password-reset/", {"email": "inv.a@tenon.example"})
    assert mail.outbox[-1].subject == "Choose a new Equipoise password"


@pytest.mark.django_db
def test_a_person_chooses_the_language_of_their_emails_on_their_account_page(client, people):
    user = people["inv_a"]
    assert language_of(user) == "fr"
    client.force_login(user)
    page = client.get("/account/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Langue des courriels" in page and 'value="fr" lang="fr" selected' in page
    done = client.post("/account/language/", {"language": "en"}, HTTP_ACCEPT_LANGUAGE="fr", follow=True)
    assert "Les courriels qui vous sont envoyés seront écrits en anglais." in done.content.decode()
    assert language_of(user) == "en"
    (event,) = events("user.language")
    assert event.changes == {"language": ["fr", "en"]} and event.username == "inv_a"
    refused = client.post("/account/language/", {"language": "de"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "choose French or English" in refused.content.decode() and language_of(user) == "en"


@pytest.mark.django_db
def test_the_administrator_sets_a_persons_language_on_the_people_pages(client, people):
    client.force_login(people["sponsor"])
    page = client.get("/administration/users/inv_a/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Language of the emails" in page
    done = client.post("/administration/users/inv_a/language/", {"language": "en"}, HTTP_ACCEPT_LANGUAGE="en",
                       follow=True)
    assert "The emails to this person will be written in English." in done.content.decode()
    assert language_of(people["inv_a"]) == "en"
    assert events("user.language")[0].username == "sponsor"


@pytest.mark.django_db
def test_addresses_without_an_account_read_the_site_language(people):
    people["inv_a"].email = "inv.a@tenon.example"
    people["inv_a"].save()
    people["inv_b"].email = "inv.b@sls.example"
    people["inv_b"].save()
    set_language(people["inv_b"], "en")
    assert by_language(["desk@sponsor.example", "inv.a@tenon.example", "inv.b@sls.example"]) == {
        "fr": ["desk@sponsor.example", "inv.a@tenon.example"], "en": ["inv.b@sls.example"]}
