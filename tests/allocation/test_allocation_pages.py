"""Pages: the randomize button, the subject panel, the statistician's concealed pages."""

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from equipoise.allocation.models import Allocation, ListSlot
from equipoise.allocation.panel import subject_panel
from equipoise.records.access import subject_access
from equipoise.records.models import AuditEvent


def client_for(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def randomize(user, subject, **kwargs):
    return client_for(user, **kwargs).post(f"/subjects/{subject.code}/randomize/", {"confirm": "yes"})


def panel_html(user, subject):
    request = RequestFactory().get(f"/subjects/{subject.code}/")
    request.user = user
    subject, rights = subject_access(user, subject.code)
    return render_to_string("allocation/subject_panel.html", {"panel": subject_panel(request, subject, rights)},
                            request=request)


def test_investigator_randomizes_through_the_page(active_list, make_eligible, people):
    subject = make_eligible()
    assert "/randomize/" in panel_html(people["inv_a"], subject)
    response = randomize(people["inv_a"], subject)
    assert response.status_code == 302 and response["Location"] == f"/subjects/{subject.code}/"
    allocation = Allocation.objects.get(subject=subject)
    html = panel_html(people["inv_a"], subject)
    assert allocation.number in html and allocation.arm in html and "/randomize/" not in html


def test_the_blinded_assessor_sees_the_number_never_the_arm(active_list, make_eligible, people):
    subject = make_eligible()
    randomize(people["inv_a"], subject)
    allocation = Allocation.objects.get(subject=subject)
    html = panel_html(people["assessor_a"], subject)
    assert allocation.number in html
    assert "lenalidomide" not in html.lower() and "methotrexate" not in html.lower()
    assert "/unblind/" not in html  # emergency unblinding is the treating investigator's, not the assessor's


def test_post_needs_csrf(active_list, make_eligible, people):
    subject = make_eligible()
    assert randomize(people["inv_a"], subject, enforce_csrf_checks=True).status_code == 403
    assert not Allocation.objects.exists()


def test_other_site_gets_404_and_read_only_403(active_list, make_eligible, people):
    subject = make_eligible()
    assert randomize(people["inv_b"], subject).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", username="inv_b").exists()
    for name in ("monitor", "dm", "stat"):
        assert randomize(people[name], subject).status_code == 403, name
    assert randomize(people["assessor_a"], subject).status_code == 403
    assert not Allocation.objects.exists()


def test_not_eligible_page_lists_the_reasons(active_list, make_eligible, people, inv_a):
    from equipoise.records.actions.forms import save_form
    from equipoise.records.visits_setup import screening_visit

    subject = make_eligible()
    data = subject.form_records.get(form_id="screening").data
    save_form(inv_a, subject, screening_visit(subject), "screening", {**data, "neutrophils_g_l": 0.5},
              reason="new count")
    response = randomize(people["inv_a"], subject)
    assert response.status_code == 422
    assert "EX01" in response.content.decode()


def test_exhausted_page_answers_409(active_list, make_eligible, people):
    ListSlot.objects.filter(stratum="site=TNN|sle=false").update(used_at="2026-01-01T00:00Z")
    response = randomize(people["inv_a"], make_eligible())
    assert response.status_code == 409 and "site=TNN|sle=false" in response.content.decode()


@pytest.mark.parametrize("url", ["/randomization/", "/randomization/list/", "/randomization/balance/"])
def test_only_the_statistician_reads_the_list_pages(active_list, people, url):
    for name in ("inv_a", "assessor_a", "pharm_a", "dm", "monitor", "sponsor"):
        assert client_for(people[name]).get(url).status_code == 403, name
    assert client_for(people["stat"]).get(url).status_code == 200


def test_statistician_reads_the_slots_and_the_reading_is_audited(active_list, people):
    body = client_for(people["stat"]).get("/randomization/list/").content.decode()
    slot = ListSlot.objects.filter(rlist=active_list).order_by("stratum", "position").first()
    assert slot.stratum in body and body.count("<tr>") >= ListSlot.objects.count()
    assert AuditEvent.objects.filter(action="randomization.list_view", username="stat").exists()


def test_status_page_flags_strata_at_the_warning_level(active_list, people):
    stratum = ListSlot.objects.filter(stratum="site=SLS|sle=true")
    total = stratum.count()
    ids = list(stratum.order_by("position").values_list("id", flat=True)[: total - 1])
    ListSlot.objects.filter(id__in=ids).update(used_at="2026-01-01T00:00Z")
    body = client_for(people["stat"]).get("/randomization/").content.decode()
    assert "low-list-warning" in body and f"<td>{total - 1}</td><td>{total}</td>" in body


def test_balance_page_counts_allocations(active_list, make_eligible, people, inv_a):
    from equipoise.allocation.actions.randomize import randomize_subject

    arms = [randomize_subject(inv_a, make_eligible())[0].arm for _ in range(2)]
    body = client_for(people["stat"]).get("/randomization/balance/").content.decode()
    assert "site=TNN|sle=false" in body
    n_len = arms.count("lenalidomide")
    assert f"<td>{n_len}</td><td>{2 - n_len}</td>" in body


def test_randomizing_asks_first_and_says_what_was_done(active_list, make_eligible, people):
    subject = make_eligible()
    assert 'name="confirm" value="yes" required' in panel_html(people["inv_a"], subject)
    client = client_for(people["inv_a"])
    refused = client.post(f"/subjects/{subject.code}/randomize/", follow=True, headers={"accept-language": "en"})
    assert "Nothing was done: tick the box to confirm the randomization." in refused.content.decode()
    assert not Allocation.objects.exists() and not ListSlot.objects.filter(used_at__isnull=False).exists()
    done = client.post(f"/subjects/{subject.code}/randomize/", {"confirm": "yes"}, follow=True,
                       headers={"accept-language": "en"})
    number = Allocation.objects.get(subject=subject).number
    assert f"{subject.code} is randomized: randomization number {number}." in done.content.decode()
