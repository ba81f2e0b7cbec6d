"""Properties of CLASI scoring that must hold for every valid record (hypothesis)."""

from __future__ import annotations

import copy

from hypothesis import given
from hypothesis import strategies as st

from equipoise.instruments.clasi import (
    ACTIVITY_MAX,
    AREA_ITEMS,
    AREAS,
    DAMAGE_MAX,
    PATIENT_ITEMS,
    SCALP_ITEMS,
    score_clasi,
)


def _items_for(area: str) -> dict[str, tuple[int, ...]]:
    return SCALP_ITEMS if area == "scalp" else AREA_ITEMS


def _area_entry(area: str) -> st.SearchStrategy[dict]:
    items = _items_for(area)
    return st.fixed_dictionaries({}, optional={k: st.sampled_from(v) for k, v in items.items()})


records = st.fixed_dictionaries(
    {},
    optional={
        "regions": st.fixed_dictionaries({}, optional={a: _area_entry(a) for a in AREAS}),
        **{k: st.sampled_from(v) for k, v in PATIENT_ITEMS.items()},
        "dyspigmentation_12_months_or_more": st.booleans(),
    },
)


def _item_paths() -> list[tuple[tuple[str, ...], tuple[int, ...]]]:
    """Every integer item a record could hold, as (path, scale)."""
    paths = [((name,), scale) for name, scale in PATIENT_ITEMS.items()]
    for area in AREAS:
        paths += [(("regions", area, name), scale) for name, scale in _items_for(area).items()]
    return paths


def _get(record: dict, path: tuple[str, ...]) -> int:
    node = record
    for key in path:
        if key not in node:
            return 0
        node = node[key]
    return node


def _set(record: dict, path: tuple[str, ...], value: int) -> dict:
    raised = copy.deepcopy(record)
    node = raised
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    return raised


def _shuffled(value, rnd):
    if isinstance(value, dict):
        keys = list(value)
        rnd.shuffle(keys)
        return {k: _shuffled(value[k], rnd) for k in keys}
    return value


@given(records)
def test_totals_stay_within_their_maxima(record):
    score = score_clasi(record)
    assert 0 <= score.activity <= ACTIVITY_MAX
    assert 0 <= score.damage <= DAMAGE_MAX


@given(records)
def test_parts_add_up_to_the_totals(record):
    score = score_clasi(record)
    assert score.activity == sum(a.activity for a in score.areas) + (
        score.mucous_membrane + score.recent_hair_loss + score.nonscarring_alopecia
    )
    assert score.damage == sum(a.damage for a in score.areas) + score.scarring_alopecia


@given(records, st.data())
def test_raising_any_single_item_never_lowers_a_total(record, data):
    path, scale = data.draw(st.sampled_from(_item_paths()))
    current = _get(record, path)
    higher = [v for v in scale if v > current]
    if not higher:
        return
    raised = _set(record, path, data.draw(st.sampled_from(higher)))
    before, after = score_clasi(record), score_clasi(raised)
    assert after.activity >= before.activity
    assert after.damage >= before.damage
    assert (after.activity, after.damage) != (before.activity, before.damage)


@given(records)
def test_doubling_changes_only_the_dyspigmentation_subtotal(record):
    short = score_clasi({**record, "dyspigmentation_12_months_or_more": False})
    long = score_clasi({**record, "dyspigmentation_12_months_or_more": True})
    raw_dyspigmentation = sum(a.dyspigmentation for a in short.areas)
    assert long.activity == short.activity
    assert long.scarring_subtotal == short.scarring_subtotal
    assert long.scarring_alopecia == short.scarring_alopecia
    assert short.dyspigmentation_subtotal == raw_dyspigmentation
    assert long.dyspigmentation_subtotal == 2 * raw_dyspigmentation
    assert long.damage - short.damage == raw_dyspigmentation


@given(records, st.randoms(use_true_random=False))
def test_scoring_does_not_depend_on_key_order(record, rnd):
    assert score_clasi(_shuffled(record, rnd)) == score_clasi(record)
    assert score_clasi(_shuffled(record, rnd)).to_dict() == score_clasi(record).to_dict()
