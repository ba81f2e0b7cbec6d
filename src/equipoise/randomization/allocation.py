"""One allocation interface over both methods the protocol schema allows.

The database layer holds the state (earlier allocations, the committed list) and the lock; it
hands that state to an `Allocator` and records the `Allocation` it returns. Both allocators are
pure: same levels, history and draws give the same arm.

- `BlockListAllocator`: the next unused slot of the subject's stratum in the committed list.
  The history is only counted (and checked against the list, so a list edited after use is
  caught); the rng is not consumed. A caller that already counts used slots under its row lock
  can call `blocks.next_slot(stratum_entries, used)` directly - it is the same rule.
- `MinimizationAllocator`: Pocock-Simon over the factor margins (see `minimization`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from equipoise.protocol.schema import Protocol as TrialProtocol
from equipoise.randomization.blocks import next_slot
from equipoise.randomization.listfile import ListEntry, by_stratum
from equipoise.randomization.minimization import (
    MinimizationDecision,
    PriorAllocation,
    UniformSource,
    minimize,
)
from equipoise.randomization.strata import Stratification


class AllocationConflict(ValueError):
    """The recorded allocations disagree with the committed list: stop and investigate."""


@dataclass(frozen=True)
class Allocation:
    """The outcome of one randomization, with what the ledger should record beside the arm."""

    arm: str
    stratum: str
    method: str
    slot: ListEntry | None = None  # permuted blocks: the slot taken
    slots_left: int | None = None  # permuted blocks: slots still free in the stratum after this one
    low_list: bool = False  # permuted blocks: the stratum's list is past the warning fraction
    decision: MinimizationDecision | None = None  # minimization: scores and draws


class Allocator(Protocol):
    method: str

    def allocate(
        self,
        levels: Mapping[str, str],
        history: Sequence[PriorAllocation],
        rng: UniformSource,
    ) -> Allocation:
        """The arm for a subject with `levels`, given every earlier allocation of the trial."""
        ...


class BlockListAllocator:
    method = "permuted_blocks"

    def __init__(
        self,
        stratification: Stratification,
        entries: Sequence[ListEntry],
        low_list_warning_fraction: float = 0.8,
    ):
        self.stratification = stratification
        self.lists = by_stratum(entries)
        self.warning_fraction = low_list_warning_fraction
        missing = sorted(set(stratification.strata()) - set(self.lists))
        if missing:
            raise ValueError(f"list: strata {missing} have no slots")

    def allocate(
        self,
        levels: Mapping[str, str],
        history: Sequence[PriorAllocation],
        rng: UniformSource,
    ) -> Allocation:
        stratum = self.stratification.label(levels)
        rows = self.lists[stratum]
        used = [p.arm for p in history if self.stratification.label(p.levels) == stratum]
        for position, (recorded, slot) in enumerate(zip(used, rows, strict=False), start=1):
            if recorded != slot.arm:
                raise AllocationConflict(
                    f"stratum {stratum!r} position {position}: recorded arm {recorded!r} but the "
                    f"list says {slot.arm!r}"
                )
        slot = next_slot(rows, len(used))
        left = len(rows) - slot.position
        return Allocation(
            arm=slot.arm,
            stratum=stratum,
            method=self.method,
            slot=slot,
            slots_left=left,
            low_list=slot.position >= self.warning_fraction * len(rows),
        )


class MinimizationAllocator:
    method = "minimization"

    def __init__(
        self,
        stratification: Stratification,
        ratio: Mapping[str, int],
        probability_best: float,
        measure: str = "range",
    ):
        self.stratification = stratification
        self.ratio = dict(ratio)
        self.probability_best = probability_best
        self.measure = measure

    def allocate(
        self,
        levels: Mapping[str, str],
        history: Sequence[PriorAllocation],
        rng: UniformSource,
    ) -> Allocation:
        stratum = self.stratification.label(levels)
        decision = minimize(
            history,
            levels,
            self.stratification.factor_ids(),
            self.ratio,
            self.probability_best,
            rng,
            self.measure,
        )
        return Allocation(arm=decision.arm, stratum=stratum, method=self.method, decision=decision)


def allocator_for(
    protocol: TrialProtocol,
    stratification: Stratification,
    entries: Sequence[ListEntry] | None = None,
) -> Allocator:
    """The allocator of the protocol's configured method (a committed list for blocks)."""
    r = protocol.randomization
    if r.method == "permuted_blocks":
        if entries is None:
            raise ValueError("entries: permuted blocks allocate from a committed list; none given")
        return BlockListAllocator(stratification, entries, r.low_list_warning_fraction)
    assert r.minimization is not None  # the schema requires it for this method
    return MinimizationAllocator(
        stratification, r.ratio, r.minimization.probability_best, r.minimization.imbalance
    )
