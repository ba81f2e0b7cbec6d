"""Contract of `equipoise score ...` as scripts see it: stdout JSON, one stderr line, exit codes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from equipoise.instruments.clasi import AREAS
from equipoise.instruments.sledai import WEIGHTS

ROOT = Path(__file__).parents[2]
EQUIPOISE = ROOT / ".venv" / "bin" / "equipoise"

MAXIMAL = {
    "regions": {
        area: {"erythema": 3, "scale": 2, "dyspigmentation": 1}
        | ({} if area == "scalp" else {"scarring": 2})
        for area in AREAS
    },
    "mucous_membrane": 1,
    "recent_hair_loss": 1,
    "nonscarring_alopecia": 3,
    "scarring_alopecia": 6,
    "dyspigmentation_12_months_or_more": True,
}


def run(*args: str, stdin: str | bytes = b"") -> subprocess.CompletedProcess[bytes]:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    return subprocess.run(
        [str(EQUIPOISE), "score", *args], input=data, capture_output=True, timeout=60, cwd=ROOT
    )


def assert_input_error(result: subprocess.CompletedProcess[bytes], *fragments: str) -> str:
    assert result.returncode == 2
    assert result.stdout == b""
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in lines[0]
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def test_clasi_from_a_file(tmp_path):
    path = tmp_path / "clasi.json"
    path.write_text(json.dumps(MAXIMAL))
    result = run("clasi", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    payload = json.loads(result.stdout)
    assert (payload["activity"], payload["damage"], payload["activity_severity"]) == (
        70,
        56,
        "severe",
    )
    assert list(payload["areas"]) == list(AREAS)
    assert payload["areas"]["face"]["activity"] == 5
    assert payload["areas"]["face"]["damage"] == 4


def test_clasi_from_stdin():
    record = {"regions": {"ears": {"erythema": 2, "scale": 1}}, "mucous_membrane": 1}
    result = run("clasi", "-", stdin=json.dumps(record))
    assert result.returncode == 0
    payload = json.loads(result.stdout)
    assert (payload["activity"], payload["damage"], payload["activity_severity"]) == (4, 0, "mild")
    assert payload["areas"]["ears"] == {
        "erythema": 2, "scale": 1, "dyspigmentation": 0, "scarring": 0, "activity": 3, "damage": 0,
    }  # fmt: skip


@pytest.mark.parametrize(
    "stdin,fragments",
    [
        ('{"regions": {"face": {"erythema": 4}}}', ["regions.face.erythema", "one of 0, 1, 2, 3"]),
        ('{"regions": {', ["input", "malformed JSON"]),
        ("[1, 2, 3]", ["input", "not a JSON object"]),
    ],
)
def test_clasi_invalid_input_is_one_line_exit_2(stdin, fragments):
    line = assert_input_error(run("clasi", "-", stdin=stdin), *fragments)
    assert "allowed: " in line


def test_clasi_non_utf8_input():
    assert_input_error(run("clasi", "-", stdin=b"\xff\xfe\x00"), "input", "UTF-8")


def test_clasi_missing_file(tmp_path):
    assert_input_error(run("clasi", str(tmp_path / "absent.json")), "input", "cannot read")


def test_clasi_response():
    result = run("clasi-response", "--baseline", "20", "--current", "10")
    assert result.returncode == 0 and result.stderr == b""
    payload = json.loads(result.stdout)
    assert payload["change"] == -10
    assert payload["percent_change"] == -50.0
    assert (payload["clasi50"], payload["clasi70"]) == (True, False)
    assert (payload["improved_4_points"], payload["improved_20_percent"]) == (True, True)
    assert payload["complete_response"] is False


def test_clasi_response_baseline_zero_gives_nulls():
    payload = json.loads(run("clasi-response", "--baseline", "0", "--current", "0").stdout)
    assert payload["percent_change"] is None
    assert (payload["clasi50"], payload["clasi70"], payload["improved_20_percent"]) == (None,) * 3
    assert payload["complete_response"] is True


@pytest.mark.parametrize(
    "args,key",
    [
        (["--baseline", "71", "--current", "10"], "baseline"),
        (["--baseline", "ten", "--current", "5"], "baseline"),
    ],
)
def test_clasi_response_bad_values(args, key):
    line = assert_input_error(run("clasi-response", *args), key)
    assert "an integer from 0 to 70" in line


def test_dlqi(tmp_path):
    path = tmp_path / "dlqi.json"
    path.write_text(json.dumps({f"dlqi_q{n}": 1 for n in range(1, 11)}))
    result = run("dlqi", str(path))
    assert result.returncode == 0
    payload = json.loads(result.stdout)
    assert (payload["total"], payload["band"]) == (10, "moderate")


def test_dlqi_invalid():
    data = {f"dlqi_q{n}": 1 for n in range(1, 11)} | {"dlqi_q4": 5}
    assert_input_error(run("dlqi", "-", stdin=json.dumps(data)), "dlqi_q4", "one of 0, 1, 2, 3")


def test_sledai():
    data = dict.fromkeys(WEIGHTS, False) | {
        "sledai_vasculitis": True,
        "sledai_low_complement": True,
    }
    result = run("sledai", "-", stdin=json.dumps(data))
    assert result.returncode == 0
    payload = json.loads(result.stdout)
    assert (payload["total"], payload["band"]) == (10, "moderate")
    assert payload["band_is_assumption"] is True


def test_sledai_invalid():
    data = dict.fromkeys(WEIGHTS, False) | {"sledai_fever": 1}
    assert_input_error(run("sledai", "-", stdin=json.dumps(data)), "sledai_fever", "true or false")


def test_deeply_nested_input_is_still_one_line():
    deep_value = '{"mucous_membrane": ' + "[" * 900 + "]" * 900 + "}"
    assert_input_error(run("clasi", "-", stdin=deep_value), "mucous_membrane", "not an integer")
    deep_key = '{"a": ' * 2000 + "1" + "}" * 2000
    assert_input_error(run("clasi", "-", stdin=deep_key))
