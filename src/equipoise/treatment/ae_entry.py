"""Checks on the parts of an adverse-event report that the pure validator leaves to the site form:
causality per drug of the arm, the action taken and the outcome. Pure functions over plain values.

Causality is asked for every drug the patient takes in the trial (the study drug and its
auxiliary drug: aspirin or folic acid), because a bleed may be aspirin's and not lenalidomide's,
and only causality to the *study drug* can make a SUSAR.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from equipoise.protocol.schema import Text
from equipoise.safety.adverse_events import AeProblem

CAUSALITY = ("related", "not_related")
ACTIONS_TAKEN = ("none", "dose_reduced", "drug_interrupted", "drug_withdrawn", "not_applicable")
OUTCOMES = ("recovered", "recovering", "not_recovered", "recovered_with_sequelae", "fatal", "unknown")
FATAL_GRADE = 5


def _problem(field: str, value: object, rule: str, en: str, fr: str) -> AeProblem:
    return AeProblem(field=field, value=value, rule=rule, message=Text(en=en, fr=fr))


def entry_problems(causality: Mapping[str, str], drugs: Iterable[str], action_taken: str, outcome: str,
                   grade: object) -> tuple[AeProblem, ...]:
    """Problems with causality (one answer per drug in `drugs`), action taken and outcome."""
    problems: list[AeProblem] = []
    expected = list(drugs)
    for drug in expected:
        answer = causality.get(drug)
        if answer not in CAUSALITY:
            problems.append(_problem(
                f"causality.{drug}", answer, f"one of {', '.join(CAUSALITY)}",
                f"Causality to {drug} is {answer!r}; answer related or not_related.",
                f"Le lien avec {drug} vaut {answer!r} ; répondez lié ou non lié."))
    extra = sorted(set(causality) - set(expected))
    if extra:
        problems.append(_problem("causality", extra, f"drugs of the arm: {', '.join(expected)}",
                                 f"Causality given for drugs the patient does not take: {extra}.",
                                 f"Lien de causalité donné pour des traitements non pris : {extra}."))
    if action_taken not in ACTIONS_TAKEN:
        problems.append(_problem("action_taken", action_taken, f"one of {', '.join(ACTIONS_TAKEN)}",
                                 f"Action taken {action_taken!r} is not one of {', '.join(ACTIONS_TAKEN)}.",
                                 f"L'action {action_taken!r} n'est pas l'une de {', '.join(ACTIONS_TAKEN)}."))
    if outcome not in OUTCOMES:
        problems.append(_problem("outcome", outcome, f"one of {', '.join(OUTCOMES)}",
                                 f"Outcome {outcome!r} is not one of {', '.join(OUTCOMES)}.",
                                 f"L'évolution {outcome!r} n'est pas l'une de {', '.join(OUTCOMES)}."))
    elif (outcome == "fatal") != (grade == FATAL_GRADE):
        problems.append(_problem("outcome", outcome, "fatal if and only if grade 5",
                                 f"Outcome {outcome!r} does not match grade {grade!r}: grade 5 is death and only "
                                 "death has the outcome fatal.",
                                 f"L'évolution {outcome!r} ne correspond pas au grade {grade!r} : le grade 5 est "
                                 "le décès, seul le décès a l'évolution fatale."))
    return tuple(problems)


def related_to(causality: Mapping[str, str], drug: str) -> bool | None:
    """Whether the event is related to `drug`; None when causality to it is not assessed."""
    answer = causality.get(drug)
    return None if answer is None else answer == "related"
