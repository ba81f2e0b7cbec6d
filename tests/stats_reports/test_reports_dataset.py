from datetime import date

import pytest

from equipoise.stats.analysis_dataset import (
    AdverseEvent,
    DatasetError,
    ScreeningEntry,
    dataset_from_dict,
    dataset_from_json,
)
from equipoise.stats.synthetic import synthetic_dataset

from .conftest import make_dataset, make_subject


def test_json_round_trip_preserves_every_field(synthetic):
    again = dataset_from_json(synthetic.to_json())
    assert again == synthetic
    assert again.to_json() == synthetic.to_json()


def test_synthetic_is_reproducible_and_seed_dependent():
    a = synthetic_dataset(40, 3, 0.5, 0.75)
    assert a.to_json() == synthetic_dataset(40, 3, 0.5, 0.75).to_json()
    assert a.to_json() != synthetic_dataset(40, 4, 0.5, 0.75).to_json()
    assert len(a.subjects) == 40
    assert {s.arm for s in a.subjects} == {"lenalidomide", "methotrexate"}
    assert all(s.clasi_a["W0"] >= 8 for s in a.subjects)  # IN05 floor


def test_score_maps_are_read_only():
    s = make_subject("X1")
    with pytest.raises(TypeError):
        s.clasi_a["W16"] = 0


@pytest.mark.parametrize(
    "change, path",
    [
        ({"stopped_drug_reason": "bored"}, "stopped_drug_reason"),
        ({"rescue_therapy": "yes"}, "rescue_therapy"),
        ({"clasi_a": {"W0": "20"}}, "clasi_a.W0"),
    ],
)
def test_bad_subject_fields_are_named(change, path):
    with pytest.raises(DatasetError) as err:
        make_subject("X1", **change)
    assert path in err.value.path


def test_bad_grade_and_screening_verdicts_are_named():
    with pytest.raises(DatasetError, match="grade"):
        AdverseEvent("Nausea", 6, False)
    with pytest.raises(DatasetError, match="verdict"):
        ScreeningEntry("P1", "S1", "maybe")
    with pytest.raises(DatasetError, match="failed_criteria"):
        ScreeningEntry("P1", "S1", "not_eligible")


def test_dataset_rejects_unknown_arm_and_duplicate_ids():
    with pytest.raises(DatasetError, match="arm"):
        make_dataset([make_subject("X1", arm="placebo")])
    with pytest.raises(DatasetError, match="unique"):
        make_dataset([make_subject("X1"), make_subject("X1")])


def test_from_dict_names_missing_keys_and_bad_dates():
    data = make_dataset([make_subject("X1")]).to_dict()
    del data["subjects"][0]["arm"]
    with pytest.raises(DatasetError, match=r"subjects\[0\]\.arm is required"):
        dataset_from_dict(data)
    data = make_dataset([make_subject("X1")]).to_dict()
    data["data_cutoff"] = "31/12/2026"
    with pytest.raises(DatasetError, match="ISO date"):
        dataset_from_dict(data)
    assert make_dataset([]).data_cutoff == date(2026, 12, 31)
