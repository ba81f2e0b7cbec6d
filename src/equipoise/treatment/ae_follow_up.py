"""The investigator's follow-up of a reported adverse event, as pure functions over plain values.

A follow-up records what became known after the report: the end date, the outcome and, when the
event worsened, a higher CTCAE grade. The updated event is then judged by the very rules a new
report meets (`safety.adverse_events.validate_adverse_event` and `treatment.ae_entry`), plus the
rules only a follow-up has:

- a reason is given (it goes into the audit event next to the old and new values);
- the grade only rises: a lower grade would be a data correction, not a follow-up, and corrections
  of a safety report go through the sponsor's data management, not this form;
- something actually changes.

Grade 5 is death, so a fatal outcome (which the entry rules tie to grade 5) adds the "death"
seriousness criterion. An event that thereby *becomes* serious needs the moment the site learned
of the change: it starts the 24-hour SAE clock, exactly as the awareness of a new serious event
does. An event already serious keeps its original awareness moment (its clock already ran).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import cast

from equipoise.protocol.schema import Text
from equipoise.safety.adverse_events import AdverseEvent as PureEvent
from equipoise.safety.adverse_events import AeProblem
from equipoise.treatment.ae_entry import FATAL_GRADE
from equipoise.visits.localtime import as_utc

DEATH = "death"


@dataclass(frozen=True)
class FollowUp:
    """What the investigator entered; `grade` None keeps the recorded grade."""

    end_date: dt.date | None
    outcome: str
    reason: str
    grade: object = None
    site_aware_at: dt.datetime | None = None


def _problem(field: str, value: object, rule: str, en: str, fr: str) -> AeProblem:
    return AeProblem(field=field, value=value, rule=rule, message=Text(en=en, fr=fr))


def new_grade(recorded: int, entered: object) -> object:
    """The grade after the follow-up: the entered one, or the recorded one when none is entered."""
    return recorded if entered is None or entered == "" else entered


def updated_event(event: PureEvent, follow_up: FollowUp) -> PureEvent:
    """The event as it would stand after `follow_up` (not yet validated).

    Grade 5 adds the death criterion; a newly serious event takes the entered awareness moment.
    """
    grade = new_grade(event.grade, follow_up.grade)
    seriousness = set(event.seriousness)
    if grade == FATAL_GRADE:
        seriousness.add(DEATH)
    aware = event.site_aware_at
    if seriousness and not event.serious:
        aware = follow_up.site_aware_at
    # Not yet validated: `follow_up_problems` checks the grade (it may be anything entered).
    return dataclasses.replace(event, grade=cast(int, grade), end_date=follow_up.end_date,
                               seriousness=frozenset(seriousness), site_aware_at=aware)


def follow_up_problems(before: PureEvent, outcome_before: str, follow_up: FollowUp,
                       after: PureEvent) -> tuple[AeProblem, ...]:
    """The follow-up-only rules (reason, grade only rises, a real change, awareness when due)."""
    problems: list[AeProblem] = []
    add = problems.append
    if not isinstance(follow_up.reason, str) or not follow_up.reason.strip():
        add(_problem("reason", follow_up.reason, "required",
                     "A reason for the change is required.",
                     "Le motif de la modification est obligatoire."))
    grade_ok = isinstance(after.grade, int) and not isinstance(after.grade, bool)
    if grade_ok and after.grade < before.grade:
        add(_problem("grade", after.grade, f"higher than the recorded grade {before.grade}",
                     f"Grade {after.grade} is lower than the recorded grade {before.grade}: a follow-up "
                     "only records a worsening.",
                     f"Le grade {after.grade} est inférieur au grade enregistré {before.grade} : un suivi "
                     "n'enregistre qu'une aggravation."))
    if follow_up.site_aware_at is not None and (before.serious or not after.serious):
        add(_problem("site_aware_at", follow_up.site_aware_at, "only when the event becomes serious",
                     "The moment the site learned of the change is asked only when the change makes "
                     "the event serious (it starts the 24-hour clock).",
                     "Le moment où le centre a appris la modification n'est demandé que si elle rend "
                     "l'événement grave (il déclenche le délai de 24 heures)."))
    unchanged = (after.end_date == before.end_date and follow_up.outcome == outcome_before
                 and after.grade == before.grade)
    if unchanged:
        add(_problem("follow_up", None, "changes the end date, outcome or grade",
                     "Nothing changes: the end date, outcome and grade are those recorded.",
                     "Rien ne change : la date de fin, l'évolution et le grade sont ceux enregistrés."))
    return tuple(problems)


def changes(before: PureEvent, outcome_before: str, after: PureEvent, outcome_after: str) -> dict[str, list]:
    """Old -> new values of every field the follow-up changed, as the audit ledger stores them.

    Moments are written in UTC, like the other safety audit events; `after` has passed validation,
    so its moments are aware.
    """

    def plain(value: object) -> object:
        if isinstance(value, dt.datetime):
            return as_utc("site_aware_at", value).isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, frozenset):
            return sorted(value)
        return value

    pairs = {"end_date": (before.end_date, after.end_date), "outcome": (outcome_before, outcome_after),
             "grade": (before.grade, after.grade), "seriousness": (before.seriousness, after.seriousness),
             "site_aware_at": (before.site_aware_at, after.site_aware_at)}
    return {name: [plain(old), plain(new)] for name, (old, new) in pairs.items() if old != new}
