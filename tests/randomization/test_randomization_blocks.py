"""Seeded stratified permuted blocks: balance, allowed sizes, reproducibility, file format."""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from equipoise.randomization.blocks import (
    ListExhausted,
    generate_list,
    generation_report,
    next_slot,
    stratum_list,
)
from equipoise.randomization.listfile import KEYS, by_stratum, dump_list, list_sha256, parse_list
from equipoise.randomization.verification import structure_problems

STRATA = ["site=TNN|sle=true", "site=TNN|sle=false", "site=SLS|sle=true", "site=SLS|sle=false"]
PROTOCOL_RATIO = {"lenalidomide": 1, "methotrexate": 1}


@st.composite
def designs(draw):
    """A ratio over 2-3 arms and 1-3 block sizes that are multiples of its total."""
    arms = draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=2, max_size=3, unique=True))
    ratio = {arm: draw(st.integers(1, 3)) for arm in arms}
    unit = sum(ratio.values())
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3, unique=True))
    return ratio, [unit * m for m in sizes]


seeds = st.text(min_size=1, max_size=20)


@settings(max_examples=60, deadline=None)
@given(designs(), seeds, st.integers(1, 40))
def test_every_block_is_complete_balanced_and_of_an_allowed_size(design, seed, slots):
    ratio, sizes = design
    entries = generate_list(STRATA, ratio, sizes, seed, slots)
    unit = sum(ratio.values())
    for rows in by_stratum(entries).values():
        assert len(rows) >= slots
        assert [r.position for r in rows] == list(range(1, len(rows) + 1))
        blocks: dict[int, list] = {}
        for row in rows:
            blocks.setdefault(row.block, []).append(row)
        assert sorted(blocks) == list(range(1, len(blocks) + 1))
        for block in blocks.values():
            size = block[0].block_size
            assert size in sizes
            assert len(block) == size
            assert Counter(r.arm for r in block) == {a: w * size // unit for a, w in ratio.items()}
    assert structure_problems(entries, ratio, sizes, STRATA) == []


@settings(max_examples=40, deadline=None)
@given(designs(), seeds, st.integers(1, 30))
def test_same_seed_and_parameters_give_byte_identical_lists(design, seed, slots):
    ratio, sizes = design
    first = dump_list(generate_list(STRATA, ratio, sizes, seed, slots))
    again = dump_list(generate_list(list(reversed(STRATA)), dict(reversed(ratio.items())), sizes[::-1], seed, slots))
    assert first == again


@settings(max_examples=40, deadline=None)
@given(seeds, seeds)
def test_different_seeds_give_different_lists(seed_a, seed_b):
    # 4 strata x >= 30 slots of the protocol's design: a coincidence would need ~2^-80 luck
    assume(seed_a != seed_b)
    a = dump_list(generate_list(STRATA, PROTOCOL_RATIO, [2, 4, 6], seed_a, 30))
    b = dump_list(generate_list(STRATA, PROTOCOL_RATIO, [2, 4, 6], seed_b, 30))
    assert a != b


@settings(max_examples=30, deadline=None)
@given(seeds, st.integers(1, 20), st.integers(0, 40))
def test_a_longer_list_from_the_same_seed_extends_the_shorter(seed, short, extra):
    shorter = stratum_list(STRATA[0], PROTOCOL_RATIO, [2, 4, 6], seed, short)
    longer = stratum_list(STRATA[0], PROTOCOL_RATIO, [2, 4, 6], seed, short + extra)
    assert longer[: len(shorter)] == shorter


def test_a_stratum_list_does_not_depend_on_the_other_strata():
    alone = generate_list(["site=TNN|sle=true"], PROTOCOL_RATIO, [2, 4, 6], "s", 24)
    together = by_stratum(generate_list(STRATA, PROTOCOL_RATIO, [2, 4, 6], "s", 24))
    assert together["site=TNN|sle=true"] == alone


def reference_stratum_arms(seed: str, stratum: str, ratio: dict, sizes: list, slots: int) -> list:
    """The algorithm re-implemented from the blocks module docstring alone."""
    material = f"equipoise-permuted-blocks-v1\x00{seed}\x00{stratum}".encode()
    rng = random.Random(int.from_bytes(hashlib.sha256(material).digest(), "big"))

    def below(n):
        while (v := rng.getrandbits(n.bit_length())) >= n:
            pass
        return v

    sizes = sorted(set(sizes))
    arms_out: list = []
    while len(arms_out) < slots:
        size = sizes[below(len(sizes))]
        block = [a for a in sorted(ratio) for _ in range(ratio[a] * size // sum(ratio.values()))]
        for i in range(len(block) - 1, 0, -1):
            j = below(i + 1)
            block[i], block[j] = block[j], block[i]
        arms_out += block
    return arms_out


@pytest.mark.parametrize("seed", ["trial-2025", "é", "0"])
def test_the_documented_algorithm_regenerates_the_list(seed):
    for stratum in STRATA:
        rows = stratum_list(stratum, PROTOCOL_RATIO, [2, 4, 6], seed, 25)
        assert [r.arm for r in rows] == reference_stratum_arms(seed, stratum, PROTOCOL_RATIO, [2, 4, 6], 25)


def test_lines_have_fixed_key_order_compact_separators_and_sorted_strata():
    data = dump_list(generate_list(STRATA, PROTOCOL_RATIO, [2, 4, 6], "fmt", 4))
    lines = data.decode().splitlines()
    assert data.endswith(b"\n") and b" " not in data
    first = json.loads(lines[0])
    assert tuple(first) == KEYS
    assert lines[0].startswith('{"stratum":"site=SLS|sle=false","position":1,"block":1,"block_size":')
    strata_in_order = [json.loads(line)["stratum"] for line in lines]
    assert strata_in_order == sorted(strata_in_order)
    assert dump_list(parse_list(data)) == data


def test_report_counts_and_commitment_match_the_list():
    entries = generate_list(STRATA, PROTOCOL_RATIO, [2, 4, 6], "rep", 10)
    report = generation_report(entries, ratio=PROTOCOL_RATIO, block_sizes=[6, 2, 4], slots_per_stratum=10)
    assert report["sha256"] == list_sha256(dump_list(entries)) == hashlib.sha256(dump_list(entries)).hexdigest()
    assert report["method"] == "permuted_blocks" and "seed" not in report
    assert report["parameters"]["block_sizes"] == [2, 4, 6]
    assert sum(report["counts_per_arm"].values()) == report["slots"] == len(entries)
    for stratum, counts in report["counts_per_stratum"].items():
        assert counts["lenalidomide"] == counts["methotrexate"]  # whole 1:1 blocks only
        assert counts["lenalidomide"] * 2 == len(by_stratum(entries)[stratum])


def test_next_slot_walks_the_stratum_and_then_says_it_is_exhausted():
    rows = stratum_list(STRATA[0], PROTOCOL_RATIO, [2], "n", 4)
    assert [next_slot(rows, used).position for used in range(4)] == [1, 2, 3, 4]
    with pytest.raises(ListExhausted, match="all 4 slots are used"):
        next_slot(rows, 4)


@pytest.mark.parametrize(
    ("ratio", "sizes", "message"),
    [
        ({"a": 1}, [2], "at least two arms"),
        ({"a": 1, "b": 1}, [3], "multiple of the ratio total 2"),
        ({"a": 1, "b": 0}, [2], r"ratio\.b"),
        ({"a": 1, "b": 1}, [], "at least one block size"),
    ],
)
def test_impossible_designs_are_refused_naming_the_value(ratio, sizes, message):
    with pytest.raises(ValueError, match=message):
        generate_list(["all"], ratio, sizes, "x", 4)
