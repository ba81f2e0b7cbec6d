"""The `equipoise stats` command contract, run as a user would run it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EQUIPOISE = REPO / ".venv" / "bin" / "equipoise"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EQUIPOISE), "stats", *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_sample_size_for_the_trial_design():
    out = run("sample-size", "--p-control", "0.50", "--p-treatment", "0.75", "--alpha", "0.05", "--power", "0.80")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert (data["per_arm"], data["total"]) == (58, 116)
    assert (data["p_control"], data["p_treatment"], data["alpha"], data["power"]) == (0.5, 0.75, 0.05, 0.8)
    assert data["continuity_correction"] is None
    assert "per_arm_inflated" not in data


def test_sample_size_with_dropout_and_continuity_correction():
    out = run("sample-size", "--p-control", "0.5", "--p-treatment", "0.75", "--dropout", "0.05")
    data = json.loads(out.stdout)
    assert (data["per_arm_inflated"], data["total_inflated"]) == (62, 124)
    assert data["inflation_method"] == "per_arm / (1 - dropout), rounded up per arm"
    out = run(
        "sample-size", "--p-control", "0.5", "--p-treatment", "0.75", "--dropout", "0.05",
        "--inflation-method", "multiply", "--continuity-correction",
    )
    data = json.loads(out.stdout)
    assert data["continuity_correction"] == "fleiss"
    assert data["per_arm"] == 66 and data["per_arm_inflated"] == 70  # ceil(66 * 1.05)


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--p-control", "1.5", "--p-treatment", "0.75"], "--p-control"),
        (["--p-control", "abc", "--p-treatment", "0.75"], "--p-control"),
        (["--p-control", "0.5", "--p-treatment", "0.5"], "--p-treatment"),
        (["--p-control", "0.5", "--p-treatment", "0.75", "--power", "1"], "--power"),
        (["--p-control", "0.5", "--p-treatment", "0.75", "--dropout", "1"], "--dropout"),
        (["--p-treatment", "0.75"], "--p-control"),
    ],
)
def test_sample_size_bad_input_is_one_line_naming_the_option(args, option):
    out = run("sample-size", *args)
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and option in lines[0]


def test_diff_ci_default_is_newcombe():
    out = run("diff-ci", "--x1", "56", "--n1", "70", "--x2", "48", "--n2", "80")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["method"] == "newcombe" and data["confidence"] == 0.95
    assert round(data["difference"], 4) == 0.2
    assert (round(data["lower"], 4), round(data["upper"], 4)) == (0.0524, 0.3339)


def test_diff_ci_wald_and_confidence():
    out = run("diff-ci", "--x1", "56", "--n1", "70", "--x2", "48", "--n2", "80", "--method", "wald", "--confidence", "0.9")
    data = json.loads(out.stdout)
    assert data["method"] == "wald" and data["confidence"] == 0.9
    assert data["lower"] < 0.2 < data["upper"]


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--x1", "71", "--n1", "70", "--x2", "1", "--n2", "5"], "--x1"),
        (["--x1", "1", "--n1", "0", "--x2", "1", "--n2", "5"], "--n1"),
        (["--x1", "1.5", "--n1", "3", "--x2", "1", "--n2", "5"], "--x1"),
        (["--x1", "1", "--n1", "3", "--x2", "1", "--n2", "5", "--confidence", "95"], "--confidence"),
        (["--x1", "1", "--n1", "3", "--x2", "1", "--n2", "5", "--method", "exact"], "--method"),
    ],
)
def test_diff_ci_bad_input(args, option):
    out = run("diff-ci", *args)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and option in lines[0]


def test_simulate_json_is_clean_and_reproducible():
    args = ("simulate", "--p-control", "0.5", "--p-treatment", "0.75", "--runs", "1500", "--seed", "42", "--json")
    first, second = run(*args), run(*args)
    assert first.returncode == 0, first.stderr
    assert first.stderr == ""
    data = json.loads(first.stdout)
    assert first.stdout == second.stdout
    assert data["runs"] == 1500 and data["seed"] == 42 and data["design"]["subjects"] == 122
    assert 0 < data["power"] < 1 and data["power_mc_se"] > 0
    assert "rejection_rate" in data["unstratified_chi2"]
    assert any("equal probability" in a for a in data["assumptions"])


def test_simulate_text_output_reports_type_one_error_with_equal_rates():
    out = run("simulate", "--p-control", "0.5", "--p-treatment", "0.5", "--runs", "500", "--seed", "1", "--subjects", "60")
    assert out.returncode == 0, out.stderr
    assert "type I error (CMH by stratum)" in out.stdout
    assert "60 patients" in out.stdout


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--runs", "0"], "--runs"),
        (["--subjects", "1"], "--subjects"),
        (["--alpha", "2"], "--alpha"),
        (["--protocol", "no/such/dir"], "no/such/dir"),
    ],
)
def test_simulate_bad_input(extra, needle):
    out = run("simulate", "--p-control", "0.5", "--p-treatment", "0.7", "--seed", "1", "--json", *extra)
    assert out.returncode == 2
    assert out.stdout == ""
    assert needle in out.stderr
