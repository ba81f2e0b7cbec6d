"""Verification of a list: the SHA-256 commitment, and the permuted-block structure."""

from __future__ import annotations

import dataclasses

import pytest

from equipoise.randomization.blocks import generate_list
from equipoise.randomization.listfile import ListFormatError, dump_list, list_sha256, parse_list
from equipoise.randomization.verification import matches_commitment, structure_problems

RATIO = {"lenalidomide": 1, "methotrexate": 1}
STRATA = ["site=SLS|sle=false", "site=TNN|sle=true"]


@pytest.fixture
def entries():
    return generate_list(STRATA, RATIO, [2, 4, 6], "verify", 16)


def test_commitment_matches_exact_bytes_only(entries):
    data = dump_list(entries)
    digest = list_sha256(data)
    assert matches_commitment(data, digest)
    assert matches_commitment(data, digest.upper())
    assert not matches_commitment(data + b"\n", digest)
    assert not matches_commitment(data.replace(b"lenalidomide", b"methotrexate", 1), digest)


@pytest.mark.parametrize("bad", ["", "abc", "g" * 64, "0" * 63])
def test_a_malformed_commitment_is_refused_naming_it(bad):
    with pytest.raises(ValueError, match="64 hexadecimal"):
        matches_commitment(b"", bad)


def test_generated_list_is_structurally_sound(entries):
    assert structure_problems(entries, RATIO, [2, 4, 6], STRATA) == []


def _swap_first_arm(entries):
    first = entries[0]
    other = "methotrexate" if first.arm == "lenalidomide" else "lenalidomide"
    return [dataclasses.replace(first, arm=other), *entries[1:]]


def test_an_edited_arm_unbalances_its_block(entries):
    problems = structure_problems(_swap_first_arm(entries), RATIO, [2, 4, 6])
    assert any("block 1: arms" in p and "do not follow the ratio" in p for p in problems)


def test_a_block_size_outside_the_design_is_reported(entries):
    assert any(e.block_size == 6 for e in entries)  # this seed draws a block of 6
    problems = structure_problems(entries, RATIO, [2, 4])
    assert any("size 6 is not an allowed size [2, 4]" in p for p in problems)


def test_a_missing_slot_breaks_the_positions(entries):
    problems = structure_problems(entries[:2] + entries[3:], RATIO, [2, 4, 6])
    assert any("position" in p and "was due" in p for p in problems)


def test_a_truncated_final_block_is_accepted_but_not_a_truncated_middle_one():
    rows = generate_list(["all"], RATIO, [4], "cut", 12)
    assert structure_problems(rows[:-1], RATIO, [4]) == []
    middle_cut = [r for r in rows if not (r.block == 1 and r.position == 4)]
    renumbered = [dataclasses.replace(r, position=i) for i, r in enumerate(middle_cut, start=1)]
    problems = structure_problems(renumbered, RATIO, [4])
    assert any("only 3 of 4 slots" in p for p in problems)


def test_strata_out_of_order_or_missing_are_reported(entries):
    by_label = {s: [e for e in entries if e.stratum == s] for s in STRATA}
    swapped = by_label[STRATA[1]] + by_label[STRATA[0]]
    assert "strata are not in sorted order" in structure_problems(swapped, RATIO, [2, 4, 6])
    problems = structure_problems(by_label[STRATA[0]], RATIO, [2, 4, 6], STRATA)
    assert any("have no slots" in p for p in problems)


def test_parse_errors_name_the_line_and_key():
    good = dump_list(generate_list(["all"], RATIO, [2], "p", 2))
    with pytest.raises(ListFormatError, match="line 2: not valid JSON"):
        parse_list(good.split(b"\n")[0] + b"\n{oops\n")
    with pytest.raises(ListFormatError, match="line 1: position: '1' is not an integer"):
        parse_list(good.replace(b'"position":1', b'"position":"1"', 1))
    with pytest.raises(ListFormatError, match="keys must be exactly"):
        parse_list(b'{"arm":"a","stratum":"all","position":1,"block":1,"block_size":2}\n')
    with pytest.raises(ListFormatError, match="newline"):
        parse_list(good.rstrip(b"\n"))
