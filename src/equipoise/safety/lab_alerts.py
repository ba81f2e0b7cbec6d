"""Laboratory alerts from the study drugs' labels (trial sheet §7, `safety.yaml` lab_limits).

Each alert has two halves. The *finding* (which value crossed which limit) is arm-neutral
when both arms share the limit. The *instruction* names the drug label that fired and the action
(hold, halve the dose, stop), and so names the arm. An alert is `arm_revealing` when its action,
or its very existence, differs between the arms: a blinded assessor must never see it, because
"halve the dose at a clearance of 45 mL/min" can only be methotrexate. `blinded_view` gives what
an assessor may see.

The trial sheet fixes the thresholds; which action each drug's label implies at a threshold is
partly our reading, and such rules carry an `assumption` the sponsor can review.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from enum import StrEnum
from operator import attrgetter

from equipoise.protocol.schema import Text
from equipoise.safety.errors import InvalidInput
from equipoise.safety.parameters import LabLimits

DRUGS = ("lenalidomide", "methotrexate")
DRUG_NAMES = {"lenalidomide": Text(en="lenalidomide", fr="lénalidomide"),
              "methotrexate": Text(en="methotrexate", fr="méthotrexate")}


@dataclass(frozen=True)
class LabValues:
    """One set of results; names and units follow the data dictionary. None means not measured."""

    neutrophils_g_l: float | None = None
    platelets_g_l: float | None = None
    alt_x_uln: float | None = None
    ast_x_uln: float | None = None
    creatinine_clearance_ml_min: float | None = None


class LabAction(StrEnum):
    HOLD = "hold"
    HALVE_DOSE = "halve_dose"
    STOP = "stop"


_ACTION_TEXT = {
    LabAction.HOLD: Text(en="hold {drug} until the value recovers and a physician reviews",
                         fr="suspendre le {drug} jusqu'à normalisation et avis médical"),
    LabAction.HALVE_DOSE: Text(en="halve the {drug} dose", fr="diminuer de moitié la dose de {drug}"),
    LabAction.STOP: Text(en="stop {drug}", fr="arrêter le {drug}"),
}


@dataclass(frozen=True)
class LabAlert:
    code: str
    analyte: str
    value: float
    limit: float
    finding: Text
    drug: str
    action: LabAction
    instruction: Text
    assumption: str | None
    arm_revealing: bool


@dataclass(frozen=True)
class BlindedLabAlert:
    """What an outcome assessor may see: the value and limit, nothing about the drug."""

    code: str
    analyte: str
    value: float
    limit: float
    finding: Text


@dataclass(frozen=True)
class _Rule:
    code: str
    analyte: str
    fires: Callable[[float, LabLimits], bool]
    limit: Callable[[LabLimits], float]
    finding: Text  # placeholders {value} and {limit}
    actions: dict[str, tuple[LabAction, Text, str | None]]  # drug -> action, label basis, assumption


def _num(value: float) -> str:
    return f"{value:g}"


_SAME_LIMIT_AS_EX01 = "Action at this limit is our reading of the label (EX01 thresholds)."


def _blood_count_rule(en: str, fr: str) -> _Rule:
    """A blood count below the trial's minimum: both labels hold the drug (same limit for both arms)."""
    minimum = attrgetter(f"{en}_min_g_l")
    return _Rule(
        f"{en}_low", f"{en}_g_l",
        lambda v, lim: v < minimum(lim), minimum,
        Text(en=f"{en.capitalize()} {{value}} ×10⁹/L, below {{limit}}",
             fr=f"{fr.capitalize()} {{value}} ×10⁹/L, sous {{limit}}"),
        {"lenalidomide": (LabAction.HOLD,
                          Text(en=f"Lenalidomide label: not to be given with {en} below {{limit}} ×10⁹/L",
                               fr=f"RCP du lénalidomide : pas d'administration si {fr} sous {{limit}} ×10⁹/L"),
                          None),
         "methotrexate": (LabAction.HOLD,
                          Text(en="Methotrexate label: contraindicated in blood dyscrasia",
                               fr="RCP du méthotrexate : contre-indiqué en cas d'anomalie de l'hémogramme"),
                          _SAME_LIMIT_AS_EX01)})


