"""How far each stratum's list is used, and how balanced the arms are: the statistician's view.

Counting is done in the database (one grouped query each); the arithmetic on the counts is in
plain functions so that it can be tested without a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Count, Q

from equipoise.allocation.models import Allocation, ListSlot, ListWarning, RandomizationList
from equipoise.randomization.strata import parse_stratum_label


@dataclass(frozen=True)
class StratumUsage:
    stratum: str
    used: int
    total: int
    warned: bool  # the statistician was told this stratum passed the warning fraction

    @property
    def fraction(self) -> float:
        return self.used / self.total if self.total else 1.0

    @property
    def exhausted(self) -> bool:
        return self.used >= self.total

    def low(self, warning_fraction: float) -> bool:
        return self.used >= warning_fraction * self.total


def list_usage(rlist: RandomizationList) -> list[StratumUsage]:
    rows = (ListSlot.objects.filter(rlist=rlist).values("stratum")
            .annotate(total=Count("id"), used=Count("id", filter=Q(used_at__isnull=False))).order_by("stratum"))
    warned = set(ListWarning.objects.filter(rlist=rlist).values_list("stratum", flat=True))
    return [StratumUsage(r["stratum"], r["used"], r["total"], r["stratum"] in warned) for r in rows]


def arm_counts(pairs: Iterable[tuple[str, str]], arms: Iterable[str]) -> dict[str, dict[str, int]]:
    """{group: {arm: n}} from (group, arm) pairs, every arm present in every group."""
    arm_list = sorted(arms)
    out: dict[str, dict[str, int]] = {}
    for group, arm in pairs:
        out.setdefault(group, {a: 0 for a in arm_list})[arm] += 1
    return dict(sorted(out.items()))


def margins(by_stratum: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, dict[str, int]]]:
    """Per stratification factor and level, the arm counts summed over strata (e.g. sle=true)."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for stratum, counts in by_stratum.items():
        for factor, level in parse_stratum_label(stratum).items():
            cell = out.setdefault(factor, {}).setdefault(level, dict.fromkeys(counts, 0))
            for arm, n in counts.items():
                cell[arm] = cell.get(arm, 0) + n
    return out


def imbalance(counts: Mapping[str, int]) -> int:
    """Largest minus smallest arm count (1:1 trials: |n_A - n_B|)."""
    return max(counts.values()) - min(counts.values()) if counts else 0


def balance(arms: Iterable[str], protocol_id: str) -> dict[str, object]:
    """Arm counts of the ledger of `protocol_id` overall, per stratum and per factor margin."""
    arm_list = sorted(arms)
    pairs = list(Allocation.objects.filter(subject__protocol_id=protocol_id).values_list("stratum", "arm"))
    by_stratum = arm_counts(pairs, arm_list)
    overall = {a: sum(c[a] for c in by_stratum.values()) for a in arm_list}
    return {"arms": arm_list, "overall": overall, "overall_imbalance": imbalance(overall),
            "strata": [{"stratum": s, "counts": c, "imbalance": imbalance(c)} for s, c in by_stratum.items()],
            "margins": {f: [{"level": lv, "counts": c, "imbalance": imbalance(c)} for lv, c in levels.items()]
                        for f, levels in margins(by_stratum).items()}}
