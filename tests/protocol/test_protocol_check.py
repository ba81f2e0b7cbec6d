"""`equipoise protocol check`: exit 0 and one summary line when valid; exit 2 and one line per problem."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from equipoise.protocol.loader import ProtocolInvalid, load_protocol

REPO = Path(__file__).resolve().parents[2]
PROTOCOL = REPO / "protocols" / "nct06965244"


def check(path):
    return subprocess.run([sys.executable, "-m", "equipoise.cli", "protocol", "check", str(path)],
                          capture_output=True, text=True, cwd=REPO)


def test_the_trial_protocol_is_valid():
    result = check(PROTOCOL)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("NCT06965244 (nct06965244): valid")


def _edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text()
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1))


@pytest.fixture
def corrupted(tmp_path):
    root = tmp_path / "nct06965244"
    shutil.copytree(PROTOCOL, root)
    _edit(root, "registry.yaml", "enrollment: 122", "enrollment: lots")                   # wrong type
    _edit(root, "registry.yaml", "acronym: LENALUP", "acronym: LENALUP\nsponser: AP-HP")  # unknown key
    _edit(root, "arms.yaml", "  - id: methotrexate\n    label", "  - id: lenalidomide\n    label")  # duplicate id
    _edit(root, "schedule.yaml", "earliest_day: 49", "earliest_day: 30")                  # overlapping window
    _edit(root, "eligibility.yaml", "inputs: [age_years]", "inputs: [age_in_years]")      # unknown variable
    _edit(root, "forms/labs.yaml", "label: {en: Platelets, fr: Plaquettes}", "label: {en: Platelets}")  # no French
    _edit(root, "forms/steroid_dose.yaml", "label: {en: Prednisone-equivalent dose, fr: Dose en équivalent prednisone}",
          "label: {fr: Dose en équivalent prednisone}")                                     # no English
    return root


def test_a_corrupted_copy_lists_every_problem_on_its_own_line(corrupted):
    result = check(corrupted)
    assert result.returncode == 2
    assert result.stdout == "" and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    expected = [
        "registry.yaml: enrollment: Input should be a valid integer",
        "registry.yaml: sponser: unknown key",
        "arms.yaml: arms[lenalidomide].id: duplicate arm id 'lenalidomide'",
        "schedule.yaml: visits[W8].earliest_day: window of W8 (from day 30) overlaps W4",
        "eligibility.yaml: criteria[IN01].inputs: unknown variable 'age_in_years'",
        "forms/labs.yaml: sections[labs].fields[lab_platelets_g_l].label.fr: missing French label",
        "forms/steroid_dose.yaml: sections[steroids].fields[prednisone_equivalent_mg_day].label.en: missing English label",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in lines), (start, lines)
    assert lines[-1] == f"{len(lines) - 1} problem(s) in {corrupted}"


def test_yaml_syntax_errors_name_the_line(tmp_path):
    root = tmp_path / "nct06965244"
    shutil.copytree(PROTOCOL, root)
    (root / "arms.yaml").write_text("arms: [\n  - id: x\n")
    result = check(root)
    assert result.returncode == 2 and result.stderr.startswith("arms.yaml: line ")


def test_missing_directory_and_missing_file(tmp_path):
    assert check(tmp_path / "nope").returncode == 2
    root = tmp_path / "nct06965244"
    shutil.copytree(PROTOCOL, root)
    (root / "safety.yaml").unlink()
    result = check(root)
    assert result.returncode == 2 and "safety.yaml: (top): file is missing" in result.stderr


def test_every_assumption_of_the_trial_sheet_is_flagged():
    protocol = load_protocol(PROTOCOL).protocol
    flagged = {where for where, _ in protocol.assumptions()}
    for where in ["registry.sponsor_class", "registry.eligibility.healthy_volunteers", "registry.design.allocation",
                  "randomization", "schedule", "endpoints.sample_size", "endpoints",
                  "criteria[EX01]", "forms[sledai]"]:
        assert where in flagged, where
    assert any("aspirin" in where for where in flagged) and any("folic_acid" in where for where in flagged)
    pending = {where for where, _ in protocol.pending()}
    assert {"criteria[IN06]", "criteria[EX05]"} <= pending


def test_loader_raises_with_all_problems_not_the_first(corrupted):
    with pytest.raises(ProtocolInvalid) as exc:
        load_protocol(corrupted)
    assert len(exc.value.problems) >= 7
