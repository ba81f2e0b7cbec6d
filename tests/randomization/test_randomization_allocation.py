"""The one allocation interface: list slots for permuted blocks, Pocock-Simon for minimization."""

from __future__ import annotations

import random

import pytest

from equipoise.randomization.allocation import (
    AllocationConflict,
    BlockListAllocator,
    MinimizationAllocator,
    allocator_for,
)
from equipoise.randomization.blocks import ListExhausted, generate_list
from equipoise.randomization.listfile import by_stratum
from equipoise.randomization.minimization import PriorAllocation

TNN_SLE = {"site": "TNN", "sle": "true"}
SLS_NO = {"site": "SLS", "sle": "false"}


@pytest.fixture
def block_list(loaded, stratification):
    r = loaded.protocol.randomization
    return generate_list(stratification.strata(), r.ratio, r.block_sizes, "alloc", 6)


def test_blocks_follow_each_stratum_list_in_order(loaded, stratification, block_list):
    allocator = allocator_for(loaded.protocol, stratification, block_list)
    assert isinstance(allocator, BlockListAllocator)
    history: list[PriorAllocation] = []
    for levels in [TNN_SLE, SLS_NO, TNN_SLE, TNN_SLE, SLS_NO]:
        allocation = allocator.allocate(levels, history, random.Random(0))
        history.append(PriorAllocation(levels, allocation.arm))
    lists = by_stratum(block_list)
    tnn = [p.arm for p in history if p.levels == TNN_SLE]
    sls = [p.arm for p in history if p.levels == SLS_NO]
    assert tnn == [e.arm for e in lists["site=TNN|sle=true"][:3]]
    assert sls == [e.arm for e in lists["site=SLS|sle=false"][:2]]


def test_block_allocation_reports_slot_and_low_list(stratification):
    rows = generate_list(stratification.strata(), {"a": 1, "b": 1}, [2], "low", 10)
    allocator = BlockListAllocator(stratification, rows, low_list_warning_fraction=0.8)
    history: list[PriorAllocation] = []
    flags = []
    for _ in range(10):
        allocation = allocator.allocate(TNN_SLE, history, random.Random(0))
        flags.append((allocation.slot.position, allocation.slots_left, allocation.low_list))
        history.append(PriorAllocation(TNN_SLE, allocation.arm))
    assert flags[0] == (1, 9, False)
    assert flags[7] == (8, 2, True) and not flags[6][2]
    with pytest.raises(ListExhausted, match="site=TNN\\|sle=true"):
        allocator.allocate(TNN_SLE, history, random.Random(0))


def test_history_that_disagrees_with_the_list_is_a_conflict(stratification, block_list):
    allocator = BlockListAllocator(stratification, block_list)
    first = by_stratum(block_list)["site=TNN|sle=true"][0].arm
    wrong = "methotrexate" if first == "lenalidomide" else "lenalidomide"
    with pytest.raises(AllocationConflict, match="position 1: recorded arm"):
        allocator.allocate(TNN_SLE, [PriorAllocation(TNN_SLE, wrong)], random.Random(0))


def test_a_list_missing_a_stratum_is_refused(stratification, block_list):
    partial = [e for e in block_list if e.stratum != "site=SLS|sle=true"]
    with pytest.raises(ValueError, match="site=SLS\\|sle=true"):
        BlockListAllocator(stratification, partial)


def test_blocks_need_a_committed_list(loaded, stratification):
    with pytest.raises(ValueError, match="entries"):
        allocator_for(loaded.protocol, stratification)


def test_minimization_allocator_from_a_protocol_switched_to_minimization(loaded, stratification):
    r = loaded.protocol.randomization
    switched = loaded.protocol.model_copy(update={"randomization": r.model_copy(update={"method": "minimization"})})
    allocator = allocator_for(switched, stratification)
    assert isinstance(allocator, MinimizationAllocator)
    assert allocator.probability_best == r.minimization.probability_best
    history = [PriorAllocation(TNN_SLE, "methotrexate")]
    allocation = allocator.allocate(TNN_SLE, history, random.Random(3))
    assert allocation.method == "minimization" and allocation.stratum == "site=TNN|sle=true"
    assert allocation.decision.scores == {"lenalidomide": 0, "methotrexate": 4}
    assert allocation.arm in ("lenalidomide", "methotrexate")


def test_minimization_rejects_levels_outside_the_stratification(stratification):
    allocator = MinimizationAllocator(stratification, {"a": 1, "b": 1}, 0.8)
    with pytest.raises(ValueError, match="levels.site: 'XYZ'"):
        allocator.allocate({"site": "XYZ", "sle": "true"}, [], random.Random(0))
