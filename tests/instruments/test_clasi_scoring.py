"""CLASI scoring rules (trial sheet §6, data dictionary "CLASI record")."""

from __future__ import annotations

import json

import pytest

from equipoise.instruments.clasi import (
    AREA_ITEMS,
    AREAS,
    InstrumentInputError,
    activity_severity,
    score_clasi,
)

NON_SCALP = [a for a in AREAS if a != "scalp"]
ACTIVITY_ITEMS = {"erythema": 3, "scale": 2}
DAMAGE_ITEMS = {"dyspigmentation": 1, "scarring": 2}
PATIENT_ACTIVITY = {"mucous_membrane": 1, "recent_hair_loss": 1, "nonscarring_alopecia": 3}


def maximal_record(long_dyspigmentation: bool = True) -> dict:
    regions = {}
    for area in AREAS:
        items = {"erythema": 3, "scale": 2, "dyspigmentation": 1}
        if area != "scalp":
            items["scarring"] = 2
        regions[area] = items
    return {
        "regions": regions,
        "mucous_membrane": 1,
        "recent_hair_loss": 1,
        "nonscarring_alopecia": 3,
        "scarring_alopecia": 6,
        "dyspigmentation_12_months_or_more": long_dyspigmentation,
    }


def test_area_keys_are_the_thirteen_in_form_order():
    assert AREAS == (
        "scalp", "ears", "nose", "face", "v_neck", "neck_shoulders", "chest",
        "abdomen", "back_buttocks", "arms", "hands", "legs", "feet",
    )  # fmt: skip


def test_empty_record_scores_zero_and_lists_every_area():
    score = score_clasi({})
    assert (score.activity, score.damage, score.activity_severity) == (0, 0, "mild")
    assert [a.area for a in score.areas] == list(AREAS)
    assert all(a.activity == 0 and a.damage == 0 for a in score.areas)


def test_area_left_out_scores_zero_while_others_count():
    score = score_clasi({"regions": {"face": {"erythema": 2}}})
    assert score.activity == 2
    assert score.area("face").activity == 2
    assert score.area("ears").activity == 0 and score.area("ears").damage == 0


def test_hand_worked_record():
    record = {
        "regions": {
            "scalp": {"erythema": 2, "scale": 1, "dyspigmentation": 1},
            "face": {"erythema": 3, "scale": 2, "dyspigmentation": 1, "scarring": 2},
            "arms": {"erythema": 1},
        },
        "mucous_membrane": 1,
        "recent_hair_loss": 1,
        "nonscarring_alopecia": 2,
        "scarring_alopecia": 4,
        "dyspigmentation_12_months_or_more": True,
    }
    score = score_clasi(record)
    # activity: scalp 3 + face 5 + arms 1 + mucous 1 + hair loss 1 + alopecia 2
    assert score.activity == 13
    assert score.activity_severity == "moderate"
    # damage: dyspigmentation (1 + 1) doubled = 4, face scarring 2, scarring alopecia 4
    assert score.damage == 10
    assert score.area("scalp").damage == 2
    assert score.area("face").damage == 4
    assert score.dyspigmentation_subtotal == 4
    assert score.scarring_subtotal == 2


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("item,top", sorted(ACTIVITY_ITEMS.items()))
def test_activity_item_bounds_in_every_area(area, item, top):
    for value in range(top + 1):
        score = score_clasi({"regions": {area: {item: value}}})
        assert score.activity == value
        assert score.area(area).activity == value
        assert score.damage == 0
    for bad in (-1, top + 1):
        with pytest.raises(InstrumentInputError) as err:
            score_clasi({"regions": {area: {item: bad}}})
        assert err.value.key == f"regions.{area}.{item}"
        assert err.value.value == bad
        assert err.value.allowed == tuple(range(top + 1))


@pytest.mark.parametrize("area", AREAS)
def test_dyspigmentation_bounds_in_every_area(area):
    assert score_clasi({"regions": {area: {"dyspigmentation": 0}}}).damage == 0
    one = score_clasi({"regions": {area: {"dyspigmentation": 1}}})
    assert (one.damage, one.activity, one.area(area).damage) == (1, 0, 1)
    for bad in (-1, 2):
        with pytest.raises(InstrumentInputError) as err:
            score_clasi({"regions": {area: {"dyspigmentation": bad}}})
        assert err.value.key == f"regions.{area}.dyspigmentation"
        assert err.value.allowed == (0, 1)


