"""Closing a pregnancy follow-up: the outcomes it may close with, and the checks on the entry.

Pure functions over plain values. The protocol files name pregnancy as an event of special
interest (patient or partner) but list no pregnancy outcomes, so the list below is an
ASSUMPTION, to be confirmed with the sponsor's pharmacovigilance:

- live_birth, miscarriage, termination: the pregnancy ended; the date is the date it ended;
- ongoing_at_end_of_study: the follow-up stops while the pregnancy goes on; the date is the day
  the follow-up stopped;
- unknown: the outcome could not be learned (patient lost to follow-up); the date is the last
  contact. The comments then say why.

An outcome date is a Europe/Paris calendar date, not in the future and not before the onset of the
pregnancy event the follow-up was opened for.
"""

from __future__ import annotations

import datetime as dt

from equipoise.protocol.schema import Text
from equipoise.safety.adverse_events import AeProblem

PREGNANCY_OUTCOMES = ("live_birth", "miscarriage", "termination", "ongoing_at_end_of_study", "unknown")


def _problem(field: str, value: object, rule: str, en: str, fr: str) -> AeProblem:
    return AeProblem(field=field, value=value, rule=rule, message=Text(en=en, fr=fr))


def closing_problems(outcome: object, outcome_date: object, onset_date: dt.date,
                     today: dt.date) -> tuple[AeProblem, ...]:
    """Every problem with closing a follow-up on `outcome` at `outcome_date` (empty if none)."""
    problems: list[AeProblem] = []
    add = problems.append
    if outcome not in PREGNANCY_OUTCOMES:
        add(_problem("outcome", outcome, f"one of {', '.join(PREGNANCY_OUTCOMES)}",
                     f"Pregnancy outcome {outcome!r} is not one of {', '.join(PREGNANCY_OUTCOMES)}.",
                     f"L'issue de grossesse {outcome!r} n'est pas l'une de {', '.join(PREGNANCY_OUTCOMES)}."))
    if outcome_date is None:
        add(_problem("outcome_date", None, "required", "The outcome date is required.",
                     "La date de l'issue est obligatoire."))
    elif not isinstance(outcome_date, dt.date) or isinstance(outcome_date, dt.datetime):
        add(_problem("outcome_date", outcome_date, "calendar date",
                     f"Outcome date {outcome_date!r} must be a date YYYY-MM-DD.",
                     f"La date de l'issue {outcome_date!r} doit être une date AAAA-MM-JJ."))
    else:
        if outcome_date > today:
            add(_problem("outcome_date", outcome_date, "not in the future",
                         f"Outcome date {outcome_date} is after today ({today}, Paris).",
                         f"La date de l'issue {outcome_date} est postérieure à aujourd'hui ({today}, Paris)."))
        if outcome_date < onset_date:
            add(_problem("outcome_date", outcome_date, "not before the pregnancy onset",
                         f"Outcome date {outcome_date} is before the pregnancy event's onset {onset_date}.",
                         f"La date de l'issue {outcome_date} précède le début de la grossesse déclarée "
                         f"{onset_date}."))
    return tuple(problems)
