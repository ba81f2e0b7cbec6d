"""Sessions: a user sees and ends theirs; deactivation ends every session and API token at once."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from .conftest import events


@pytest.mark.django_db
def test_user_sees_and_ends_own_sessions(people):
    from equipoise.people.models import UserSession

    laptop, phone = Client(HTTP_USER_AGENT="Laptop"), Client(HTTP_USER_AGENT="Phone")
    for c in (laptop, phone):
        assert c.post("/login/", {"username": "inv_a", "password": "correct-horse-battery"}).status_code == 302
    page = laptop.get("/account/").content.decode()
    assert "Laptop" in page and "Phone" in page
    other = UserSession.objects.get(user_agent="Phone")
    laptop.post(f"/account/sessions/{other.pk}/end/")
    assert phone.get("/").status_code == 302  # back to the login page
    assert laptop.get("/").status_code == 200
    assert events("session.end")


@pytest.mark.django_db
def test_deactivation_stops_session_and_token_at_once(people, admin_actor):
    from equipoise.people.actions.accounts import deactivate
    from equipoise.records.actions.api_tokens import create_token
    from equipoise.records.models import ApiToken

    browser = Client()
    browser.post("/login/", {"username": "inv_a", "password": "correct-horse-battery"})
    token = create_token(people["inv_a"], "lab import", timezone.now())
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert browser.get("/").status_code == 200
    assert api.get("/api/v1/subjects").status_code == 200

    deactivate(admin_actor, "inv_a", "left the hospital")
    assert browser.get("/").status_code == 302
    assert api.get("/api/v1/subjects").status_code == 401
    assert not ApiToken.objects.filter(user=people["inv_a"]).exists()
    assert Client().post("/login/", {"username": "inv_a", "password": "correct-horse-battery"}).status_code == 200
    ended = events("session.end_all")[0]
    assert ended.changes["api_tokens"] == [["lab import"], []]
    people["inv_a"].refresh_from_db()
    assert not people["inv_a"].is_active  # kept, never deleted


@pytest.mark.django_db
def test_nobody_deactivates_themselves(people, admin_actor):
    from equipoise.people.actions.accounts import deactivate
    from equipoise.records.actions.errors import ActionRefused

    with pytest.raises(ActionRefused, match="own"):
        deactivate(admin_actor, "sponsor", "testing")
    people["sponsor"].refresh_from_db()
    assert people["sponsor"].is_active
