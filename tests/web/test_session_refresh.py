"""Page views do not write the session every time, and the idle timeout still slides."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from equipoise.web.session_refresh import TOUCHED


def session_writes(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured if "django_session" in q["sql"]
            and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]


def test_a_page_view_writes_the_session_only_once_a_minute(people):
    client = Client()
    assert client.post("/login/", {"username": "inv_a", "password": "correct-horse-battery"}).status_code == 302
    session_writes(client, "/")  # the first view after login may stamp the session
    assert session_writes(client, "/") == []
    assert session_writes(client, "/worklist/") == []
    session = client.session
    session[TOUCHED] = session[TOUCHED] - 61  # as if the last save were more than a minute ago
    session.save()
    assert len(session_writes(client, "/")) == 1  # the expiry moves on
    assert session_writes(client, "/") == []
