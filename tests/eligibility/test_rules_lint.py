"""Static checks of rules, alone and as part of loading a protocol directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from eligibility_testing import PROTOCOL_DIR

from equipoise.protocol.loader import ProtocolInvalid, load_protocol
from equipoise.rules.lint import rule_problems, samples_for_type

SAMPLES = {
    "age": samples_for_type("int", 0, 120),
    "weight": samples_for_type("number", 0, 300),
    "flag": samples_for_type("bool"),
    "day": samples_for_type("date"),
    "sex": samples_for_type("enum", choices=["female", "male"]),
}


def test_sound_rule_has_no_problem():
    assert rule_problems("age >= 18 && (flag || sex == 'male') && day <= years_before(day, 0)",
                         SAMPLES, ["age", "flag", "sex", "day"]) == []


@pytest.mark.parametrize("source, expected", [
    ("age >=", "not valid CEL"),
    ("agee >= 18", "unknown variable 'agee'"),
    ("age >= 18 && flag", "'flag', which is not listed among its inputs"),
    ("frobnicate(age)", "unknown function 'frobnicate'"),
    ("day > 3", "fails on a complete record"),
    ("age + 1", "not true or false"),
    ("flag || sex > 2", "fails on a complete record"),  # hidden behind `flag` in one probe only
])
def test_problems_are_named(source, expected):
    problems = rule_problems(source, SAMPLES, ["age", "day", "sex"] if "flag ||" not in source else None)
    assert any(expected in p for p in problems), problems


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "nct06965244"
    shutil.copytree(PROTOCOL_DIR, target)
    return target


def _edit_criterion(root: Path, criterion_id: str, rule: str) -> None:
    path = root / "eligibility.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(c for c in data["criteria"] if c["id"] == criterion_id)["rule"] = rule
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_real_protocol_rules_pass_the_check():
    load_protocol(PROTOCOL_DIR)


@pytest.mark.parametrize("rule, message", [
    ("clasi_a_screening >= 8 &&", "not valid CEL"),
    ("clasi_a_screenin >= 8", "unknown variable 'clasi_a_screenin'"),
    ("clasi_a_screening >= 8 && age_years >= 18", "'age_years', which is not listed among its inputs"),
])
def test_protocol_load_reports_bad_criterion_rule_with_file_and_path(tmp_path, rule, message):
    root = _copy(tmp_path)
    _edit_criterion(root, "IN05", rule)
    with pytest.raises(ProtocolInvalid) as info:
        load_protocol(root)
    found = [(p.file, p.path, p.message) for p in info.value.problems]
    assert any(f == "eligibility.yaml" and path == "criteria[IN05].rule" and message in m
               for f, path, m in found), found


def test_protocol_load_reports_bad_edit_check(tmp_path):
    root = _copy(tmp_path)
    path = root / "forms" / "screening.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["edit_checks"][0]["rule"] = "consent_date <= 3"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ProtocolInvalid) as info:
        load_protocol(root)
    assert any(p.file == "forms/screening.yaml"
               and p.path == "edit_checks[consent_before_screening].rule" for p in info.value.problems)
