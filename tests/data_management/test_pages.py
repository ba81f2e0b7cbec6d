"""The data manager's locking and query ageing pages, the monitor's verification list, and the home
page's links to them: who may open them, what each button does and says, and flat query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from equipoise.records.actions.queries import raise_query
from equipoise.records.models import AuditEvent, DataQuery, FormRecord, FormState

from .conftest import LABS


def messages_of(html: str) -> list[str]:
    block = html.split('class="messages"')[1].split("</ul>")[0] if 'class="messages"' in html else ""
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)]


def home_lines(html: str) -> dict[str, tuple[int, str]]:
    found = re.findall(r'<li><a href="([^"]+)"><span class="due-count[^"]*">(\d+)</span> ([^<]+)</a></li>', html)
    return {text.strip(): (int(count), url.replace("&amp;", "&")) for url, count, text in found}


@pytest.mark.parametrize("url", ["/data/locking/", "/data/verification/", "/data/queries/"])
@pytest.mark.parametrize("name", ["inv_a", "pharm_a", "assessor_a", "stat"])
def test_site_staff_and_the_statistician_cannot_open_the_data_pages(people, client_for, name, url):
    assert client_for(people[name]).get(url).status_code == 403


def test_the_pages_are_each_for_their_role(people, client_for):
    assert client_for(people["monitor"]).get("/data/locking/").status_code == 403
    assert client_for(people["dm"]).get("/data/verification/").status_code == 403
    assert client_for(people["dm"]).get("/data/queries/").status_code == 200
    assert client_for(people["monitor"]).get("/data/queries/").status_code == 200


def test_the_data_manager_locks_a_visit_from_the_page_with_a_confirmation_and_a_message(trial, people, client_for):
    client = client_for(people["dm"])
    first = trial["first"]
    page = client.get("/data/locking/").content.decode()
    w0 = first.visits.get(visit_id="W0")
    action = f"/data/locking/visit/{w0.pk}/lock/"
    assert f'action="{action}"' in page
    confirm = page.split(f'action="{action}"')[1].split("</form>")[0]
    assert "<details>" in confirm and 'name="confirm" value="yes" required' in confirm
    assert ("I confirm: lock the 2 complete forms of TNN-0001 at Randomization (week 0). Nobody can change them "
            "until they are unlocked.") in confirm
    response = client.post(action, {"next": "/data/locking/?site=TNN"}, follow=True)  # the box not ticked
    assert messages_of(response.content.decode()) == ["Nothing was done: tick the box to confirm."]
    assert not FormRecord.objects.filter(state=FormState.LOCKED).exists()
    response = client.post(action, {"next": "/data/locking/?site=TNN", "confirm": "yes"}, follow=True)
    assert response.redirect_chain[-1][0] == "/data/locking/?site=TNN"
    assert messages_of(response.content.decode()) == ["2 forms of TNN-0001 · Randomization (week 0) locked."]
    assert set(FormRecord.objects.filter(visit=w0).values_list("state", flat=True)) == {FormState.LOCKED}


def test_a_visit_with_a_draft_offers_no_lock_and_the_subject_lock_is_refused_with_the_forms_named(
        trial, people, client_for):
    client = client_for(people["dm"])
    second = trial["second"]
    page = client.get("/data/locking/").content.decode()
    row = page.split(f'data-subject="{second.code}"')[1].split("</tr>")[0]
    w0 = second.visits.get(visit_id="W0")
    assert f"/data/locking/visit/{w0.pk}/lock/" not in row  # its one form is in draft: nothing to lock
    assert "1 in draft, 0 complete, 0 locked" in row
    assert f"/data/locking/subject/{second.code}/lock/" not in row  # the subject's lock is not offered either
    assert "1 form in draft blocks the lock" in row
    html = client.post(f"/data/locking/subject/{second.code}/lock/", {"confirm": "yes"}, follow=True).content.decode()
    [message] = messages_of(html)
    assert message.startswith("Nothing was locked: 1 form of TNN-0002 is still in draft")
    assert "Oral corticosteroids" in message or "Steroid" in message or "steroid" in message.lower()
    assert not FormRecord.objects.filter(subject=second, state=FormState.LOCKED).exists()


def test_the_site_lock_and_unlock_from_the_page(trial, people, client_for):
    client = client_for(people["dm"])
    html = client.post("/data/locking/site/SLS/lock/", {"confirm": "yes"}, follow=True).content.decode()
    assert messages_of(html) == ["2 forms of SLS locked."]
    html = client.post("/data/locking/site/SLS/unlock/", {"reason": "", "confirm": "yes"}, follow=True).content.decode()
    assert messages_of(html) == ["Say why the data are unlocked."]
    assert set(FormRecord.objects.filter(subject__site__code="SLS").values_list("state", flat=True)) == {"locked"}
    page = client.get("/data/locking/?show=locked").content.decode()
    assert 'id="unlock-reason-site-SLS"' in page and "I confirm: unlock these forms." in page
    html = client.post("/data/locking/site/SLS/unlock/", {"reason": "monitor found a transcription error",
                                                          "confirm": "yes"}, follow=True).content.decode()
    assert messages_of(html) == ["2 forms of SLS unlocked: they are complete again and the site may reopen them."]
    assert AuditEvent.objects.filter(action="form.unlock", reason="monitor found a transcription error").count() == 2


def test_lock_actions_answer_only_posts_and_only_the_data_manager(trial, people, client_for):
    first = trial["first"]
    assert client_for(people["dm"]).get(f"/data/locking/subject/{first.code}/lock/").status_code == 404
    assert client_for(people["dm"]).post(f"/data/locking/planet/{first.code}/lock/").status_code == 404
    for name in ("monitor", "inv_a", "sponsor"):
        response = client_for(people[name]).post(f"/data/locking/subject/{first.code}/lock/", {"confirm": "yes"})
        assert response.status_code == 403
    assert not FormRecord.objects.filter(state=FormState.LOCKED).exists()


def test_the_locking_page_costs_the_same_queries_whatever_the_number_of_subjects(
        trial, people, client_for, randomized, complete):
    client = client_for(people["dm"])
    client.get("/data/locking/")  # the first request of a session saves it
    with CaptureQueriesContext(connection) as small:
        assert client.get("/data/locking/").status_code == 200
    for _ in range(3):
        more = randomized("methotrexate", "male", None, days_ago=30)
        complete(more, "W0", "labs", LABS)
    with CaptureQueriesContext(connection) as larger:
        assert client.get("/data/locking/").status_code == 200
    assert len(larger) == len(small)


def test_the_monitor_lists_forms_awaiting_verification_and_verifies_one_on_its_page(trial, people, client_for):
    client = client_for(people["monitor"])
    page = client.get("/data/verification/").content.decode()
    table = page.split('id="awaiting-verification"')[1].split("</table>")[0]
    awaiting = FormRecord.objects.exclude(state=FormState.DRAFT).count()
    assert table.count("<tr>") == 1 + awaiting  # the head row, then each completed form; no draft
    labs = trial["first"].form_records.get(visit__visit_id="W0", form_id="labs")
    url = f"/subjects/{labs.subject.code}/visits/{labs.visit_id}/forms/labs/"
    assert url in table
    form_page = client.get(url).content.decode()
    assert "Not verified against the source yet." in form_page and f'action="{url}verify/"' in form_page
    html = client.post(url + "verify/", follow=True).content.decode()
    assert messages_of(html) == ["Blood tests is marked as verified against the source documents."]
    assert "Verified against the source by monitor" in html
    assert url not in client.get("/data/verification/").content.decode()
    assert client_for(people["dm"]).post(url + "verify/").status_code == 403


def test_the_verification_list_costs_the_same_queries_whatever_its_length(
        trial, people, client_for, randomized, complete):
    client = client_for(people["monitor"])
    client.get("/data/verification/")  # the first request of a session saves it
    with CaptureQueriesContext(connection) as small:
        client.get("/data/verification/")
    for _ in range(3):
        complete(randomized("methotrexate", "male", None, days_ago=30), "W0", "labs", LABS)
    with CaptureQueriesContext(connection) as larger:
        client.get("/data/verification/")
    assert len(larger) == len(small)


@pytest.fixture
def aged_queries(trial, dm):
    """Queries raised 2, 10, 40 and 45 days ago at TNN and 3 days ago at SLS; one closed, not counted."""
    first, other = trial["first"], trial["other"]
    labs = first.form_records.get(visit__visit_id="W0", form_id="labs")
    now = timezone.now()
    made = []
    for days in (2, 10, 40, 45, 50):
        query = raise_query(dm, labs, "lab_platelets_g_l", f"Please check, day {days}")
        DataQuery.objects.filter(pk=query.pk).update(raised_at=now - dt.timedelta(days=days))  # set the age
        made.append(query)
    DataQuery.objects.filter(pk=made[-1].pk).update(status="closed")
    query = raise_query(dm, other.form_records.get(form_id="labs"), "lab_platelets_g_l", "Unit?")
    DataQuery.objects.filter(pk=query.pk).update(raised_at=now - dt.timedelta(days=3))
    return made


def test_query_ageing_groups_open_queries_by_age_and_site(aged_queries, people, client_for):
    client = client_for(people["dm"])
    page = client.get("/data/queries/").content.decode()
    table = page.split('id="ageing"')[1].split("</table>")[0]
    tnn = re.findall(r">(\d+)</a>", table.split('data-site="TNN"')[1].split("</tr>")[0])
    sls = re.findall(r">(\d+)</a>", table.split('data-site="SLS"')[1].split("</tr>")[0])
    assert (tnn, sls) == (["1", "1", "2"], ["1", "0", "0"])
    assert re.findall(r">(\d+)</a>", table.split("<tfoot>")[1]) == ["2", "1", "2"]
    old = client.get("/data/queries/?age=old").content.decode().split('id="aged-queries"')[1]
    assert "day 40" in old and "day 45" in old and "day 2" not in old and "day 50" not in old
    assert old.index("day 45") < old.index("day 40")  # oldest first
    sls_only = client.get("/data/queries/?site=SLS").content.decode().split('id="aged-queries"')[1]
    assert "Unit?" in sls_only and "day 2" not in sls_only


def test_query_ageing_costs_the_same_queries_whatever_the_number_of_queries(aged_queries, trial, dm, people,
                                                                           client_for):
    client = client_for(people["dm"])
    client.get("/data/queries/")  # the first request of a session saves it
    with CaptureQueriesContext(connection) as small:
        client.get("/data/queries/")
    labs = trial["second"].form_records.get(form_id="labs")
    for n in range(5):
        raise_query(dm, labs, "lab_platelets_g_l", f"More {n}")
    with CaptureQueriesContext(connection) as larger:
        client.get("/data/queries/")
    assert len(larger) == len(small)


def test_the_home_pages_link_to_the_data_pages(aged_queries, trial, people, client_for):
    dm = client_for(people["dm"])
    found = home_lines(dm.get("/").content.decode())
    assert found["Complete forms awaiting lock"] == (
        FormRecord.objects.filter(state=FormState.COMPLETE).count(), "/data/locking/")
    assert found["Queries open for more than 30 days"] == (2, "/data/queries/?age=old")
    assert found["Queries open for less than 7 days"] == (2, "/data/queries/?age=fresh")
    assert "Complete forms awaiting source data verification" not in found
    monitor = client_for(people["monitor"])
    found = home_lines(monitor.get("/").content.decode())
    assert found["Complete forms awaiting source data verification"] == (
        FormRecord.objects.exclude(state=FormState.DRAFT).count(), "/data/verification/")
    assert "Complete forms awaiting lock" not in found
    for client, lines in ((dm, home_lines(dm.get("/").content.decode())), (monitor, found)):
        for text, (_count, url) in lines.items():
            assert client.get(url).status_code == 200, (text, url)


def test_the_audit_trail_shows_locks_and_verifications_in_plain_french(trial, people, client_for, dm, monitor):
    from equipoise.records.actions.data_lock import lock_visit
    from equipoise.records.actions.source_verification import verify_source_data

    first = trial["first"]
    w0 = first.visits.get(visit_id="W0")
    verify_source_data(monitor, first.form_records.get(visit=w0, form_id="labs"))
    lock_visit(dm, w0)
    page = client_for(people["dm"], "fr").get(f"/audit/?subject={first.code}").content.decode()
    trail = page.split("<tbody>")[1].split("</tbody>")[0]
    assert "vérification des données source" in trail and "Vérifié sur les documents source" in trail
    assert "verrouillé ou déverrouillé avec toute la visite" in trail and f"{first.code} W0" in trail
    for code in ("not_verified", "with_visit", "verification:"):
        assert code not in trail, code
