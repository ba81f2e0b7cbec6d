"""`equipoise score` input errors, run in-process through `cli.main` (the subprocess contract
tests live in test_score_cli.py; this matrix would be slow as one process per case)."""

from __future__ import annotations

import io
import sys

import pytest

from equipoise.cli import main


def score(monkeypatch, capsys, args: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = main(["score", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "stdin,fragments",
    [
        ('{"regions": {"scalp": {"scarring": 1}}}', ["regions.scalp.scarring", "erythema, scale, dyspigmentation"]),
        ('{"regions": {"face": {"erythema": true}}}', ["regions.face.erythema", "boolean"]),
        ('{"regions": {"face": {"scale": 1.5}}}', ["regions.face.scale", "one of 0, 1, 2"]),
        ('{"regions": {"face": {"scale": "1"}}}', ["regions.face.scale", "not an integer"]),
        ('{"regions": {"face": {"scale": null}}}', ["regions.face.scale", "not an integer"]),
        ('{"scarring_alopecia": 2}', ["scarring_alopecia", "one of 0, 3, 4, 5, 6"]),
        ('{"dyspigmentation_12_months_or_more": 1}', ["dyspigmentation_12_months_or_more", "true or false"]),
        ('{"colour": 1}', ["colour", "unknown key"]),
        ('{"regions": {"elbow": {}}}', ["regions.elbow", "unknown key", "scalp, ears"]),
        ('{"regions": {"face": {"erythema": 1}, "face": {}}}', ["regions.face", "more than once"]),
        ('{"regions": {"face": {"erythema": 1, "erythema": 1}}}', ["regions.face.erythema", "more than once"]),
        ('{"regions": {', ["input", "malformed JSON"]),
        ("", ["input", "malformed JSON"]),
        ("[1, 2, 3]", ["input", "not a JSON object"]),
        ('"text"', ["input", "not a JSON object"]),
        ("null", ["input", "not a JSON object"]),
        ('{"mucous_membrane": NaN}', ["mucous_membrane", "not an integer"]),
        ('{"bad\\nkey": 1}', ['"bad\\nkey"', "unknown key"]),
    ],
)  # fmt: skip
def test_clasi_errors(monkeypatch, capsys, stdin, fragments):
    code, out, err = score(monkeypatch, capsys, ["clasi", "-"], stdin.encode())
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert len(lines) == 1
    assert "allowed: " in lines[0]
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.mark.parametrize(
    "args,key",
    [
        (["--baseline", "71", "--current", "10"], "baseline"),
        (["--baseline", "10", "--current", "-1"], "current"),
        (["--baseline", "10.0", "--current", "5"], "baseline"),
        (["--baseline", "", "--current", "5"], "baseline"),
        (["--baseline", "10"], "current"),
        ([], "baseline"),
    ],
)
def test_clasi_response_errors(monkeypatch, capsys, args, key):
    code, out, err = score(monkeypatch, capsys, ["clasi-response", *args])
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{key}: ")
    assert "an integer from 0 to 70" in lines[0]


@pytest.mark.parametrize(
    "command,stdin,key",
    [
        ("dlqi", '{"dlqi_q1": 1}', "dlqi_q2"),
        ("sledai", '{"sledai_seizure": "yes"}', "sledai_seizure"),
        ("pain-itch", '{"pain_nrs": 11, "itch_nrs": 0}', "pain_nrs"),
        ("physician-global", '{"physician_global": 4}', "physician_global"),
    ],
)
def test_other_instrument_errors(monkeypatch, capsys, command, stdin, key):
    code, out, err = score(monkeypatch, capsys, [command, "-"], stdin.encode())
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1
    assert err.startswith(f"{key}: ")


def test_pain_itch_and_physician_global_succeed(monkeypatch, capsys):
    code, out, _ = score(monkeypatch, capsys, ["pain-itch", "-"], b'{"pain_nrs": 7, "itch_nrs": 0}')
    assert code == 0 and '"pain_nrs": 7' in out
    code, out, _ = score(monkeypatch, capsys, ["physician-global", "-"], b'{"physician_global": 2}')
    assert code == 0 and '"label": "moderate"' in out
