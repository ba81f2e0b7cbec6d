"""What the public trial page shows, built from the protocol in one language.

Pure: a `Protocol` and a language in, plain frozen values out; the Django view only picks the
language and renders. Every item the sponsor has not confirmed carries its `Mark` right where it
is shown, and the same marks, gathered in page order, make the page's closing list, so an
assumption cannot be listed without being shown in place or the other way round.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from equipoise.protocol import schema
from equipoise.registry.labels import (
    PHRASES,
    ages_phrase,
    enrollment_phrase,
    enum_label,
    long_date,
    phrase,
)

# Which of `Protocol.assumptions()` the page shows: the registry record, the arms, the criteria
# and the outcomes. Randomization, visits, forms and analysis assumptions concern the running
# of the trial and belong to the sponsor's review, not the public page.
PUBLIC_SCOPE = ("registry", "arms[", "criteria[", "endpoints.endpoints[")

CTGOV_STUDY_URL = "https://clinicaltrials.gov/study/"

# The page's sections, in reading order; each is a <section> with this id.
SECTIONS = (
    "status", "conditions", "treatments", "study-type", "funder", "identifiers", "about",
    "enrollment", "eligibility", "inclusion", "exclusion", "design", "outcomes", "contacts",
    "sites", "assumptions",
)


@dataclass(frozen=True)
class Mark:
    """An unconfirmed item: `kind` is `assumption` (we assumed it) or `pending` (text owed)."""

    kind: Literal["assumption", "pending"]
    reason: str
    language: str  # of `reason`: the page's, or English when the protocol gives no translation
    where: str
    section: str
    anchor: str
    label: str
    target: str


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    marks: tuple[Mark, ...] = ()


@dataclass(frozen=True)
class InterventionView:
    name: str
    type: str
    role: str
    regimen: str
    description: str
    marks: tuple[Mark, ...]


@dataclass(frozen=True)
class ArmView:
    label: str
    type: str
    description: str
    weeks: str
    interventions: tuple[InterventionView, ...]
    marks: tuple[Mark, ...]


@dataclass(frozen=True)
class CriterionView:
    id: str
    text: str
    marks: tuple[Mark, ...]


@dataclass(frozen=True)
class OutcomeView:
    title: str
    description: str
    time_frame: str
    marks: tuple[Mark, ...]


@dataclass(frozen=True)
class ContactView:
    name: str
    role: str
    affiliation: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class SiteView:
    code: str
    name: str
    city: str
    country: str
    status: str
    marks: tuple[Mark, ...]


@dataclass(frozen=True)
class PublicPage:
    language: str
    words: dict[str, str]
    title: str
    official_title: str
    acronym: str | None
    nct_id: str
    status: tuple[Fact, ...]
    conditions: tuple[tuple[str, str], ...]
    """(text, language) of each condition: the registry's English unless the protocol labels it."""
    keywords: tuple[tuple[str, str], ...]
    arms: tuple[ArmView, ...]
    study_type: Fact
    funder: tuple[Fact, ...]
    identifiers: tuple[Fact, ...]
    registry_url: str
    summary: str
    description: str | None
    about_marks: tuple[Mark, ...]
    enrollment_text: str
    enrollment: tuple[Fact, ...]
    eligibility: tuple[Fact, ...]
    inclusion: tuple[CriterionView, ...]
    exclusion: tuple[CriterionView, ...]
    design: tuple[Fact, ...]
    design_marks: tuple[Mark, ...]
    masking_description: str | None
    primary_outcomes: tuple[OutcomeView, ...]
    secondary_outcomes: tuple[OutcomeView, ...]
    contacts: tuple[ContactView, ...]
    sites: tuple[SiteView, ...]
    assumptions: tuple[Mark, ...] = field(default=())
    pending: tuple[Mark, ...] = field(default=())


class _Marks:
    """Hands out marks in page order and remembers them for the closing list."""

    def __init__(self, language: str) -> None:
        self.all: list[Mark] = []
        self.language = language
        self.labels = {"assumption": phrase("assumption_mark", language),
                       "pending": phrase("pending_mark", language)}

    def add(self, kind: Literal["assumption", "pending"], reason: str | None,
            where: str, section: str, target: str | None = None,
            french: str | None = None) -> tuple[Mark, ...]:
        """A mark for `reason` (none when there is no reason), in French when the page is French
        and the protocol translates it; the closing list links back to the element `target`, or
        to the section when the item has no element id of its own."""
        if not reason:
            return ()
        shown, language = (french, "fr") if french and self.language == "fr" else (reason, "en")
        mark = Mark(kind, shown, language, where, section, f"mark-{len(self.all) + 1}",
                    self.labels[kind], target or section)
        self.all.append(mark)
        return (mark,)

    def flags(self, item: schema.Flagged, where: str, section: str,
              target: str | None = None) -> tuple[Mark, ...]:
        """The marks of an item's own `assumption` and `pending` flags."""
        return (self.add("assumption", item.assumption, where, section, target, item.assumption_fr)
                + self.add("pending", item.pending, where, section, target, item.pending_fr))


