"""`equipoise eligibility check` as a user runs it: JSON out, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from eligibility_testing import BASE_RECORD, PROTOCOL_DIR, ROOT


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "equipoise.cli", "eligibility", "check", *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=120,
    )


def test_eligible_record_from_a_file():
    done = run(str(BASE_RECORD))
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["verdict"] == "eligible"
    assert body["missing"] == []
    assert body["protocol_version"].startswith("nct06965244@")
    assert [c["id"] for c in body["criteria"]] == [
        "IN01", "IN02", "IN03", "IN04", "IN05", "IN06", "IN07",
        "EX01", "EX02", "EX03", "EX04", "EX05", "EX06", "EX07", "EX08", "EX09",
    ]
    first = body["criteria"][0]
    assert {k: first[k] for k in ("id", "kind", "status", "pending", "inputs")} == {
        "id": "IN01", "kind": "inclusion", "status": "met", "pending": False, "inputs": {"age_years": 42},
    }
    assert set(first["reason"]) == {"fr", "en"}


def test_incomplete_record_from_stdin_exits_zero():
    record = json.loads(BASE_RECORD.read_text(encoding="utf-8"))
    del record["clasi_a_randomization"]
    done = run("-", stdin=json.dumps(record))
    assert done.returncode == 0
    body = json.loads(done.stdout)
    assert body["verdict"] == "incomplete"
    assert body["missing"] == ["clasi_a_randomization"]


def test_not_eligible_exits_zero(tmp_path: Path):
    record = json.loads(BASE_RECORD.read_text(encoding="utf-8"))
    record["age_years"] = 17
    path = tmp_path / "minor.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    done = run(str(path), "--protocol", str(PROTOCOL_DIR))
    assert done.returncode == 0
    assert json.loads(done.stdout)["verdict"] == "not_eligible"


@pytest.mark.parametrize("stdin, fragment", [
    ('{"age_years": 17.5}', "age_years"),
    ('{"shoe_size": 42}', "shoe_size"),
    ('{"pregnant": "no"}', "pregnant"),
    ('{"screening_date": "2025-13-01"}', "2025-13-01"),
    ('{"age_years": ', "not valid JSON"),
    ("[1, 2]", "JSON object"),
])
def test_malformed_input_gives_one_line_on_stderr_and_exit_2(stdin, fragment):
    done = run("-", stdin=stdin)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert fragment in done.stderr


def test_missing_file_exit_2(tmp_path: Path):
    done = run(str(tmp_path / "absent.json"))
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
