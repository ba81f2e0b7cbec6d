"""POST /api/v1/subjects/{code}/randomize, on an API built here around the allocation router."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import path
from ninja import NinjaAPI

from equipoise.allocation.models import Allocation, ListSlot
from equipoise.api.auth import TokenAuth
from equipoise.api.errors import install_error_handlers
from equipoise.api.randomize import build_router
from equipoise.api.urls import token_checked
from equipoise.records.actions.api_tokens import create_token
from equipoise.records.actions.forms import save_form
from equipoise.records.visits_setup import screening_visit

_api = NinjaAPI(auth=TokenAuth(), urls_namespace="allocation-test-api")
install_error_handlers(_api)
_api.add_router("", build_router())
urlpatterns = [path("api/v1/", token_checked(_api.urls))]


@pytest.fixture(autouse=True)
def api_urls(settings):
    settings.ROOT_URLCONF = __name__


def call(user, subject):
    token = create_token(user, "test", dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    return Client().post(f"/api/v1/subjects/{subject.code}/randomize", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_201_then_200_with_the_same_allocation(active_list, make_eligible, people):
    subject = make_eligible()
    first = call(people["inv_a"], subject)
    assert first.status_code == 201
    body = first.json()
    allocation = Allocation.objects.get(subject=subject)
    assert body["randomization_number"] == allocation.number and body["arm"] == allocation.arm
    assert body["created"] is True and body["stratum"] == "site=TNN|sle=false"
    again = call(people["inv_a"], subject)
    assert again.status_code == 200 and again.json()["randomization_number"] == allocation.number
    assert again.json()["created"] is False


def test_422_lists_the_reasons(active_list, make_eligible, people, inv_a):
    subject = make_eligible()
    data = subject.form_records.get(form_id="screening").data
    save_form(inv_a, subject, screening_visit(subject), "screening", {**data, "pregnant": True}, reason="new test")
    response = call(people["inv_a"], subject)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["EX08"]


def test_404_other_site_403_other_roles_401_without_token(active_list, make_eligible, people):
    subject = make_eligible()
    assert call(people["inv_b"], subject).status_code == 404
    assert call(people["monitor"], subject).status_code == 403
    assert call(people["assessor_a"], subject).status_code == 403
    assert Client().post(f"/api/v1/subjects/{subject.code}/randomize").status_code == 401
    assert not Allocation.objects.exists()


def test_409_when_the_stratum_is_exhausted(active_list, make_eligible, people, earlier_allocations):
    earlier_allocations("site=TNN|sle=false", ListSlot.objects.filter(stratum="site=TNN|sle=false").count())
    response = call(people["inv_a"], make_eligible())
    assert response.status_code == 409 and response.json()["errors"][0]["rule"] == "exhausted"


def test_randomization_queries_do_not_grow_with_the_ledger(active_list, make_eligible, people, earlier_allocations,
                                                           django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counted(sle: bool) -> int:
        subject = make_eligible(sle=sle)
        with CaptureQueriesContext(connection) as captured:
            assert call(people["inv_a"], subject).status_code == 201
        return len(captured)

    counted(sle=True)  # warm the process (protocol parse)
    small = counted(sle=True)  # the second of its stratum
    earlier_allocations("site=TNN|sle=false", 6)
    subject = make_eligible()
    with django_assert_max_num_queries(small):
        assert call(people["inv_a"], subject).status_code == 201  # the seventh of its stratum
