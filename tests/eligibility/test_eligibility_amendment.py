"""An amendment is a new protocol version: different rules, a different version on the decision."""

from __future__ import annotations

import shutil

import yaml
from eligibility_testing import PROTOCOL_DIR, status

from equipoise.eligibility.evaluator import check_eligibility
from equipoise.protocol.loader import load_protocol


def test_raising_the_clasi_threshold_changes_verdict_and_version(tmp_path, protocol, base):
    amended_dir = tmp_path / "nct06965244"
    shutil.copytree(PROTOCOL_DIR, amended_dir)
    path = amended_dir / "eligibility.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    in05 = next(c for c in data["criteria"] if c["id"] == "IN05")
    in05["rule"] = "clasi_a_screening >= 10 && clasi_a_randomization >= 10"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    amended = load_protocol(amended_dir)

    base["clasi_a_screening"] = 9
    before = check_eligibility(protocol, base)
    after = check_eligibility(amended, base)

    assert (before.verdict, status(before, "IN05")) == ("eligible", "met")
    assert (after.verdict, status(after, "IN05")) == ("not_eligible", "not_met")
    assert before.protocol_version != after.protocol_version
    assert after.protocol_version == f"nct06965244@{amended.sha256[:12]}"
    # The original version still decides with its own rules after the amendment was compiled.
    assert check_eligibility(protocol, base).verdict == "eligible"
