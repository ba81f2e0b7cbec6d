"""Loading the committed list, the startup check on stored slots, and the CLI around both."""

import json

import pytest
from django.core import checks

from equipoise.allocation.actions.lists import load_list
from equipoise.allocation.checks import verify_stored_lists
from equipoise.allocation.models import ListSlot, RandomizationList
from equipoise.allocation.rehearsal import committed_list
from equipoise.cli import main
from equipoise.records.actions.errors import ActionRefused
from equipoise.records.models import AuditEvent, Site
from equipoise.records.roles import Role


def test_load_stores_one_row_per_slot_and_an_audit_event(committed, stat_actor):
    data, sha, report = committed
    rlist = load_list(stat_actor, "nct06965244", data, sha, report)
    assert rlist.active and rlist.sha256 == sha and "seed" not in rlist.report
    assert ListSlot.objects.filter(rlist=rlist).count() == data.count(b"\n")
    assert set(ListSlot.objects.values_list("stratum", flat=True)) == {
        "site=SLS|sle=false", "site=SLS|sle=true", "site=TNN|sle=false", "site=TNN|sle=true"}
    event = AuditEvent.objects.get(action="randomization.list_load")
    assert event.changes["sha256"] == [None, sha]


def test_commitment_mismatch_is_refused_and_stores_nothing(committed, stat_actor):
    data, sha, _ = committed
    other = "0" * 64
    with pytest.raises(ActionRefused) as refused:
        load_list(stat_actor, "nct06965244", data, other, None)
    assert refused.value.status == 409 and sha in refused.value.message and other in refused.value.message
    tampered = data.replace(b"lenalidomide", b"methotrexate", 1)
    with pytest.raises(ActionRefused):
        load_list(stat_actor, "nct06965244", tampered, sha, None)
    assert not RandomizationList.objects.exists() and not ListSlot.objects.exists()


def test_a_second_active_list_is_refused(active_list, committed, stat_actor):
    data, sha, report = committed
    with pytest.raises(ActionRefused) as refused:
        load_list(stat_actor, "nct06965244", data, sha, report)
    assert refused.value.status == 409 and "already active" in refused.value.message
    assert RandomizationList.objects.count() == 1


def test_strata_must_match_the_configured_sites(protocol, committed, stat_actor):
    data, sha, report = committed
    Site.objects.create(code="HEM", name="Henri-Mondor", city="Créteil")
    with pytest.raises(ActionRefused) as refused:
        load_list(stat_actor, "nct06965244", data, sha, report)
    assert refused.value.status == 422
    assert any("site=HEM|sle=false" in e.message for e in refused.value.errors)


def test_only_the_statistician_loads(committed, people, actor_of):
    data, sha, report = committed
    with pytest.raises(ActionRefused) as refused:
        load_list(actor_of(people["inv_a"], Role.INVESTIGATOR, "TNN"), "nct06965244", data, sha, report)
    assert refused.value.status == 403


def test_startup_check_fails_after_a_slot_is_edited_in_the_database(active_list):
    assert verify_stored_lists() == []
    assert not [m for m in checks.run_checks() if m.id == "allocation.E001"]
    slot = ListSlot.objects.filter(rlist=active_list).order_by("stratum", "position").first()
    other = "methotrexate" if slot.arm == "lenalidomide" else "lenalidomide"
    ListSlot.objects.filter(pk=slot.pk).update(arm=other)
    problems = verify_stored_lists()
    assert len(problems) == 1 and active_list.sha256 in problems[0] and "altered" in problems[0]
    errors = [m for m in checks.run_checks() if m.id == "allocation.E001"]
    assert len(errors) == 1 and errors[0].level == checks.ERROR


def test_startup_check_notices_a_deleted_slot(active_list):
    ListSlot.objects.filter(rlist=active_list).order_by("-stratum", "-position").first().delete()
    assert len(verify_stored_lists()) == 1


def test_cli_load_checks_the_commitment(tmp_path, protocol, people, capsys):
    data, sha, report = committed_list(protocol, "cli-seed", 6)
    path = tmp_path / "list.jsonl"
    path.write_bytes(data)
    (tmp_path / "list.jsonl.report.json").write_text(json.dumps(report))
    assert main(["randomization", "load", str(path), "--sha256", "f" * 64, "--user", "stat"]) == 1
    assert "not to the committed" in capsys.readouterr().err
    assert main(["randomization", "load", str(path), "--sha256", sha, "--user", "inv_a"]) == 1
    assert "not a statistician" in capsys.readouterr().err
    assert not RandomizationList.objects.exists()
    assert main(["randomization", "load", str(path), "--sha256", sha, "--user", "stat"]) == 0
    assert sha in capsys.readouterr().out
    assert RandomizationList.objects.get().report["sha256"] == sha
    assert main(["randomization", "check-stored"]) == 0
    ListSlot.objects.filter(position=1).update(block_size=99)
    assert main(["randomization", "check-stored"]) == 1
    assert "altered" in capsys.readouterr().err


def test_cli_load_reports_an_unreadable_file(tmp_path, capsys):
    assert main(["randomization", "load", str(tmp_path / "absent"), "--sha256", "a" * 64, "--user", "stat"]) == 2
    assert "cannot be read" in capsys.readouterr().err


def test_cli_load_refuses_a_report_that_carries_the_seed(tmp_path, protocol, people, capsys):
    data, sha, report = committed_list(protocol, "leaky-seed", 6)
    path = tmp_path / "list.jsonl"
    path.write_bytes(data)
    (tmp_path / "list.jsonl.report.json").write_text(json.dumps({**report, "seed": "leaky-seed"}))
    assert main(["randomization", "load", str(path), "--sha256", sha, "--user", "stat"]) == 1
    assert "carries the secret seed" in capsys.readouterr().err
    assert not RandomizationList.objects.exists()