def build_page(protocol: schema.Protocol, language: str) -> PublicPage:
    """The public page of `protocol` in `language` (`fr` or `en`)."""
    reg = protocol.registry
    lang = language
    marks = _Marks(lang)

    def say(key: str) -> str:
        return phrase(key, lang)

    about_marks = marks.flags(reg, say("about"), "about")
    status = _status_facts(reg, lang, marks)
    arms = tuple(_arm_view(arm, lang, marks) for arm in protocol.arms)
    study_type = Fact(say("study_type"), enum_label("study_type", reg.study_type, lang))
    funder = (
        Fact(say("funder"), enum_label("funder", reg.sponsor_class.value, lang),
             marks.add("assumption", reg.sponsor_class_assumption, say("funder"), "funder",
                       french=reg.sponsor_class_assumption_fr)),
        Fact(say("sponsor"), reg.sponsor),
    ) + ((Fact(say("collaborators"), ", ".join(reg.collaborators)),) if reg.collaborators else ())
    identifiers = _identifier_facts(reg, lang, marks)
    enrollment = (
        Fact(say("enrollment_type"), enum_label("enrollment_type", reg.enrollment_type, lang)),
    )
    eligibility = _eligibility_facts(reg.eligibility, lang, marks)
    inclusion, exclusion = (
        tuple(_criterion_view(c, lang, marks) for c in protocol.criteria if c.kind == kind)
        for kind in ("inclusion", "exclusion")
    )
    design_marks, design = _design_facts(reg.design, lang, marks)
    primary, secondary = (
        tuple(_outcome_view(e, lang, marks) for e in protocol.endpoints.endpoints if e.kind == kind)
        for kind in ("primary", "secondary")
    )
    contacts = tuple(
        ContactView(c.name, c.role.get(lang), c.affiliation, c.email, c.phone)
        for c in reg.central_contacts
    )
    sites = tuple(
        SiteView(s.code, s.name, s.city, s.country, enum_label("site_status", s.status, lang),
                 marks.flags(s, f"{say('site')} {s.name}", "sites"))
        for s in reg.sites
    )
    return PublicPage(
        language=lang,
        words={key: phrase(key, lang) for key in PHRASES},
        title=reg.brief_title.get(lang),
        official_title=reg.official_title.get(lang),
        acronym=reg.acronym,
        nct_id=reg.identifiers.nct_id,
        status=status,
        conditions=tuple(_shown(term, reg.condition_labels, lang) for term in reg.conditions),
        keywords=tuple(_shown(term, reg.keyword_labels, lang) for term in reg.keywords),
        arms=arms,
        study_type=study_type,
        funder=funder,
        identifiers=identifiers,
        registry_url=CTGOV_STUDY_URL + reg.identifiers.nct_id,
        summary=reg.brief_summary.get(lang),
        description=reg.detailed_description.get(lang) if reg.detailed_description else None,
        about_marks=about_marks,
        enrollment_text=enrollment_phrase(reg.enrollment, len(protocol.arms), lang),
        enrollment=enrollment,
        eligibility=eligibility,
        inclusion=inclusion,
        exclusion=exclusion,
        design=design,
        design_marks=design_marks,
        masking_description=(reg.design.masking.description.get(lang)
                             if reg.design.masking.description else None),
        primary_outcomes=primary,
        secondary_outcomes=secondary,
        contacts=contacts,
        sites=sites,
        assumptions=_in_page_order(m for m in marks.all if m.kind == "assumption"),
        pending=_in_page_order(m for m in marks.all if m.kind == "pending"),
    )


def _shown(term: str, labels: dict[str, schema.Text], lang: str) -> tuple[str, str]:
    """A registry term in the page's language when the protocol labels it, else as registered (English)."""
    label = labels.get(term)
    return (label.get(lang), lang) if label is not None else (term, "en")


def _in_page_order(found: Iterable[Mark]) -> tuple[Mark, ...]:
    return tuple(sorted(found, key=lambda m: SECTIONS.index(m.section)))


def public_assumptions(protocol: schema.Protocol) -> list[tuple[str, str]]:
    """The `(where, assumption)` pairs of the protocol that the public page must show."""
    return [(where, text) for where, text in protocol.assumptions() if where.startswith(PUBLIC_SCOPE)]


