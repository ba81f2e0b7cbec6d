"""Rebuilding the CLASI record from the entry page's posted radios (no database)."""

from __future__ import annotations

from clasi_testing import FULL_RECORD, fields_of

from equipoise.instruments.clasi import AREAS, score_clasi
from equipoise.web.clasi_views import area_item_names, record_from_fields


def test_posted_fields_give_back_the_record():
    record, errors = record_from_fields(fields_of(FULL_RECORD))
    assert errors == {} and record == FULL_RECORD


def test_blank_items_are_left_out_and_score_zero():
    record, errors = record_from_fields({"regions.chest.erythema": "2", "regions.chest.scale": ""})
    assert errors == {}
    assert record == {"regions": {"chest": {"erythema": 2}}, "dyspigmentation_12_months_or_more": False}
    assert score_clasi(record).activity == 2


def test_item_names_cover_the_grid_without_scalp_scarring():
    names = area_item_names()
    assert len(names) == 13 * 4 - 1 and "regions.scalp.scarring" not in names
    assert names[0] == "regions.scalp.erythema" and names[-1] == "regions.feet.scarring"
    assert [n.split(".")[1] for n in names[::4]][:1] == [AREAS[0]]


def test_text_that_is_not_a_whole_number_is_an_error_naming_the_key():
    record, errors = record_from_fields({"regions.arms.scale": "1.5", "mucous_membrane": "yes"})
    assert set(errors) == {"regions.arms.scale", "mucous_membrane"}
    assert "'1.5'" in errors["regions.arms.scale"] and "whole number" in errors["regions.arms.scale"]
    assert "arms" not in record["regions"] and "mucous_membrane" not in record


def test_a_posted_name_that_is_no_clasi_item_is_an_error():
    _, errors = record_from_fields({"regions.scalp.scarring": "1", "regions.tail.erythema": "1"},
                                   language="fr")
    assert set(errors) == {"regions.scalp.scarring", "regions.tail.erythema"}
    assert "n'est pas un item" in errors["regions.scalp.scarring"]


def test_off_scale_values_are_passed_on_for_the_scorer_to_refuse():
    record, errors = record_from_fields({"regions.chest.erythema": "4"})
    assert errors == {} and record["regions"]["chest"]["erythema"] == 4
