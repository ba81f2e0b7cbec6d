"""`equipoise randomization generate | verify | simulate` as a user runs them."""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL_DIR = ROOT / "protocols" / "nct06965244"



def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "equipoise.cli", "randomization", *args],
        capture_output=True, text=True, cwd=cwd, timeout=300,
    )


def generate(out: Path, seed: str = "cli-seed", *extra: str) -> subprocess.CompletedProcess[str]:
    return run("generate", "--protocol", "nct06965244", "--seed", seed,
               "--slots-per-stratum", "12", "--output", str(out), *extra)


def test_generate_writes_list_and_report_and_prints_the_report(tmp_path):
    out = tmp_path / "list.jsonl"
    done = generate(out)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report == json.loads((tmp_path / "list.jsonl.report.json").read_text())
    assert report["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert report["protocol"] == "nct06965244"
    assert len(report["counts_per_stratum"]) == 4
    first = json.loads(out.read_text().splitlines()[0])
    assert list(first) == ["stratum", "position", "block", "block_size", "arm"]


def test_the_public_report_carries_no_seed_and_the_sealed_record_is_owner_only(tmp_path):
    out = tmp_path / "list.jsonl"
    done = generate(out, "very-secret-seed-7731")
    assert done.returncode == 0, done.stderr
    public = (tmp_path / "list.jsonl.report.json").read_text()
    assert "very-secret-seed-7731" not in public and "very-secret-seed-7731" not in done.stdout
    report = json.loads(public)
    assert "seed" not in report
    assert {"method", "parameters", "slots", "counts_per_arm", "sha256"} <= set(report)
    sealed_path = tmp_path / "list.jsonl.sealed.json"
    assert stat.S_IMODE(sealed_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # the list is concealed too
    sealed = json.loads(sealed_path.read_text())
    assert sealed["seed"] == "very-secret-seed-7731" and sealed["sha256"] == report["sha256"]


def test_verify_with_the_sealed_record_rebuilds_the_list_and_catches_a_swap(tmp_path):
    out = tmp_path / "list.jsonl"
    assert generate(out, "sealed-seed").returncode == 0
    sha = json.loads((tmp_path / "list.jsonl.report.json").read_text())["sha256"]
    sealed = tmp_path / "list.jsonl.sealed.json"
    done = run("verify", str(out), "--sha256", sha, "--sealed", str(sealed))
    assert done.returncode == 0, done.stderr
    assert "rebuilds this exact list" in done.stdout
    other = tmp_path / "other.jsonl"
    assert generate(other, "another-seed").returncode == 0
    other_sha = json.loads((tmp_path / "other.jsonl.report.json").read_text())["sha256"]
    swapped = run("verify", str(other), "--sha256", other_sha, "--sealed", str(sealed))
    assert swapped.returncode == 1 and "not commitment" in swapped.stderr
    sealed.chmod(0o644)
    exposed = run("verify", str(out), "--sha256", sha, "--sealed", str(sealed))
    assert exposed.returncode == 2 and "600" in exposed.stderr


def test_same_seed_reproduces_bytes_and_another_seed_does_not(tmp_path):
    assert generate(tmp_path / "a.jsonl").returncode == 0
    assert generate(tmp_path / "b.jsonl").returncode == 0
    assert generate(tmp_path / "c.jsonl", "other-seed").returncode == 0
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert (tmp_path / "a.jsonl").read_bytes() != (tmp_path / "c.jsonl").read_bytes()


def test_explicit_sites_and_refusal_to_overwrite(tmp_path):
    out = tmp_path / "list.jsonl"
    done = generate(out, "s", "--sites", "TNN,SLS,PSL")
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["counts_per_stratum"]) == 6
    again = generate(out, "s")
    assert again.returncode == 2
    assert "exists" in again.stderr and "--force" in again.stderr
    assert generate(out, "s", "--force").returncode == 0


def test_verify_accepts_the_commitment_and_the_structure(tmp_path):
    out = tmp_path / "list.jsonl"
    digest = json.loads(generate(out).stdout)["sha256"]
    done = run("verify", str(out), "--sha256", digest, "--protocol", str(PROTOCOL_DIR))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"list matches commitment {digest}")
    assert "structure sound" in done.stdout


def test_verify_rejects_an_edited_list_with_exit_1(tmp_path):
    out = tmp_path / "list.jsonl"
    digest = json.loads(generate(out).stdout)["sha256"]
    text = out.read_text()
    first_arm = json.loads(text.splitlines()[0])["arm"]
    other = "methotrexate" if first_arm == "lenalidomide" else "lenalidomide"
    out.write_text(text.replace(f'"arm":"{first_arm}"', f'"arm":"{other}"', 1))
    done = run("verify", str(out), "--sha256", digest, "--protocol", "nct06965244")
    assert done.returncode == 1
    assert "does NOT match commitment" in done.stderr
    assert "do not follow the ratio" in done.stderr


def test_verify_exit_2_for_unreadable_file_or_malformed_digest(tmp_path):
    missing = run("verify", str(tmp_path / "nope.jsonl"), "--sha256", "0" * 64)
    assert missing.returncode == 2 and "cannot be read" in missing.stderr
    (tmp_path / "x.jsonl").write_text("")
    bad = run("verify", str(tmp_path / "x.jsonl"), "--sha256", "xyz")
    assert bad.returncode == 2 and "'xyz' is not a SHA-256 digest" in bad.stderr


def test_unknown_protocol_is_named(tmp_path):
    done = run("simulate", "--protocol", "nct00000000", "--seed", "1", "--runs", "10")
    assert done.returncode == 2
    assert "--protocol: 'nct00000000'" in done.stderr


def test_generate_refuses_a_minimization_protocol(tmp_path):
    copy = tmp_path / "nct06965244"
    shutil.copytree(PROTOCOL_DIR, copy)
    rand = copy / "randomization.yaml"
    rand.write_text(rand.read_text().replace("method: permuted_blocks", "method: minimization"))
    done = run("generate", "--protocol", str(copy), "--seed", "s", "--slots-per-stratum", "4",
               "--output", str(tmp_path / "l.jsonl"))
    assert done.returncode == 2 and "method is 'minimization'" in done.stderr
    sim = run("simulate", "--protocol", str(copy), "--seed", "s", "--runs", "50", "--json")
    assert sim.returncode == 0, sim.stderr
    assert list(json.loads(sim.stdout)["methods"])[0] == "minimization"


def test_simulate_json_is_clean_and_sane():
    done = run("simulate", "--protocol", "nct06965244", "--subjects", "122", "--runs", "400",
               "--seed", "7", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["protocol"] == "nct06965244" and report["runs"] == 400
    methods = report["methods"]
    assert methods["simple"]["correct_guess_rate"] < methods["fixed_blocks_4"]["correct_guess_rate"]
    assert 0 < methods["permuted_blocks_2_4_6"]["runs_with_margin_over_bound"] < 1


def test_simulate_text_output_names_every_method():
    done = run("simulate", "--protocol", "nct06965244", "--runs", "100", "--seed", "7")
    assert done.returncode == 0, done.stderr
    assert "100 simulated trials of 122 subjects" in done.stdout  # enrollment by default
    for method in ("permuted_blocks_2_4_6 *", "simple", "fixed_blocks_4", "minimization"):
        assert method in done.stdout