def _status_facts(reg: schema.Registry, lang: str, marks: _Marks) -> tuple[Fact, ...]:
    facts = [
        Fact(phrase("overall_status", lang), enum_label("status", reg.overall_status.value, lang)),
        Fact(phrase("phase", lang), enum_label("phase", reg.phase.value, lang)),
    ]
    dates = (
        ("start_date", reg.start_date),
        ("primary_completion_date", reg.primary_completion_date),
        ("completion_date", reg.completion_date),
    )
    for key, value in dates:
        if value is None:
            continue
        label = phrase(key, lang)
        shown = f"{long_date(value.date, lang)} ({enum_label('date_type', value.type, lang)})"
        facts.append(Fact(label, shown, marks.flags(value, label, "status")))
    return tuple(facts)


def _arm_view(arm: schema.Arm, lang: str, marks: _Marks) -> ArmView:
    label = arm.label.get(lang)
    arm_marks = marks.flags(arm, label, "treatments")
    items = []
    for item in arm.interventions:
        name = item.name.get(lang)
        item_marks = marks.flags(item, name, "treatments")
        regimen_where = f"{name} — {phrase('regimen', lang).lower()}"
        items.append(InterventionView(
            name=name,
            type=enum_label("intervention_type", item.type, lang),
            role=enum_label("intervention_role", item.role, lang),
            regimen=item.regimen.text.get(lang),
            description=item.description.get(lang),
            marks=item_marks + marks.flags(item.regimen, regimen_where, "treatments"),
        ))
    return ArmView(
        label=label,
        type=enum_label("arm_type", arm.type, lang),
        description=arm.description.get(lang),
        weeks=f"{arm.treatment_weeks} {phrase('weeks', lang)}",
        interventions=tuple(items),
        marks=arm_marks,
    )


def _identifier_facts(reg: schema.Registry, lang: str, marks: _Marks) -> tuple[Fact, ...]:
    ids = reg.identifiers
    where = phrase("org_study_id", lang)
    facts = [
        Fact(phrase("nct_id", lang), ids.nct_id),
        Fact(where, ids.org_study_id, marks.flags(ids, where, "identifiers")),
    ]
    if ids.secondary:
        facts.append(Fact(phrase("secondary_ids", lang), ", ".join(ids.secondary)))
    if reg.acronym:
        facts.append(Fact(phrase("acronym", lang), reg.acronym))
    return tuple(facts)


def _eligibility_facts(elig: schema.Eligibility, lang: str, marks: _Marks) -> tuple[Fact, ...]:
    section_marks = marks.flags(elig, phrase("eligibility", lang), "eligibility")
    volunteers = phrase("healthy_volunteers", lang)
    return (
        Fact(phrase("sex", lang), enum_label("sex", elig.sex, lang), section_marks),
        Fact(phrase("ages", lang), ages_phrase(elig.minimum_age_years, elig.maximum_age_years, lang)),
        Fact(volunteers, enum_label("yes_no", str(elig.healthy_volunteers).lower(), lang),
             marks.add("assumption", elig.healthy_volunteers_assumption, volunteers, "eligibility",
                       french=elig.healthy_volunteers_assumption_fr)),
    )


def _criterion_view(criterion: schema.Criterion, lang: str, marks: _Marks) -> CriterionView:
    where = f"{phrase('criterion', lang)} {criterion.id}"
    return CriterionView(criterion.id, criterion.text.get(lang),
                         marks.flags(criterion, where, criterion.kind, f"criterion-{criterion.id}"))


def _design_facts(design: schema.Design, lang: str,
                  marks: _Marks) -> tuple[tuple[Mark, ...], tuple[Fact, ...]]:
    """Design facts, each with the `design.assumptions` entry named after it."""
    section_marks = marks.flags(design, phrase("design", lang), "design")
    rows = (
        ("primary_purpose", enum_label("primary_purpose", design.primary_purpose, lang)),
        ("allocation", enum_label("allocation", design.allocation, lang)),
        ("intervention_model", enum_label("intervention_model", design.intervention_model, lang)),
        ("masking", enum_label("masking", design.masking.level, lang)),
        ("who_masked", ", ".join(enum_label("who_masked", w, lang) for w in design.masking.who)
         or phrase("none", lang)),
    )
    facts = []
    for key, value in rows:
        label = phrase(key, lang)
        own = marks.add("assumption", design.assumptions.get(key), label, "design",
                        french=design.assumptions_fr.get(key))
        if key == "masking":
            own += marks.flags(design.masking, label, "design")
        facts.append(Fact(label, value, own))
    shown = {key for key, _ in rows}
    for key, reason in design.assumptions.items():
        if key not in shown:
            section_marks += marks.add("assumption", reason, phrase("design", lang), "design",
                                       french=design.assumptions_fr.get(key))
    return section_marks, tuple(facts)


def _outcome_view(endpoint: schema.Endpoint, lang: str, marks: _Marks) -> OutcomeView:
    title = endpoint.title.get(lang)
    return OutcomeView(title, endpoint.description.get(lang), endpoint.time_frame.get(lang),
                       marks.flags(endpoint, title, "outcomes"))
