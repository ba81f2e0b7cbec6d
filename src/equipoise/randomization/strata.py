"""Strata: the combinations of stratification-factor levels a subject can fall into.

The factors come from the protocol's `randomization.factors`, in the order the protocol lists
them. A factor read from the `site` takes the site codes as its levels (the registry sites by
default, or the sites configured in the database when the caller passes them); a factor read
from a variable takes the levels the protocol lists, or, when it lists none, `"true"`/`"false"`
for a boolean variable and the choice codes for an enum.

Stratum label format (stable; stored in list files and allocation records)::

    <factor id>=<level>|<factor id>=<level>|...      e.g.  site=TNN|sle=true

Factors appear in protocol order, every factor is always present, and neither `|` nor `=` may
occur in a level, so a label can be parsed back without ambiguity (`parse_stratum_label`).
A protocol without stratification factors has the single stratum `all`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from equipoise.protocol.schema import Protocol

FACTOR_SEPARATOR = "|"
LEVEL_SEPARATOR = "="
_FORBIDDEN = (FACTOR_SEPARATOR, LEVEL_SEPARATOR)
UNSTRATIFIED = "all"


class StratificationError(ValueError):
    """A factor, level or label that does not fit the stratification; the message says which."""


@dataclass(frozen=True)
class StratFactor:
    """One stratification factor: its id, where its value comes from, and its allowed levels."""

    id: str
    source: str  # "site" or "variable"
    variable: str | None
    levels: tuple[str, ...]


@dataclass(frozen=True)
class Stratification:
    """The ordered factors of a protocol; every stratum is one level of each factor."""

    factors: tuple[StratFactor, ...]

    def factor_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.factors)

    def strata(self) -> list[str]:
        """Every stratum label, sorted (the order list files use)."""
        combos = itertools.product(*(f.levels for f in self.factors))
        return sorted(stratum_label(dict(zip(self.factor_ids(), c, strict=True))) for c in combos)

    def label(self, levels: Mapping[str, str]) -> str:
        """The label of the stratum holding `levels`, after checking every level is allowed."""
        self.check_levels(levels)
        return stratum_label({f.id: levels[f.id] for f in self.factors})

    def check_levels(self, levels: Mapping[str, str]) -> None:
        for factor in self.factors:
            if factor.id not in levels:
                raise StratificationError(f"levels: factor {factor.id!r} is missing")
            value = levels[factor.id]
            if value not in factor.levels:
                raise StratificationError(
                    f"levels.{factor.id}: {value!r} is not one of the allowed levels "
                    f"{list(factor.levels)}"
                )
        extra = sorted(set(levels) - set(self.factor_ids()))
        if extra:
            raise StratificationError(f"levels: {extra} are not stratification factors")

    def subject_levels(self, site: str, variables: Mapping[str, object]) -> dict[str, str]:
        """Turn a subject's site code and captured variables into factor levels.

        Booleans become "true"/"false" (the protocol's spelling of boolean levels); other
        values are used as their string form. The result is checked against the allowed levels.
        """
        levels: dict[str, str] = {}
        for factor in self.factors:
            if factor.source == "site":
                levels[factor.id] = site
                continue
            assert factor.variable is not None
            if factor.variable not in variables or variables[factor.variable] is None:
                raise StratificationError(
                    f"variables.{factor.variable}: needed for stratification factor "
                    f"{factor.id!r} but not recorded"
                )
            levels[factor.id] = level_text(variables[factor.variable])
        self.check_levels(levels)
        return levels


def level_text(value: object) -> str:
    """The level spelling of a captured value: booleans as "true"/"false", others as str()."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def stratum_label(levels: Mapping[str, str]) -> str:
    """Join `factor=level` pairs in the mapping's order with `|`; rejects separator characters."""
    if not levels:
        return UNSTRATIFIED
    parts = []
    for factor, level in levels.items():
        for name, text in (("factor", factor), ("level", level)):
            if not text or any(sep in text for sep in _FORBIDDEN):
                raise StratificationError(
                    f"{name} {text!r}: must be non-empty and contain neither '|' nor '='"
                )
        parts.append(f"{factor}{LEVEL_SEPARATOR}{level}")
    return FACTOR_SEPARATOR.join(parts)


def parse_stratum_label(label: str) -> dict[str, str]:
    """Split a stratum label back into its ordered `{factor: level}` mapping."""
    if label == UNSTRATIFIED:
        return {}
    levels: dict[str, str] = {}
    for part in label.split(FACTOR_SEPARATOR):
        factor, sep, level = part.partition(LEVEL_SEPARATOR)
        if not sep or not factor or not level or LEVEL_SEPARATOR in level:
            raise StratificationError(
                f"stratum {label!r}: part {part!r} is not of the form factor=level"
            )
        if factor in levels:
            raise StratificationError(f"stratum {label!r}: factor {factor!r} appears twice")
        levels[factor] = level
    return levels


def _variable_levels(protocol: Protocol, factor_id: str, variable: str) -> tuple[str, ...]:
    field = protocol.variables().get(variable)
    if field is None:
        raise StratificationError(
            f"randomization.factors[{factor_id}].variable: {variable!r} is not a form variable"
        )
    if field.type == "bool":
        return ("true", "false")
    if field.type == "enum" and field.choices:
        return tuple(str(c.code) for c in field.choices)
    raise StratificationError(
        f"randomization.factors[{factor_id}].levels: variable {variable!r} is of type "
        f"{field.type!r}, so the protocol must list the levels"
    )


def stratification_from_protocol(
    protocol: Protocol, sites: Sequence[str] | None = None
) -> Stratification:
    """Build the stratification of `protocol`.

    `sites` are the site codes to stratify on; by default the registry's sites. The database
    layer passes its configured sites so that a site added by configuration gets its strata.
    """
    site_codes = tuple(sites) if sites is not None else tuple(s.code for s in protocol.registry.sites)
    if not site_codes:
        raise StratificationError("sites: at least one site is needed to stratify by site")
    if len(set(site_codes)) != len(site_codes):
        raise StratificationError(f"sites: {list(site_codes)} lists a site more than once")
    factors = []
    for factor in protocol.randomization.factors:
        if factor.source == "site":
            levels = site_codes
        elif factor.levels:
            levels = tuple(factor.levels)
        else:
            assert factor.variable is not None  # the schema requires it for variable factors
            levels = _variable_levels(protocol, factor.id, factor.variable)
        if len(set(levels)) != len(levels):
            raise StratificationError(
                f"randomization.factors[{factor.id}].levels: {list(levels)} repeats a level"
            )
        for level in levels:
            stratum_label({factor.id: level})  # rejects separators with a message naming it
        factors.append(StratFactor(factor.id, factor.source, factor.variable, levels))
    return Stratification(tuple(factors))