_RULES: tuple[_Rule, ...] = (
    _blood_count_rule("neutrophils", "neutrophiles"),
    _blood_count_rule("platelets", "plaquettes"),
    *(
        _Rule(f"{name}_high", f"{name}_x_uln",
              lambda v, lim: v > lim.transaminases_max_x_uln, lambda lim: lim.transaminases_max_x_uln,
              Text(en=f"{name.upper()} {{value}} × ULN, above {{limit}} × ULN",
                   fr=f"{name.upper()} {{value}} × LSN, au-dessus de {{limit}} × LSN"),
              {"lenalidomide": (LabAction.HOLD,
                                Text(en="Trial limit for lenalidomide (liver toxicity is an event of special interest)",
                                     fr="Limite de l'essai pour le lénalidomide (toxicité hépatique, événement d'intérêt particulier)"),
                                _SAME_LIMIT_AS_EX01),
               "methotrexate": (LabAction.HOLD,
                                Text(en="Methotrexate label: hepatotoxic, contraindicated in liver failure",
                                     fr="RCP du méthotrexate : hépatotoxique, contre-indiqué en cas d'insuffisance hépatique"),
                                _SAME_LIMIT_AS_EX01)})
        for name in ("alt", "ast")
    ),
    _Rule("creatinine_clearance_below_min", "creatinine_clearance_ml_min",
          lambda v, lim: v < lim.creatinine_clearance_min_ml_min,
          lambda lim: lim.creatinine_clearance_min_ml_min,
          Text(en="Creatinine clearance {value} mL/min, below {limit}",
               fr="Clairance de la créatinine {value} mL/min, sous {limit}"),
          {"lenalidomide": (LabAction.HOLD,
                            Text(en="Lenalidomide label: eliminated by the kidney (trial limit)",
                                 fr="RCP du lénalidomide : élimination rénale (limite de l'essai)"),
                            _SAME_LIMIT_AS_EX01),
           "methotrexate": (LabAction.STOP,
                            Text(en="Methotrexate label: contraindicated below {limit} mL/min",
                                 fr="RCP du méthotrexate : contre-indiqué sous {limit} mL/min"),
                            None)}),
    _Rule("creatinine_clearance_halve_methotrexate", "creatinine_clearance_ml_min",
          lambda v, lim: (lim.creatinine_clearance_min_ml_min <= v
                          < lim.creatinine_clearance_halve_mtx_below_ml_min),
          lambda lim: lim.creatinine_clearance_halve_mtx_below_ml_min,
          Text(en="Creatinine clearance {value} mL/min, below {limit}",
               fr="Clairance de la créatinine {value} mL/min, sous {limit}"),
          {"methotrexate": (LabAction.HALVE_DOSE,
                            Text(en="Methotrexate label: halve the dose when clearance is below {limit} mL/min",
                                 fr="RCP du méthotrexate : demi-dose si la clairance est sous {limit} mL/min"),
                            None)}),
)


def _fill(text: Text, **values: str) -> Text:
    """Format both languages, with a decimal comma in French."""
    return Text(en=text.en.format(**values),
                fr=text.fr.format(**{k: v.replace(".", ",") for k, v in values.items()}))


def _check_values(labs: LabValues) -> None:
    for f in fields(labs):
        value = getattr(labs, f.name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInput(f.name, value, "must be a number")
        if value < 0 or value != value:
            raise InvalidInput(f.name, value, "must be a non-negative number")


def _action_for(rule: _Rule, drug: str) -> LabAction | None:
    entry = rule.actions.get(drug)
    return entry[0] if entry else None


def lab_alerts(labs: LabValues, drug: str, limits: LabLimits) -> tuple[LabAlert, ...]:
    """Every alert the labels raise for these results in an arm whose study drug is `drug`."""
    if drug not in DRUGS:
        raise InvalidInput("drug", drug, f"lab rules are known for {', '.join(DRUGS)}")
    _check_values(labs)
    alerts: list[LabAlert] = []
    for rule in _RULES:
        value = getattr(labs, rule.analyte)
        if value is None or not rule.fires(value, limits) or drug not in rule.actions:
            continue
        action, basis, assumption = rule.actions[drug]
        limit = rule.limit(limits)
        name = DRUG_NAMES[drug]
        action_text = _ACTION_TEXT[action]
        filled_basis = _fill(basis, limit=_num(limit))
        instruction = Text(
            en=f"{filled_basis.en}: {action_text.en.format(drug=name.en)}.",
            fr=f"{filled_basis.fr} : {action_text.fr.format(drug=name.fr)}.")
        revealing = len({_action_for(rule, other) for other in DRUGS}) > 1
        alerts.append(LabAlert(
            code=rule.code, analyte=rule.analyte, value=value, limit=limit,
            finding=_fill(rule.finding, value=_num(value), limit=_num(limit)),
            drug=drug, action=action, instruction=instruction, assumption=assumption,
            arm_revealing=revealing))
    return tuple(alerts)


def blinded_view(alerts: Iterable[LabAlert]) -> tuple[BlindedLabAlert, ...]:
    """The alerts an outcome assessor may see: arm-neutral findings only, no drug, no action."""
    return tuple(BlindedLabAlert(a.code, a.analyte, a.value, a.limit, a.finding)
                 for a in alerts if not a.arm_revealing)