@pytest.mark.parametrize("area", NON_SCALP)
def test_scarring_bounds_in_every_area_but_scalp(area):
    for value in (0, 1, 2):
        score = score_clasi({"regions": {area: {"scarring": value}}})
        assert (score.damage, score.activity, score.area(area).scarring) == (value, 0, value)
    for bad in (-1, 3):
        with pytest.raises(InstrumentInputError) as err:
            score_clasi({"regions": {area: {"scarring": bad}}})
        assert err.value.key == f"regions.{area}.scarring"
        assert err.value.allowed == (0, 1, 2)


def test_scalp_takes_no_scarring_key():
    with pytest.raises(InstrumentInputError) as err:
        score_clasi({"regions": {"scalp": {"scarring": 0}}})
    assert err.value.key == "regions.scalp.scarring"
    assert err.value.allowed == ("erythema", "scale", "dyspigmentation")
    assert "scarring_alopecia" in str(err.value)
    assert score_clasi({}).area("scalp").scarring is None


@pytest.mark.parametrize("item,top", sorted(PATIENT_ACTIVITY.items()))
def test_once_per_patient_activity_items(item, top):
    for value in range(top + 1):
        score = score_clasi({item: value})
        assert (score.activity, score.damage) == (value, 0)
        assert getattr(score, item) == value
    for bad in (-1, top + 1):
        with pytest.raises(InstrumentInputError) as err:
            score_clasi({item: bad})
        assert (err.value.key, err.value.value) == (item, bad)
        assert err.value.allowed == tuple(range(top + 1))


def test_scarring_alopecia_takes_only_0_3_4_5_6():
    for value in (0, 3, 4, 5, 6):
        score = score_clasi({"scarring_alopecia": value})
        assert (score.damage, score.activity) == (value, 0)
    for bad in (1, 2, 7, -1):
        with pytest.raises(InstrumentInputError) as err:
            score_clasi({"scarring_alopecia": bad})
        assert err.value.key == "scarring_alopecia"
        assert err.value.allowed == (0, 3, 4, 5, 6)
        assert "one of 0, 3, 4, 5, 6" in str(err.value)


def test_scarring_alopecia_is_not_doubled():
    record = {"scarring_alopecia": 6, "dyspigmentation_12_months_or_more": True}
    assert score_clasi(record).damage == 6


def test_doubling_applies_to_dyspigmentation_only():
    record = {
        "regions": {
            "scalp": {"erythema": 1, "scale": 1, "dyspigmentation": 1},
            "chest": {"erythema": 2, "dyspigmentation": 1, "scarring": 2},
            "feet": {"scarring": 1},
        },
        "nonscarring_alopecia": 1,
        "scarring_alopecia": 3,
    }
    short = score_clasi({**record, "dyspigmentation_12_months_or_more": False})
    long = score_clasi({**record, "dyspigmentation_12_months_or_more": True})
    assert short.activity == long.activity == 5
    assert short.dyspigmentation_subtotal == 2
    assert long.dyspigmentation_subtotal == 4
    assert short.scarring_subtotal == long.scarring_subtotal == 3
    assert short.damage == 2 + 3 + 3
    assert long.damage == 4 + 3 + 3
    assert long.area("chest").damage == 4 and short.area("chest").damage == 3


def test_flag_left_out_means_no_doubling():
    record = {"regions": {"nose": {"dyspigmentation": 1}}}
    assert score_clasi(record).damage == 1
    assert score_clasi(record).dyspigmentation_12_months_or_more is False


def test_maximal_record_reaches_70_and_56():
    score = score_clasi(maximal_record())
    assert (score.activity, score.damage, score.activity_severity) == (70, 56, "severe")
    assert sum(a.damage for a in score.areas) + score.scarring_alopecia == 56
    assert sum(a.activity for a in score.areas) + 1 + 1 + 3 == 70


def test_maximal_record_without_doubling():
    # 13 dyspigmentation + 12 x 2 scarring + 6 scarring alopecia
    assert score_clasi(maximal_record(long_dyspigmentation=False)).damage == 43


@pytest.mark.parametrize(
    "activity,band",
    [(0, "mild"), (9, "mild"), (10, "moderate"), (20, "moderate"), (21, "severe"), (70, "severe")],
)
def test_severity_band_edges(activity, band):
    assert activity_severity(activity) == band


