"""What the reports need to know about the trial, read from the protocol (never hard-coded).

Pure: takes a parsed `Protocol`, returns plain values. The pages and the CLI build one
`TrialContext` and pass it to `documents`.

Choices made here, each from protocol data:

- Treatment arm = the arm typed EXPERIMENTAL, control = the other one (ACTIVE_COMPARATOR here).
  A protocol without exactly one experimental arm among two is refused, naming the arms.
- Recruitment plan: a straight line from the registry `start_date` to the last day on which a
  patient can be randomized and still finish follow-up by the registry `completion_date`
  (completion minus the target day of the last scheduled visit: W28 = day 196, so 2028-09-17 for
  this trial), up to the registry enrolment (122). The registry gives no enrolment end date;
  this derivation is our documented assumption, shown in the report's JSON as `recruitment_plan`.
- DSMB arm codes: A, B ... in protocol order. The closed part only ever shows codes; the key
  (this ordering) stays with the unblinded statistician.
- Blinding terms scrubbed from free text in DSMB reports: every arm and intervention id and name,
  in both languages (the auxiliary drugs reveal the arm as surely as the study drugs).
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass, field

from equipoise.protocol.schema import Protocol


class TrialContextError(ValueError):
    """The protocol lacks something the reports need; names the protocol path and the rule."""


@dataclass(frozen=True)
class TrialContext:
    trial_id: str
    protocol_id: str
    arms: tuple[str, ...]
    treatment_arm: str
    control_arm: str
    arm_labels: dict[str, str]
    clasi_visits: tuple[str, ...]
    primary_visit: str
    window_closes: dict[str, int]
    plan_start: dt.date
    plan_end: dt.date
    target: int
    special_interest: tuple[str, ...]
    criterion_labels: dict[str, str]
    arm_codes: dict[str, str]
    blinding_terms: tuple[str, ...]
    language: str = "en"
    visit_labels: dict[str, str] = field(default_factory=dict)
    special_interest_labels: dict[str, str] = field(default_factory=dict)


def _arm_roles(protocol: Protocol) -> tuple[str, str]:
    experimental = [a.id for a in protocol.arms if a.type == "EXPERIMENTAL"]
    others = [a.id for a in protocol.arms if a.type != "EXPERIMENTAL"]
    if len(experimental) != 1 or len(others) != 1:
        raise TrialContextError(
            f"arms: the reports compare one EXPERIMENTAL arm with one comparator "
            f"(got {[(a.id, a.type) for a in protocol.arms]})")
    return experimental[0], others[0]


def clasi_visits(protocol: Protocol) -> tuple[str, ...]:
    """Visits carrying the CLASI form after screening, in schedule order (baseline first)."""
    visits = sorted((v for v in protocol.schedule.visits if v.kind != "screening" and "clasi" in v.forms),
                    key=lambda v: v.target_day)
    return tuple(v.id for v in visits)


def primary_visit(protocol: Protocol) -> str:
    flagged = [v.id for v in protocol.schedule.visits if v.primary_endpoint]
    if len(flagged) != 1:
        raise TrialContextError(f"schedule.visits: exactly one visit must be the primary_endpoint (got {flagged})")
    return flagged[0]


def enrolment_period(protocol: Protocol) -> tuple[dt.date, dt.date]:
    """Registry start to (completion - last visit's target day); see the module docstring."""
    start = protocol.registry.start_date.date
    last_day = max(v.target_day for v in protocol.schedule.visits)
    end = protocol.registry.completion_date.date - dt.timedelta(days=last_day)
    if end <= start:
        raise TrialContextError(
            f"registry.completion_date: {protocol.registry.completion_date.date} leaves no enrolment period "
            f"after start_date {start} and {last_day} days of follow-up")
    return start, end


def blinding_terms(protocol: Protocol) -> tuple[str, ...]:
    terms: set[str] = set()
    for arm in protocol.arms:
        terms |= {arm.id, arm.label.en, arm.label.fr}
        for intervention in arm.interventions:
            terms |= {intervention.id, intervention.name.en, intervention.name.fr}
    return tuple(sorted(terms))


def short_label(text: str, limit: int = 48) -> str:
    """A criterion's text short enough for a CONSORT box: up to its first bracket, then capped."""
    head = text.split(" (")[0].strip()
    return head if len(head) <= limit else head[: limit - 1].rstrip() + "…"


def trial_context(protocol: Protocol, lang: str = "en") -> TrialContext:
    treatment, control = _arm_roles(protocol)
    start, end = enrolment_period(protocol)
    arms = tuple(a.id for a in protocol.arms)
    return TrialContext(
        trial_id=protocol.registry.identifiers.nct_id,
        protocol_id=protocol.id,
        arms=arms,
        treatment_arm=treatment,
        control_arm=control,
        arm_labels={a.id: getattr(a.label, lang, a.label.en) for a in protocol.arms},
        clasi_visits=clasi_visits(protocol),
        primary_visit=primary_visit(protocol),
        window_closes={v.id: v.latest_day for v in protocol.schedule.visits},
        plan_start=start,
        plan_end=end,
        target=protocol.registry.enrollment,
        special_interest=tuple(protocol.safety.special_interest),
        criterion_labels={c.id: f"{c.id} {short_label(getattr(c.text, lang, c.text.en))}" for c in protocol.criteria},
        arm_codes={arm: string.ascii_uppercase[i] for i, arm in enumerate(arms)},
        blinding_terms=blinding_terms(protocol),
        language=lang,
        visit_labels={v.id: getattr(v.label, lang, v.label.en) for v in protocol.schedule.visits},
        special_interest_labels=special_interest_labels(protocol, lang),
    )


def special_interest_labels(protocol: Protocol, lang: str) -> dict[str, str]:
    """The adverse events of special interest in `lang`, from the application's catalogue."""
    from django.utils import translation

    from equipoise.records.code_labels import code_label

    with translation.override(lang):
        return {code: code_label(code) for code in protocol.safety.special_interest}
