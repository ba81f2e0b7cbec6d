"""Pregnancy-prevention gate for dispensing the study drugs (trial sheet §7).

Lenalidomide is a thalidomide analogue and methotrexate is teratogenic too, so a dispensing is
refused unless every condition below holds, and the refusal lists *every* unmet condition at
once so the site can fix them in one pass. There is deliberately no override parameter.

Day arithmetic. All dates are Europe/Paris calendar dates (`datetime.date`; convert instants with
`equipoise.visits.localtime.trial_date`), and "N days before/after" is a difference of calendar
dates, never of hours, so a test taken at 08:00 and a prescription at 18:00 three days later are
exactly 3 days apart whatever the daylight-saving changes in between. With the trial's numbers:

- pregnancy test: prescription_date - 3 <= test date <= prescription_date (3 days before passes,
  4 fails; a test dated after the prescription does not count);
- dispensing: prescription_date <= dispensing date <= prescription_date + 7 (day 7 passes, 8 fails);
- contraception: start <= first_dose_date - 28 (started 28 days before passes, 27 fails), and
  still ongoing;
- prescription length: at most 28 days for a woman of childbearing potential, 84 otherwise.

A woman whose childbearing potential is not recorded is refused for that reason *and* checked
as if she had that potential, so the site sees everything that would still be missing.

A test counts towards a dispensing only when its form is finished (complete or locked), every
required answer is filled, it was medically supervised, sensitive enough, negative and within its
window. A positive or indeterminate result refuses whatever the state of its form. Counselling:
every topic the protocol lists for this patient (by sex, childbearing potential and drug, see
`counselling_needed`) must be recorded on or before the dispensing date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from equipoise.protocol.schema import Text
from equipoise.safety.errors import InvalidInput
from equipoise.safety.parameters import PregnancyRules

SEXES = ("female", "male")
GATED_DRUGS = ("lenalidomide", "methotrexate")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAYS_FR = dict(zip(WEEKDAYS, ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
                                  "dimanche"), strict=True))


RESULTS = ("negative", "positive", "indeterminate")
NOT_NEGATIVE = ("positive", "indeterminate")
AUDIENCES = ("woman_of_childbearing_potential", "male", "everyone")


@dataclass(frozen=True)
class PregnancyTest:
    """One pregnancy test as recorded at the site (`taken_on` is the Paris calendar date).

    `finished` says whether its form is complete (or locked): a draft never counts towards a
    dispensing, though a positive or indeterminate draft still refuses one. A value not filled in
    yet is None; `missing` names the required fields that are empty.
    """

    taken_on: dt.date
    result: str | None
    threshold_miu_ml: float | None
    medically_supervised: bool | None
    finished: bool = True
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class CounsellingNeed:
    """A counselling topic the patient must have been given before dispensing, with its label."""

    id: str
    label: Text


def counselling_needed(topics: Iterable[tuple[str, Text, str, Iterable[str]]], sex: str | None,
                       childbearing_potential: bool | None, drug: str | None) -> tuple[CounsellingNeed, ...]:
    """The topics (id, label, audience, drugs) that apply to this patient on `drug`.

    Audience `woman_of_childbearing_potential` covers a woman whose potential is unknown too;
    `male` a man; `everyone` every patient. An empty `drugs` means every study drug; `drug` None
    (not allocated yet) keeps the topics of every drug.
    """
    wocbp = sex == "female" and childbearing_potential is not False
    out = []
    for topic_id, label, audience, drugs in topics:
        if audience not in AUDIENCES:
            raise InvalidInput("counselling.audience", audience, f"must be one of {', '.join(AUDIENCES)}")
        drugs = tuple(drugs)
        if drugs and drug is not None and drug not in drugs:
            continue
        if (audience == "everyone" or (audience == "male" and sex == "male")
                or (audience == "woman_of_childbearing_potential" and wocbp)):
            out.append(CounsellingNeed(topic_id, label))
    return tuple(out)


@dataclass(frozen=True)
class DispensingRequest:
    """Everything the gate needs, independent of the protocol objects and of the database.

    `drug` is the arm's study drug. `first_dose_date` is the planned first dose for a first
    dispensing and the actual one afterwards. Weekdays are English lower-case names.
    """

    sex: Literal["female", "male"]
    childbearing_potential: bool | None
    drug: str
    prescription_date: dt.date
    dispensing_date: dt.date
    first_dose_date: dt.date
    prescribed_days: int
    pregnancy_tests: tuple[PregnancyTest, ...] = ()
    contraception_start: dt.date | None = None
    contraception_ongoing: bool | None = None
    counselling_needed: tuple[CounsellingNeed, ...] = ()
    counselled_topics: frozenset[str] = frozenset()
    methotrexate_weekday: str | None = None
    folic_acid_weekday: str | None = None


class GateCode(StrEnum):
    """Why a dispensing was refused; one code per independent condition."""

    CHILDBEARING_POTENTIAL_UNKNOWN = "childbearing_potential_unknown"
    PREGNANCY_TEST_MISSING = "pregnancy_test_missing"
    PREGNANCY_TEST_TOO_OLD = "pregnancy_test_too_old"
    PREGNANCY_TEST_NOT_SUPERVISED = "pregnancy_test_not_supervised"
    PREGNANCY_TEST_THRESHOLD_TOO_HIGH = "pregnancy_test_threshold_too_high"
    PREGNANCY_TEST_POSITIVE = "pregnancy_test_positive"
    PREGNANCY_TEST_INDETERMINATE = "pregnancy_test_indeterminate"
    PREGNANCY_TEST_NOT_FINISHED = "pregnancy_test_not_finished"
    PREGNANCY_TEST_INCOMPLETE = "pregnancy_test_incomplete"
    CONTRACEPTION_NOT_RECORDED = "contraception_not_recorded"
    CONTRACEPTION_TOO_RECENT = "contraception_too_recent"
    CONTRACEPTION_NOT_ONGOING = "contraception_not_ongoing"
    DISPENSING_BEFORE_PRESCRIPTION = "dispensing_before_prescription"
    DISPENSING_TOO_LATE = "dispensing_too_late"
    PRESCRIPTION_TOO_LONG = "prescription_too_long"
    COUNSELLING_MISSING = "counselling_missing"
    METHOTREXATE_WEEKDAY_MISSING = "methotrexate_weekday_missing"
    FOLIC_ACID_WEEKDAY_MISSING = "folic_acid_weekday_missing"
    FOLIC_ACID_SAME_WEEKDAY = "folic_acid_same_weekday"


@dataclass(frozen=True)
class Violation:
    """One unmet condition: a stable code, a message in both languages and the deciding values."""

    code: GateCode
    message: Text
    values: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class GateResult:
    violations: tuple[Violation, ...]

    @property
    def accepted(self) -> bool:
        return not self.violations

    @property
    def codes(self) -> frozenset[GateCode]:
        return frozenset(v.code for v in self.violations)


def _violation(code: GateCode, en: str, fr: str, **values: object) -> Violation:
    return Violation(code=code, message=Text(en=en, fr=fr), values=values)


def _check_request(req: DispensingRequest) -> None:
    """Refuse input the gate cannot judge; a wrong value here is a bug, not an unmet rule."""
    if req.sex not in SEXES:
        raise InvalidInput("sex", req.sex, f"must be one of {', '.join(SEXES)}")
    if req.drug not in GATED_DRUGS:
        raise InvalidInput("drug", req.drug, f"the gate knows the rules of {', '.join(GATED_DRUGS)}")
    for name in ("prescription_date", "dispensing_date", "first_dose_date", "contraception_start"):
        value = getattr(req, name)
        if value is None and name == "contraception_start":
            continue
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise InvalidInput(name, value, "must be a calendar date (Europe/Paris), not a datetime")
    if isinstance(req.prescribed_days, bool) or not isinstance(req.prescribed_days, int) \
            or req.prescribed_days <= 0:
        raise InvalidInput("prescribed_days", req.prescribed_days, "must be a whole number of days > 0")
    for i, test in enumerate(req.pregnancy_tests):
        where = f"pregnancy_tests[{i}]"
        if not isinstance(test.taken_on, dt.date) or isinstance(test.taken_on, dt.datetime):
            raise InvalidInput(f"{where}.taken_on", test.taken_on, "must be a calendar date")
        if test.result is not None and test.result not in RESULTS:
            raise InvalidInput(f"{where}.result", test.result, f"must be one of {', '.join(RESULTS)}")
        if test.threshold_miu_ml is None:
            continue
        if isinstance(test.threshold_miu_ml, bool) or not isinstance(test.threshold_miu_ml, int | float) \
                or test.threshold_miu_ml <= 0:
            raise InvalidInput(f"{where}.threshold_miu_ml", test.threshold_miu_ml,
                               "must be a positive number of mIU/mL")
    for name in ("methotrexate_weekday", "folic_acid_weekday"):
        value = getattr(req, name)
        if value is not None and value not in WEEKDAYS:
            raise InvalidInput(name, value, f"must be one of {', '.join(WEEKDAYS)}")


def _test_violations(req: DispensingRequest, rules: PregnancyRules) -> list[Violation]:
    """Judge the pregnancy tests.

    A dispensing is covered when at least one test meets every requirement. Otherwise the most
    recent test taken on or before the prescription date is the one judged, and each of its
    failings is reported. Independently, a positive test from the start of the window up to the
    dispensing date always refuses, even if a negative one follows: that needs a physician.
    """
    window = rules.test_max_days_before_prescription
    earliest = req.prescription_date - dt.timedelta(days=window)
    out: list[Violation] = []

    def failings(test: PregnancyTest) -> list[Violation]:
        found: list[Violation] = []
        if not test.finished:
            found.append(_violation(
                GateCode.PREGNANCY_TEST_NOT_FINISHED,
                f"The pregnancy test of {test.taken_on} is still a draft: its form must be marked "
                "complete before it counts.",
                f"Le test de grossesse du {test.taken_on} est encore un brouillon : son formulaire "
                "doit être marqué complet pour être pris en compte.",
                test_date=test.taken_on))
        empty = list(test.missing) + [name for name, value in (
            ("result", test.result), ("threshold_miu_ml", test.threshold_miu_ml),
            ("medically_supervised", test.medically_supervised)) if value is None and not test.missing]
        if empty:
            found.append(_violation(
                GateCode.PREGNANCY_TEST_INCOMPLETE,
                f"The pregnancy test of {test.taken_on} lacks required answers: {', '.join(empty)}.",
                f"Il manque des réponses obligatoires au test de grossesse du {test.taken_on} : "
                f"{', '.join(empty)}.",
                test_date=test.taken_on, missing=empty))
        days_before = (req.prescription_date - test.taken_on).days
        if days_before > window:
            found.append(_violation(
                GateCode.PREGNANCY_TEST_TOO_OLD,
                f"The pregnancy test of {test.taken_on} was taken {days_before} days before the "
                f"prescription of {req.prescription_date}; it must be at most {window} days before "
                f"(on or after {earliest}, Paris calendar days).",
                f"Le test de grossesse du {test.taken_on} date de {days_before} jours avant "
                f"l'ordonnance du {req.prescription_date} ; il doit dater d'au plus {window} jours "
                f"(au plus tôt le {earliest}, jours calendaires de Paris).",
                test_date=test.taken_on, days_before=days_before, max_days=window))
        if test.medically_supervised is False:
            found.append(_violation(
                GateCode.PREGNANCY_TEST_NOT_SUPERVISED,
                f"The pregnancy test of {test.taken_on} was not medically supervised.",
                f"Le test de grossesse du {test.taken_on} n'a pas été réalisé sous contrôle médical.",
                test_date=test.taken_on))
        if test.threshold_miu_ml is not None and test.threshold_miu_ml > rules.test_threshold_miu_ml:
            found.append(_violation(
                GateCode.PREGNANCY_TEST_THRESHOLD_TOO_HIGH,
                f"The pregnancy test of {test.taken_on} detects from {test.threshold_miu_ml:g} mIU/mL; "
                f"the limit is {rules.test_threshold_miu_ml:g} mIU/mL or lower.",
                f"Le test de grossesse du {test.taken_on} a un seuil de {test.threshold_miu_ml:g} mUI/mL ; "
                f"le seuil doit être de {rules.test_threshold_miu_ml:g} mUI/mL ou moins.",
                test_date=test.taken_on, threshold_miu_ml=test.threshold_miu_ml,
                max_threshold_miu_ml=rules.test_threshold_miu_ml))
        if test.result in NOT_NEGATIVE:
            found.append(_positive(test))
        return found

    candidates = [t for t in req.pregnancy_tests if t.taken_on <= req.prescription_date]
    if not any(earliest <= t.taken_on and not failings(t) for t in candidates):
        if candidates:
            out.extend(failings(max(candidates, key=lambda t: t.taken_on)))
        else:
            out.append(_violation(
                GateCode.PREGNANCY_TEST_MISSING,
                f"No pregnancy test is recorded from {earliest} to the prescription of "
                f"{req.prescription_date}; a supervised negative test within the {window} days "
                "before each prescription is required.",
                f"Aucun test de grossesse n'est enregistré du {earliest} à l'ordonnance du "
                f"{req.prescription_date} ; un test négatif sous contrôle médical dans les {window} "
                "jours précédant chaque ordonnance est obligatoire.",
                window_start=earliest, prescription_date=req.prescription_date))
    late_positive = [t for t in req.pregnancy_tests
                     if t.result in NOT_NEGATIVE and earliest <= t.taken_on <= req.dispensing_date]
    if late_positive and all(v.code not in (GateCode.PREGNANCY_TEST_POSITIVE, GateCode.PREGNANCY_TEST_INDETERMINATE)
                             for v in out):
        out.append(_positive(max(late_positive, key=lambda t: t.taken_on)))
    return out


def _positive(test: PregnancyTest) -> Violation:
    if test.result == "indeterminate":
        return _violation(
            GateCode.PREGNANCY_TEST_INDETERMINATE,
            f"The pregnancy test of {test.taken_on} is indeterminate: the study drug must not be "
            "dispensed until a negative test rules out pregnancy.",
            f"Le test de grossesse du {test.taken_on} est indéterminé : le traitement de l'étude ne "
            "doit pas être délivré tant qu'un test négatif n'a pas écarté une grossesse.",
            test_date=test.taken_on)
    return _violation(
        GateCode.PREGNANCY_TEST_POSITIVE,
        f"The pregnancy test of {test.taken_on} is positive: the study drug must not be dispensed.",
        f"Le test de grossesse du {test.taken_on} est positif : le traitement de l'étude ne doit "
        "pas être délivré.",
        test_date=test.taken_on)


def _contraception_violations(req: DispensingRequest, rules: PregnancyRules) -> list[Violation]:
    need = rules.contraception_min_days_before_start
    latest_start = req.first_dose_date - dt.timedelta(days=need)
    out: list[Violation] = []
    if req.contraception_start is None:
        out.append(_violation(
            GateCode.CONTRACEPTION_NOT_RECORDED,
            f"No contraception start date is recorded; effective contraception must start at least "
            f"{need} days before the first dose of {req.first_dose_date} (by {latest_start}).",
            f"Aucune date de début de contraception n'est enregistrée ; une contraception efficace "
            f"doit débuter au moins {need} jours avant la première prise du {req.first_dose_date} "
            f"(au plus tard le {latest_start}).",
            first_dose_date=req.first_dose_date, min_days=need))
    else:
        days = (req.first_dose_date - req.contraception_start).days
        if days < need:
            out.append(_violation(
                GateCode.CONTRACEPTION_TOO_RECENT,
                f"Contraception started on {req.contraception_start}, {days} days before the first "
                f"dose of {req.first_dose_date}; at least {need} days are required (start by "
                f"{latest_start}).",
                f"La contraception a débuté le {req.contraception_start}, {days} jours avant la "
                f"première prise du {req.first_dose_date} ; il faut au moins {need} jours (début au "
                f"plus tard le {latest_start}).",
                contraception_start=req.contraception_start, days_before_first_dose=days,
                min_days=need))
    if req.contraception_ongoing is not True:
        out.append(_violation(
            GateCode.CONTRACEPTION_NOT_ONGOING,
            "Contraception is not confirmed as ongoing.",
            "La poursuite de la contraception n'est pas confirmée.",
            contraception_ongoing=req.contraception_ongoing))
    return out


def _dispensing_violations(req: DispensingRequest, rules: PregnancyRules,
                           childbearing: bool) -> list[Violation]:
    out: list[Violation] = []
    days_after = (req.dispensing_date - req.prescription_date).days
    limit = rules.dispensing_max_days_after_prescription
    if days_after < 0:
        out.append(_violation(
            GateCode.DISPENSING_BEFORE_PRESCRIPTION,
            f"Dispensing on {req.dispensing_date} precedes the prescription of {req.prescription_date}.",
            f"La délivrance du {req.dispensing_date} précède l'ordonnance du {req.prescription_date}.",
            dispensing_date=req.dispensing_date, prescription_date=req.prescription_date))
    if childbearing and days_after > limit:
        out.append(_violation(
            GateCode.DISPENSING_TOO_LATE,
            f"Dispensing on {req.dispensing_date} is {days_after} days after the prescription of "
            f"{req.prescription_date}; it must be within {limit} days (by "
            f"{req.prescription_date + dt.timedelta(days=limit)}).",
            f"La délivrance du {req.dispensing_date} a lieu {days_after} jours après l'ordonnance du "
            f"{req.prescription_date} ; elle doit avoir lieu dans les {limit} jours (au plus tard le "
            f"{req.prescription_date + dt.timedelta(days=limit)}).",
            days_after_prescription=days_after, max_days=limit))
    max_days = (rules.prescription_max_days_childbearing if childbearing
                else rules.prescription_max_days_other)
    if req.prescribed_days > max_days:
        who_en = "a woman of childbearing potential" if childbearing else "this patient"
        who_fr = "une femme en âge de procréer" if childbearing else "ce patient"
        out.append(_violation(
            GateCode.PRESCRIPTION_TOO_LONG,
            f"The prescription covers {req.prescribed_days} days; at most {max_days} days are "
            f"allowed for {who_en}.",
            f"L'ordonnance couvre {req.prescribed_days} jours ; au plus {max_days} jours sont "
            f"autorisés pour {who_fr}.",
            prescribed_days=req.prescribed_days, max_days=max_days))
    return out


def _drug_specific_violations(req: DispensingRequest) -> list[Violation]:
    out: list[Violation] = []
    missing = [need for need in req.counselling_needed if need.id not in req.counselled_topics]
    if missing:
        out.append(_violation(
            GateCode.COUNSELLING_MISSING,
            "Counselling must be recorded before dispensing; not recorded yet: "
            + "; ".join(n.label.en for n in missing) + ".",
            "Les informations doivent être données et enregistrées avant la délivrance ; pas encore "
            "enregistré : " + " ; ".join(n.label.fr for n in missing) + ".",
            missing_topics=[n.id for n in missing]))
    if req.drug == "methotrexate":
        mtx, folic = req.methotrexate_weekday, req.folic_acid_weekday
        if mtx is None:
            out.append(_violation(
                GateCode.METHOTREXATE_WEEKDAY_MISSING,
                "Methotrexate is taken once a week only: the prescription must name the weekday.",
                "Le méthotrexate se prend une seule fois par semaine : l'ordonnance doit nommer le "
                "jour de prise.",
                methotrexate_weekday=mtx))
        if folic is None:
            out.append(_violation(
                GateCode.FOLIC_ACID_WEEKDAY_MISSING,
                "The prescription must name the weekday of folic acid (a day other than "
                "methotrexate's).",
                "L'ordonnance doit nommer le jour de prise de l'acide folique (un autre jour que le "
                "méthotrexate).",
                folic_acid_weekday=folic))
        if mtx is not None and mtx == folic:
            out.append(_violation(
                GateCode.FOLIC_ACID_SAME_WEEKDAY,
                f"Folic acid is prescribed on {mtx}, the same day as methotrexate; it must be "
                "another day.",
                f"L'acide folique est prescrit le {WEEKDAYS_FR[mtx]}, le même jour que le "
                "méthotrexate ; il doit être pris un autre jour.",
                methotrexate_weekday=mtx, folic_acid_weekday=folic))
    return out


def check_dispensing(req: DispensingRequest, rules: PregnancyRules) -> GateResult:
    """Decide whether a dispensing may go ahead, listing every unmet condition.

    Raises `InvalidInput` only for input that cannot be judged (an unknown drug, a datetime
    where a calendar date belongs); every clinical shortfall is a `Violation` in the result.
    """
    _check_request(req)
    violations: list[Violation] = []
    childbearing = req.sex == "female" and req.childbearing_potential is not False
    if req.sex == "female" and req.childbearing_potential is None:
        violations.append(_violation(
            GateCode.CHILDBEARING_POTENTIAL_UNKNOWN,
            "Childbearing potential is not recorded; until it is, the rules for a woman of "
            "childbearing potential apply.",
            "Le potentiel de procréation n'est pas renseigné ; tant qu'il ne l'est pas, les règles "
            "applicables aux femmes en âge de procréer s'appliquent.",
            childbearing_potential=None))
    if childbearing:
        violations.extend(_test_violations(req, rules))
        violations.extend(_contraception_violations(req, rules))
    violations.extend(_dispensing_violations(req, rules, childbearing))
    violations.extend(_drug_specific_violations(req))
    return GateResult(violations=tuple(violations))


# --- the monthly test calendar ---------------------------------------------------------------


class PregnancyTestState(StrEnum):
    NOT_DUE = "not_due"
    DUE = "due"
    OVERDUE = "overdue"
    COMPLETE = "complete"


@dataclass(frozen=True)
class PregnancyTestStatus:
    state: PregnancyTestState
    due_date: dt.date | None
    window_start: dt.date | None


def pregnancy_test_due_dates(first_dose: dt.date, last_dose: dt.date | None,
                             rules: PregnancyRules, until: dt.date | None = None) -> list[dt.date]:
    """Nominal test dates: every `test_every_days` from the first dose while on treatment,
    then one test `test_days_after_last_dose` after the last dose.

    While treatment is ongoing (`last_dose` None) the list runs up to `until`.
    """
    end = last_dose if last_dose is not None else until
    if end is None:
        raise InvalidInput("until", None, "needed while treatment is ongoing (no last_dose)")
    if last_dose is not None and last_dose < first_dose:
        raise InvalidInput("last_dose", last_dose, f"must not precede first_dose {first_dose}")
    step = dt.timedelta(days=rules.test_every_days)
    dates: list[dt.date] = []
    due = first_dose + step
    while due <= end:
        dates.append(due)
        due += step
    if last_dose is not None:
        final = last_dose + dt.timedelta(days=rules.test_days_after_last_dose)
        if not dates or dates[-1] != final:
            dates.append(final)
    return dates


def pregnancy_test_status(today: dt.date, due_dates: Iterable[dt.date],
                          tests_taken: Iterable[dt.date], rules: PregnancyRules) -> PregnancyTestStatus:
    """Where a woman stands on `today` against her test calendar.

    A due date D is satisfied by a test taken from D - window onwards (the window being the
    3 days that also make a test valid for a prescription) and before the next due date's window;
    a late test still satisfies D. The first unsatisfied due date decides: before its window the
    state is not_due, inside it due, after D overdue. Pass only qualifying tests (supervised,
    negative, sensitive enough).
    """
    window = dt.timedelta(days=rules.test_max_days_before_prescription)
    dues = sorted(set(due_dates))
    taken = sorted(set(tests_taken))
    for i, due in enumerate(dues):
        start = due - window
        stop = dues[i + 1] - window if i + 1 < len(dues) else None
        if any(start <= t and (stop is None or t < stop) and t <= today for t in taken):
            continue
        if today < start:
            state = PregnancyTestState.NOT_DUE
        elif today <= due:
            state = PregnancyTestState.DUE
        else:
            state = PregnancyTestState.OVERDUE
        return PregnancyTestStatus(state=state, due_date=due, window_start=start)
    return PregnancyTestStatus(state=PregnancyTestState.COMPLETE, due_date=None, window_start=None)
