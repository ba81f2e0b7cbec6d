"""The engine serves whichever protocols are loaded: nothing in the code names one.

A second protocol (the bundled one copied under another id) is loaded next to the first; new
subjects join the protocol named, pages and commands take the one asked for, and with several
loaded and none named they ask instead of guessing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.exceptions import BadRequest
from django.test import Client
from django.urls import reverse

from equipoise.records.loaded_protocols import chosen_protocol_id, loaded_protocol_ids
from equipoise.records.models import Subject
from equipoise.records.protocol_versions import store_protocol_version

PROTOCOL_DIR = Path(__file__).resolve().parents[2] / "protocols" / "nct06965244"


@pytest.fixture
def second_protocol(people, tmp_path):
    directory = tmp_path / "othertrial"
    shutil.copytree(PROTOCOL_DIR, directory)
    version, _ = store_protocol_version(directory)
    return version.protocol_id


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_with_one_protocol_loaded_it_is_the_one(people):
    assert loaded_protocol_ids() == ["nct06965244"]
    assert chosen_protocol_id() == "nct06965244"
    with pytest.raises(BadRequest, match="not loaded"):
        chosen_protocol_id("othertrial")


def test_with_two_loaded_the_caller_names_one(second_protocol):
    assert loaded_protocol_ids() == ["nct06965244", second_protocol]
    assert chosen_protocol_id(second_protocol) == second_protocol
    with pytest.raises(BadRequest, match="name the protocol"):
        chosen_protocol_id()


def test_a_new_subject_joins_the_protocol_named(people, second_protocol):
    client = signed_in(people["inv_a"])
    page = client.get(reverse("subjects")).content.decode()
    assert f'<option value="{second_protocol}">' in page and '<option value="nct06965244">' in page

    refused = client.post(reverse("subject-create"), {"site": "TNN"}, follow=True)
    assert "name the protocol" in refused.content.decode()
    assert not Subject.objects.exists()

    created = client.post(reverse("subject-create"), {"site": "TNN", "protocol": second_protocol})
    subject = Subject.objects.get()
    assert subject.protocol_id == second_protocol
    assert created["Location"] == reverse("subject", kwargs={"code": subject.code})
    assert signed_in(people["inv_a"]).get(created["Location"]).status_code == 200


def test_site_pages_take_the_protocol_asked_for(people, second_protocol):
    client = signed_in(people["inv_a"])
    assert client.get(reverse("treatment-worklist")).status_code == 400
    assert client.get(reverse("treatment-worklist") + f"?protocol={second_protocol}").status_code == 200
    assert client.get(reverse("treatment-worklist") + "?protocol=unknown").status_code == 400
    # The site worklist of queries and drafts covers the subjects of every protocol.
    assert client.get(reverse("worklist")).status_code == 200
