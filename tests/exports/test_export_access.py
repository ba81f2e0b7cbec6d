"""Who may take which export, through the command line; each export is an audit event."""

from __future__ import annotations

import json

import pytest

from equipoise.interchange.sdtm import ArmMode
from equipoise.records.roles import Role

pytestmark = pytest.mark.django_db


def test_export_rights_by_roles():
    from equipoise.exports.policy import export_rights

    for role in (Role.DATA_MANAGER, Role.MONITOR, Role.STATISTICIAN, Role.SPONSOR_ADMIN):
        rights = export_rights(frozenset({role}))
        assert rights.allowed and rights.arm_modes == frozenset(ArmMode)
    for role in (Role.INVESTIGATOR, Role.PHARMACIST, Role.BLINDED_ASSESSOR):
        assert not export_rights(frozenset({role})).allowed
    blinded_dm = export_rights(frozenset({Role.DATA_MANAGER, Role.BLINDED_ASSESSOR}))
    assert blinded_dm.allowed and blinded_dm.arm_modes == frozenset({ArmMode.MASKED})
    assert not blinded_dm.may_see_arm


@pytest.fixture
def blinded_data_manager(people):
    from equipoise.records.models import Membership

    Membership.objects.create(user=people["dm"], site=people["site_a"], role=Role.BLINDED_ASSESSOR.value)
    return people["dm"]


def _run(*argv):
    from equipoise.cli import main

    return main(list(argv))


def _events(action):
    from equipoise.records.models import AuditEvent

    return list(AuditEvent.objects.filter(action=action).order_by("sequence"))


def test_site_staff_are_refused_any_export(people, tmp_path, capsys):
    for user in ("inv_a", "assessor_a", "pharm_a"):
        assert _run("export", "odm", "--output", str(tmp_path / "x.xml"), "--user", user) == 1
        assert "data manager, the monitor, the statistician and the sponsor" in capsys.readouterr().err
        assert _run("export", "datasets", "--output", str(tmp_path / "d"), "--user", user) == 1
    assert not (tmp_path / "x.xml").exists() and not (tmp_path / "d").exists()
    assert not _events("export.odm") and not _events("export.datasets")


def test_blinded_role_is_refused_arms_but_gets_the_masked_export(blinded_data_manager, tmp_path, capsys):
    for arms in ("actual", "coded"):
        assert _run("export", "datasets", "--output", str(tmp_path / arms), "--user", "dm", "--arms", arms) == 1
        assert "blinded role" in capsys.readouterr().err
        assert not (tmp_path / arms).exists()
    assert not _events("export.datasets")
    assert _run("export", "datasets", "--output", str(tmp_path / "masked"), "--user", "dm", "--format", "json",
                "--domains", "DM,SV") == 0
    columns = [c["name"] for c in json.loads((tmp_path / "masked" / "dm.json").read_text())["columns"]]
    assert "ARM" not in columns and "ARMCD" not in columns


def test_exposure_needs_actual_arms(people, tmp_path, capsys):
    assert _run("export", "datasets", "--output", str(tmp_path / "c"), "--user", "stat", "--arms", "coded",
                "--domains", "EX") == 1
    assert "EX name the drug given" in capsys.readouterr().err
    assert not _events("export.datasets")


def test_every_export_is_an_audit_event(people, tmp_path, capsys):
    from equipoise.records.audit import verify_ledger
    from equipoise.stats_db.computed import data_mark

    mark = data_mark()
    assert _run("export", "odm", "--type", "snapshot", "--output", str(tmp_path / "s.xml"), "--user", "monitor",
                "--cutoff", "2099-01-31") == 0
    assert _run("export", "datasets", "--output", str(tmp_path / "d"), "--user", "stat", "--arms", "coded",
                "--format", "csv") == 0
    [odm] = _events("export.odm")
    assert (odm.username, odm.role, odm.object_type, odm.object_id) == ("monitor", "monitor", "export", "odm-snapshot")
    assert odm.changes["cutoff"] == [None, "2099-01-31"]
    assert odm.changes["files"] == [None, ["s.xml"]]
    [datasets] = _events("export.datasets")
    assert (datasets.username, datasets.role) == ("stat", "statistician")
    assert datasets.changes["arms"] == [None, "coded"] and datasets.changes["cutoff"] == [None, "now"]
    assert "dm.csv" in datasets.changes["files"][1] and "data_dictionary.csv" in datasets.changes["files"][1]
    assert verify_ledger().intact
    assert data_mark() == mark  # an export reads: the statistics computed before stay valid


def test_bad_arguments_change_nothing(people, tmp_path, capsys):
    assert _run("export", "datasets", "--output", str(tmp_path / "d"), "--user", "stat", "--format", "xlsx") == 2
    assert "unknown xlsx" in capsys.readouterr().err
    assert _run("export", "datasets", "--output", str(tmp_path / "d"), "--user", "stat", "--domains", "ZZ") == 2
    assert _run("export", "odm", "--output", str(tmp_path / "x.xml"), "--user", "nobody") == 2
    assert not (tmp_path / "d").exists() and not (tmp_path / "x.xml").exists()
    assert not _events("export.odm") and not _events("export.datasets")