def test_severity_band_from_a_scored_record_at_the_edges():
    # nine and ten points of activity built from erythema 3 in three/four areas (+1 scale)
    nine = {"regions": {a: {"erythema": 3} for a in ("ears", "nose", "face")}}
    ten = {"regions": {**nine["regions"], "chest": {"scale": 1}}}
    assert score_clasi(nine).activity_severity == "mild"
    assert score_clasi(ten).activity_severity == "moderate"


@pytest.mark.parametrize("bad", [-1, 71, 9.5, True, "9"])
def test_severity_rejects_values_off_the_total_scale(bad):
    with pytest.raises(InstrumentInputError) as err:
        activity_severity(bad)
    assert err.value.key == "activity"


@pytest.mark.parametrize(
    "record,key,fragment",
    [
        ({"regions": {"face": {"erythema": 1.0}}}, "regions.face.erythema", "not an integer"),
        ({"regions": {"face": {"erythema": "2"}}}, "regions.face.erythema", "not an integer"),
        ({"regions": {"face": {"erythema": None}}}, "regions.face.erythema", "not an integer"),
        ({"regions": {"face": {"erythema": True}}}, "regions.face.erythema", "boolean"),
        ({"regions": {"face": {"scale": False}}}, "regions.face.scale", "boolean"),
        ({"mucous_membrane": True}, "mucous_membrane", "boolean"),
        ({"scarring_alopecia": 3.0}, "scarring_alopecia", "not an integer"),
        ({"regions": {"face": {"redness": 1}}}, "regions.face.redness", "unknown key"),
        ({"regions": {"forehead": {"erythema": 1}}}, "regions.forehead", "unknown key"),
        ({"region": {}}, "region", "unknown key"),
        ({"regions": []}, "regions", "not a JSON object"),
        ({"regions": {"face": 3}}, "regions.face", "not a JSON object"),
        (
            {"dyspigmentation_12_months_or_more": 1},
            "dyspigmentation_12_months_or_more",
            "not a boolean",
        ),
        (
            {"dyspigmentation_12_months_or_more": "yes"},
            "dyspigmentation_12_months_or_more",
            "not a boolean",
        ),
    ],
)
def test_input_errors_name_the_key_and_the_rule(record, key, fragment):
    with pytest.raises(InstrumentInputError) as err:
        score_clasi(record)
    assert err.value.key == key
    message = str(err.value)
    assert message.startswith(f"{key}: ")
    assert fragment in message
    assert "allowed: " in message
    assert "\n" not in message


def test_error_for_unknown_item_lists_the_allowed_items():
    with pytest.raises(InstrumentInputError) as err:
        score_clasi({"regions": {"face": {"redness": 1}}})
    assert err.value.allowed == tuple(AREA_ITEMS)
    assert "erythema, scale, dyspigmentation, scarring" in str(err.value)


def test_record_that_is_not_an_object_is_refused():
    with pytest.raises(InstrumentInputError) as err:
        score_clasi([1, 2])  # type: ignore[arg-type]
    assert err.value.key == "record"


def test_to_dict_is_json_with_totals_and_per_area_subtotals():
    payload = json.loads(json.dumps(score_clasi(maximal_record()).to_dict()))
    assert payload["activity"] == 70 and payload["damage"] == 56
    assert payload["activity_severity"] == "severe"
    assert list(payload["areas"]) == list(AREAS)
    assert payload["areas"]["scalp"] == {
        "erythema": 3, "scale": 2, "dyspigmentation": 1, "scarring": None,
        "activity": 5, "damage": 2,
    }  # fmt: skip
    assert payload["areas"]["feet"]["damage"] == 4
    assert payload["activity_parts"] == {
        "erythema": 39, "scale": 26, "mucous_membrane": 1, "recent_hair_loss": 1,
        "nonscarring_alopecia": 3,
    }  # fmt: skip
    assert payload["damage_parts"] == {
        "dyspigmentation": 26, "dyspigmentation_12_months_or_more": True, "scarring": 24,
        "scarring_alopecia": 6,
    }  # fmt: skip


def test_score_is_frozen():
    score = score_clasi({})
    with pytest.raises(AttributeError):
        score.activity = 5  # type: ignore[misc]
