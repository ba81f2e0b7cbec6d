"""The 403 and 404 pages keep the menu and offer a way back, in the user's language."""

from django.test import Client


def test_404_and_403_keep_the_menu_and_a_way_back(people):
    client = Client()
    client.force_login(people["pharm_a"])
    missing = client.get("/subjects/NOPE-0001/", HTTP_ACCEPT_LANGUAGE="fr")
    assert missing.status_code == 404
    body = missing.content.decode()
    assert "Page introuvable" in body and "<nav" in body and 'href="/"' in body and "Retour à l'accueil" in body
    refused = client.get("/audit/", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403
    body = refused.content.decode()
    assert "Not allowed" in body and "<nav" in body and "Back to the home page" in body
    assert "/audit/" not in body.split("<nav")[1].split("</nav>")[0]  # the menu does not offer it
