"""Adverse events: validation, seriousness, special interest and the reporting clocks.

Grades follow CTCAE v5 (1 mild to 5 death). An event is serious when it meets at least one
seriousness criterion. Two clocks run on serious events (trial sheet §7, `safety.yaml`
`ae_clocks_hours`):

- SAE: the sponsor must be told within 24 hours of the moment the *site learned* of the event;
- SUSAR (serious, related, unexpected): the authorities must be told within 7 days if fatal or
  life-threatening, else 15 days, counted from the sponsor's expectedness assessment, the moment
  the event became known to be a SUSAR.

Deadlines are elapsed time: every instant is converted to UTC before adding hours, so 24 hours
are 24 real hours even when Paris moves its clocks (a datetime carrying a ZoneInfo would
otherwise add *wall-clock* hours). Only the display goes back to Europe/Paris.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from equipoise.protocol.schema import Text
from equipoise.safety.errors import InvalidInput
from equipoise.safety.parameters import AeClockHours
from equipoise.visits.durations import days_hours
from equipoise.visits.localtime import as_utc, to_trial_time, trial_date, utc_offset, wall_clock

SERIOUSNESS_CRITERIA = ("death", "life_threatening", "hospitalisation", "disability",
                        "congenital_anomaly", "medically_important")
CTCAE_GRADES = range(1, 6)


@dataclass(frozen=True)
class AdverseEvent:
    """An adverse event as the site records it.

    Dates (`onset_date`, `end_date`) are Europe/Paris calendar dates; moments that start or stop
    a clock are timezone-aware datetimes. `related` and `expected` stay None until assessed.
    """

    term: str
    grade: int
    onset_date: dt.date
    end_date: dt.date | None = None
    seriousness: frozenset[str] = frozenset()
    special_interest: frozenset[str] = frozenset()
    site_aware_at: dt.datetime | None = None
    related: bool | None = None
    expected: bool | None = None
    expectedness_assessed_at: dt.datetime | None = None
    sponsor_notified_at: dt.datetime | None = None
    authorities_notified_at: dt.datetime | None = None

    @property
    def serious(self) -> bool:
        return bool(self.seriousness)

    @property
    def fatal_or_life_threatening(self) -> bool:
        return bool(self.seriousness & {"death", "life_threatening"})

    @property
    def susar(self) -> bool:
        """Serious, related to the study drug and unexpected; unknown counts as not (yet) one."""
        return self.serious and self.related is True and self.expected is False

    @property
    def of_special_interest(self) -> bool:
        return bool(self.special_interest)


@dataclass(frozen=True)
class AeProblem:
    """One reason an adverse-event record cannot be accepted as entered."""

    field: str
    value: object
    rule: str
    message: Text


def _problem(field: str, value: object, rule: str, en: str, fr: str) -> AeProblem:
    return AeProblem(field=field, value=value, rule=rule, message=Text(en=en, fr=fr))


_MOMENTS = ("site_aware_at", "expectedness_assessed_at", "sponsor_notified_at",
            "authorities_notified_at")


def validate_adverse_event(ae: AdverseEvent, now: dt.datetime,
                           special_interest_categories: Iterable[str]) -> tuple[AeProblem, ...]:
    """Every problem with `ae` at `now` (empty when it can be accepted).

    `now` must be aware (raises `InvalidInput` otherwise); a naive datetime inside the record is
    reported as a problem of that field, like any other entry error.
    """
    now_utc = as_utc("now", now)
    today = trial_date(now_utc)
    problems: list[AeProblem] = []
    add = problems.append

    if not isinstance(ae.term, str) or not ae.term.strip():
        add(_problem("term", ae.term, "required", "The event term is required.",
                     "Le terme de l'événement est obligatoire."))
    if isinstance(ae.grade, bool) or not isinstance(ae.grade, int) or ae.grade not in CTCAE_GRADES:
        add(_problem("grade", ae.grade, "CTCAE v5 grade 1-5",
                     f"Grade {ae.grade!r} is not a CTCAE v5 grade (a whole number from 1 to 5).",
                     f"Le grade {ae.grade!r} n'est pas un grade CTCAE v5 (entier de 1 à 5)."))
    if ae.onset_date > today:
        add(_problem("onset_date", ae.onset_date, "not in the future",
                     f"Onset {ae.onset_date} is after today ({today}, Paris).",
                     f"Le début {ae.onset_date} est postérieur à aujourd'hui ({today}, Paris)."))
    if ae.end_date is not None:
        if ae.end_date < ae.onset_date:
            add(_problem("end_date", ae.end_date, "not before onset",
                         f"End {ae.end_date} is before onset {ae.onset_date}.",
                         f"La fin {ae.end_date} précède le début {ae.onset_date}."))
        if ae.end_date > today:
            add(_problem("end_date", ae.end_date, "not in the future",
                         f"End {ae.end_date} is after today ({today}, Paris).",
                         f"La fin {ae.end_date} est postérieure à aujourd'hui ({today}, Paris)."))

    unknown = sorted(set(ae.seriousness) - set(SERIOUSNESS_CRITERIA))
    if unknown:
        add(_problem("seriousness", unknown, f"one of {', '.join(SERIOUSNESS_CRITERIA)}",
                     f"Unknown seriousness criteria {unknown}; allowed: "
                     f"{', '.join(SERIOUSNESS_CRITERIA)}.",
                     f"Critères de gravité inconnus {unknown} ; autorisés : "
                     f"{', '.join(SERIOUSNESS_CRITERIA)}."))
    if ae.grade == 5 and "death" not in ae.seriousness:
        add(_problem("seriousness", sorted(ae.seriousness), "grade 5 implies death",
                     "Grade 5 means death: the 'death' seriousness criterion must be ticked.",
                     "Le grade 5 correspond au décès : le critère de gravité « décès » doit être "
                     "coché."))
    allowed = set(special_interest_categories)
    strange = sorted(set(ae.special_interest) - allowed)
    if strange:
        add(_problem("special_interest", strange, f"one of {', '.join(sorted(allowed))}",
                     f"Unknown events of special interest {strange}; allowed: "
                     f"{', '.join(sorted(allowed))}.",
                     f"Événements d'intérêt particulier inconnus {strange} ; autorisés : "
                     f"{', '.join(sorted(allowed))}."))

    moments: dict[str, dt.datetime] = {}
    for name in _MOMENTS:
        value = getattr(ae, name)
        if value is None:
            continue
        try:
            moments[name] = as_utc(name, value)
        except InvalidInput as exc:
            add(_problem(name, value, "timezone-aware datetime",
                         f"{name}: {exc.rule}.",
                         f"{name} : date et heure sans fuseau horaire refusées."))
            continue
        if moments[name] > now_utc:
            add(_problem(name, value, "not in the future",
                         f"{name} ({value.isoformat()}) is in the future.",
                         f"{name} ({value.isoformat()}) est dans le futur."))
    if ae.serious and ae.site_aware_at is None:
        add(_problem("site_aware_at", None, "required for a serious event",
                     "A serious event needs the moment the site learned of it (it starts the "
                     "24-hour clock).",
                     "Un événement grave exige le moment où le centre en a eu connaissance (il "
                     "déclenche le délai de 24 heures)."))
    aware = moments.get("site_aware_at")
    if aware is not None and trial_date(aware) < ae.onset_date:
        add(_problem("site_aware_at", ae.site_aware_at, "not before onset",
                     f"The site cannot have learned of the event before its onset {ae.onset_date}.",
                     f"Le centre ne peut pas avoir eu connaissance de l'événement avant son début "
                     f"{ae.onset_date}."))
    if ae.expectedness_assessed_at is not None and ae.expected is None:
        add(_problem("expected", None, "required once expectedness is assessed",
                     "An expectedness assessment time is recorded but not its outcome.",
                     "Une date d'évaluation du caractère attendu est saisie mais pas sa "
                     "conclusion."))
    return tuple(problems)


# --- clocks ----------------------------------------------------------------------------------


class ClockState(StrEnum):
    DUE = "due"
    OVERDUE = "overdue"
    MET = "met"


class ClockKind(StrEnum):
    SAE_TO_SPONSOR = "sae_to_sponsor"
    SUSAR_FATAL_OR_LIFE_THREATENING = "susar_fatal_or_life_threatening"
    SUSAR_OTHER = "susar_other"
    PREGNANCY_TO_SPONSOR = "pregnancy_to_sponsor"


_CLOCK_LABELS = {
    ClockKind.SAE_TO_SPONSOR: Text(en="SAE notification to the sponsor",
                                   fr="Déclaration de l'EIG au promoteur"),
    ClockKind.SUSAR_FATAL_OR_LIFE_THREATENING: Text(
        en="Fatal or life-threatening SUSAR report to the authorities",
        fr="Déclaration de la SUSAR fatale ou menaçant le pronostic vital aux autorités"),
    ClockKind.SUSAR_OTHER: Text(en="SUSAR report to the authorities",
                                fr="Déclaration de la SUSAR aux autorités"),
    ClockKind.PREGNANCY_TO_SPONSOR: Text(en="Pregnancy report to the sponsor",
                                         fr="Déclaration de la grossesse au promoteur"),
}


@dataclass(frozen=True)
class ClockStatus:
    """A reporting clock at `now`. Instants are UTC; `*_local` give Paris wall-clock time.

    `time_left` is deadline minus now while the clock runs (negative once overdue) and None
    when met; `late` says whether a met clock was met after its deadline.
    """

    kind: ClockKind
    hours: int
    started_at: dt.datetime
    deadline: dt.datetime
    state: ClockState
    time_left: dt.timedelta | None
    completed_at: dt.datetime | None
    late: bool

    @property
    def deadline_local(self) -> dt.datetime:
        return to_trial_time(self.deadline)

    @property
    def started_at_local(self) -> dt.datetime:
        return to_trial_time(self.started_at)

    def title(self) -> Text:
        """What the clock is for, in French and English."""
        return _CLOCK_LABELS[self.kind]

    def describe(self) -> Text:
        """A one-line status in both languages, times in Paris wall-clock time (French: "29/03/2026 à 13:30")."""
        when, when_fr = wall_clock(self.deadline, "en"), wall_clock(self.deadline, "fr")
        offset = utc_offset(self.deadline)
        label = _CLOCK_LABELS[self.kind]
        if self.state is ClockState.MET and self.completed_at is not None:
            done, done_fr = wall_clock(self.completed_at, "en"), wall_clock(self.completed_at, "fr")
            tail_en = " (late)" if self.late else ""
            tail_fr = " (en retard)" if self.late else ""
            return Text(en=f"{label.en}: done {done} Paris time{tail_en}; deadline {when} ({offset}).",
                        fr=f"{label.fr} : faite le {done_fr} heure de Paris{tail_fr} ; échéance le {when_fr} "
                           f"({offset}).")
        span = days_hours(self.time_left or dt.timedelta(0))
        if self.state is ClockState.DUE:
            return Text(en=f"{label.en}: due by {when} Paris time ({offset}), {span.en} left.",
                        fr=f"{label.fr} : à faire avant le {when_fr} heure de Paris ({offset}), reste "
                           f"{span.fr}.")
        return Text(en=f"{label.en}: overdue since {when} Paris time ({offset}), by {span.en}.",
                    fr=f"{label.fr} : en retard depuis le {when_fr} heure de Paris ({offset}), de "
                       f"{span.fr}.")


def clock_label(kind: str) -> Text | None:
    """What a clock of `kind` is for, in French and English (None for an unknown kind)."""
    try:
        return _CLOCK_LABELS[ClockKind(kind)]
    except ValueError:
        return None


def clock_status(kind: ClockKind, hours: int, started_at: dt.datetime, now: dt.datetime,
                 completed_at: dt.datetime | None = None, *, start_field: str = "started_at",
                 completed_field: str = "completed_at") -> ClockStatus:
    """State of one clock: started at an instant, `hours` real hours long, maybe completed.

    A completion recorded after `now` is ignored (it has not happened yet from `now`'s view).
    `start_field`/`completed_field` name the record's fields in error messages.
    """
    start = as_utc(start_field, started_at)
    now_utc = as_utc("now", now)
    done = as_utc(completed_field, completed_at) if completed_at is not None else None
    if isinstance(hours, bool) or not isinstance(hours, int) or hours <= 0:
        raise InvalidInput("hours", hours, "must be a whole number of hours > 0")
    deadline = start + dt.timedelta(hours=hours)
    if done is not None and done <= now_utc:
        if done < start:
            raise InvalidInput(completed_field, completed_at,
                               f"must not precede the clock start {start.isoformat()}")
        return ClockStatus(kind, hours, start, deadline, ClockState.MET, None, done,
                           late=done > deadline)
    state = ClockState.DUE if now_utc <= deadline else ClockState.OVERDUE
    return ClockStatus(kind, hours, start, deadline, state, deadline - now_utc, None, late=False)


def sae_clock(ae: AdverseEvent, now: dt.datetime, hours: AeClockHours) -> ClockStatus | None:
    """The 24-hour sponsor clock of a serious event; None for a non-serious one."""
    if not ae.serious:
        return None
    if ae.site_aware_at is None:
        raise InvalidInput("site_aware_at", None, "required for a serious event (starts the clock)")
    return clock_status(ClockKind.SAE_TO_SPONSOR, hours.sae_to_sponsor, ae.site_aware_at, now,
                        ae.sponsor_notified_at, start_field="site_aware_at",
                        completed_field="sponsor_notified_at")


def pregnancy_report_clock(opened_at: dt.datetime, now: dt.datetime, hours: AeClockHours,
                           sponsor_notified_at: dt.datetime | None = None) -> ClockStatus:
    """The sponsor clock of a pregnancy report (an event of special interest): the SAE hours (24)
    from the moment the positive or indeterminate test was recorded."""
    return clock_status(ClockKind.PREGNANCY_TO_SPONSOR, hours.sae_to_sponsor, opened_at, now,
                        sponsor_notified_at, start_field="opened_at", completed_field="sponsor_notified_at")


def susar_clock(ae: AdverseEvent, now: dt.datetime, hours: AeClockHours) -> ClockStatus | None:
    """The authorities' clock of a SUSAR, started by the sponsor's expectedness assessment.

    None while the event is not (or not yet known to be) a SUSAR.
    """
    if not ae.susar or ae.expectedness_assessed_at is None:
        return None
    if ae.fatal_or_life_threatening:
        kind, length = ClockKind.SUSAR_FATAL_OR_LIFE_THREATENING, hours.susar_fatal_or_life_threatening
    else:
        kind, length = ClockKind.SUSAR_OTHER, hours.susar_other
    return clock_status(kind, length, ae.expectedness_assessed_at, now, ae.authorities_notified_at,
                        start_field="expectedness_assessed_at",
                        completed_field="authorities_notified_at")
