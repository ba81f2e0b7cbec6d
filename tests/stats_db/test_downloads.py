"""DSMB parts, audit events for every document handed out, and the export -> analyse round trip."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


def _events(action):
    from equipoise.records.models import AuditEvent

    return list(AuditEvent.objects.filter(action=action).order_by("sequence"))


@pytest.mark.parametrize("username", ["sponsor", "inv_a", "assessor_a", "dm"])
def test_dsmb_closed_part_is_refused_to_everyone_but_the_statistician(people, client_for, username):
    response = client_for(people[username]).get("/stats/dsmb.pdf?part=closed")
    assert response.status_code == 403
    assert _events("report.dsmb") == []


def test_dsmb_download_is_audited_with_user_and_part(trial, people, client_for):
    from equipoise.records.audit import verify_ledger

    closed = client_for(people["stat"]).get("/stats/dsmb.pdf?part=closed")
    assert closed.status_code == 200 and closed.content.startswith(b"%PDF")
    opened = client_for(people["sponsor"]).get("/stats/dsmb.pdf?part=open")
    assert opened.status_code == 200 and opened.content.startswith(b"%PDF")
    events = _events("report.dsmb")
    assert [(e.username, e.role, e.changes["part"][1]) for e in events] == [
        ("stat", "statistician", "closed"), ("sponsor", "sponsor_admin", "open")]
    assert events[0].request_id == closed["X-Request-Id"]
    assert verify_ledger().intact


def test_unknown_dsmb_part_is_a_400(people, client_for):
    response = client_for(people["stat"]).get("/stats/dsmb.pdf?part=secret")
    assert response.status_code == 400
    assert "part: 'secret' must be one of open, closed" in response.content.decode()


def test_every_document_served_leaves_an_event(trial, people, client_for, today):
    client = client_for(people["stat"])
    for url in ("/stats/report.json", "/stats/consort.png", "/stats/table1/", "/stats/recruitment.svg",
                "/stats/dataset.json"):
        assert client.get(f"{url}?cutoff={today.isoformat()}").status_code == 200, url
    client.get("/stats/")  # the index serves no document
    events = _events("report.download")
    assert [e.changes["document"][1] for e in events] == [
        "report.json", "consort.png", "table1.html", "recruitment.svg", "dataset.json"]
    assert all(e.username == "stat" and e.changes["cutoff"][1] == today.isoformat() for e in events)
    assert [e.changes["arm_level"][1] for e in events] == [True, True, True, False, True]


def test_refused_request_leaves_no_download_event(trial, people, client_for):
    assert client_for(people["sponsor"]).get("/stats/dataset.json").status_code == 403
    assert _events("report.download") == []


def test_export_then_analyse_gives_the_in_database_primary_result(trial, people, client_for, tmp_path, capsys,
                                                                  today):
    from equipoise.cli import main

    path = tmp_path / "dataset.json"
    assert main(["stats", "export-dataset", "--output", str(path), "--user", "stat",
                 "--cutoff", today.isoformat()]) == 0
    capsys.readouterr()
    assert main(["stats", "analyse", "--dataset", str(path), "--json",
                 "--protocol", "protocols/nct06965244"]) == 0
    from_file = json.loads(capsys.readouterr().out)
    in_db = json.loads(client_for(people["stat"]).get(f"/stats/report.json?cutoff={today.isoformat()}").content)
    assert from_file == in_db["primary"]
    itt = from_file["itt"]
    # SLS-0002, randomized with its week-16 window still open, is not yet evaluable (not a
    # non-responder) in this interim analysis; the five randomized add up.
    assert sum(from_file["not_yet_evaluable"].values()) == 1 and from_file["final"] is False
    assert itt["treatment"]["n"] + itt["control"]["n"] == 4
    assert itt["treatment"]["responders"] + itt["control"]["responders"] == 2
    assert [e.changes["document"][1] for e in _events("report.download")] == ["dataset.json", "report.json"]


def test_cli_report_writes_every_file_and_refuses_the_sponsor(trial, tmp_path, capsys, today):
    from equipoise.cli import main

    out = tmp_path / "report"
    assert main(["stats", "report", "--cutoff", today.isoformat(), "--output", str(out), "--user", "sponsor"]) == 1
    assert "not an unblinded statistician" in capsys.readouterr().err
    assert not out.exists()
    assert main(["stats", "report", "--cutoff", today.isoformat(), "--output", str(out), "--user", "stat"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["consort.png", "consort.svg", "recruitment.svg", "report.html", "report.json", "table1.html"]
    data = json.loads((out / "report.json").read_text())
    assert data["consort"]["randomized"] == 5 and data["data_cutoff"] == today.isoformat()
    assert (out / "consort.png").read_bytes().startswith(b"\x89PNG")
    assert len(_events("report.download")) == 6
    # The files are in the statistician's own language (the site's French until they choose).
    assert "analyse statistique intermédiaire" in (out / "report.html").read_text()
    assert "Tableau 1" in (out / "table1.html").read_text()


def test_cli_report_speaks_the_statisticians_chosen_language(trial, people, tmp_path, today):
    from equipoise.cli import main
    from equipoise.people.languages import set_language

    set_language(people["stat"], "en")
    out = tmp_path / "report"
    assert main(["stats", "report", "--cutoff", today.isoformat(), "--output", str(out), "--user", "stat"]) == 0
    assert "interim statistical report" in (out / "report.html").read_text()


def test_analyse_names_a_bad_dataset(tmp_path, capsys):
    from equipoise.cli import main

    path = tmp_path / "broken.json"
    path.write_text(json.dumps({"format_version": 1, "trial_id": "X", "data_cutoff": "2026-13-01",
                                "arms": ["a", "b"], "visits": [], "subjects": []}))
    assert main(["stats", "analyse", "--dataset", str(path)]) == 2
    assert "dataset.data_cutoff must be an ISO date YYYY-MM-DD (got '2026-13-01')" in capsys.readouterr().err
