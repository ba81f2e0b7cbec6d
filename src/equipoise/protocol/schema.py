"""The typed schema of a protocol directory.

A protocol lives in `protocols/<id>/` as YAML files; each file maps onto one model below.
Every model forbids unknown keys, so a typo is an error rather than a silently ignored setting.
Anything the sponsor has not confirmed carries `assumption: "<why we assumed it>"`; text the
sponsor still owes carries `pending: "<what is missing>"`. Both are shown by the UI and reports.
Both are written in English; `assumption_fr` / `pending_fr` (and `*_assumption_fr`,
`assumptions_fr`) may give the French translation the public page shows French readers.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
NonEmpty = Annotated[str, Field(min_length=1)]


class Text(Strict):
    """A text in both languages the UI speaks; both are required."""

    fr: NonEmpty
    en: NonEmpty

    def get(self, language: str) -> str:
        return self.fr if language.startswith("fr") else self.en


class Flagged(Strict):
    """Mixin: the sponsor-facing flags carried by any protocol item, each with an optional French
    translation (the English one is the reference; a translation alone is an error)."""

    assumption: NonEmpty | None = None
    pending: NonEmpty | None = None
    assumption_fr: NonEmpty | None = None
    pending_fr: NonEmpty | None = None

    @model_validator(mode="after")
    def _translations_have_their_original(self) -> Flagged:
        for key in type(self).model_fields:
            original = key.removesuffix("_fr")
            if original != key and isinstance(getattr(self, key), str) and not getattr(self, original):
                raise ValueError(f"{key} translates {original}, which is missing")
        return self


# --- registry record -------------------------------------------------------------------------


class Contact(Strict):
    name: NonEmpty
    role: Text
    affiliation: NonEmpty | None = None
    email: NonEmpty | None = None
    phone: NonEmpty | None = None


class Site(Flagged):
    code: Annotated[str, Field(pattern=r"^[A-Z0-9]{2,8}$")]
    name: NonEmpty
    city: NonEmpty
    country: NonEmpty = "France"
    status: Literal["not_yet_recruiting", "recruiting", "completed", "withdrawn"] = "not_yet_recruiting"


class Phase(StrEnum):
    EARLY_PHASE1 = "EARLY_PHASE1"
    PHASE1 = "PHASE1"
    PHASE2 = "PHASE2"
    PHASE3 = "PHASE3"
    PHASE4 = "PHASE4"
    NA = "NA"


class FunderClass(StrEnum):
    NIH = "NIH"
    FED = "FED"
    OTHER_GOV = "OTHER_GOV"
    INDIV = "INDIV"
    INDUSTRY = "INDUSTRY"
    NETWORK = "NETWORK"
    AMBIG = "AMBIG"
    OTHER = "OTHER"
    UNKNOWN = "UNKNOWN"


class OverallStatus(StrEnum):
    NOT_YET_RECRUITING = "NOT_YET_RECRUITING"
    RECRUITING = "RECRUITING"
    ENROLLING_BY_INVITATION = "ENROLLING_BY_INVITATION"
    ACTIVE_NOT_RECRUITING = "ACTIVE_NOT_RECRUITING"
    SUSPENDED = "SUSPENDED"
    TERMINATED = "TERMINATED"
    COMPLETED = "COMPLETED"
    WITHDRAWN = "WITHDRAWN"


class DateWithType(Flagged):
    date: dt.date
    type: Literal["ACTUAL", "ESTIMATED"]


class Masking(Flagged):
    level: Literal["NONE", "SINGLE", "DOUBLE", "TRIPLE", "QUADRUPLE"]
    who: list[Literal["PARTICIPANT", "CARE_PROVIDER", "INVESTIGATOR", "OUTCOMES_ASSESSOR"]] = []
    description: Text | None = None


class Design(Flagged):
    primary_purpose: Literal[
        "TREATMENT", "PREVENTION", "DIAGNOSTIC", "SUPPORTIVE_CARE", "SCREENING",
        "HEALTH_SERVICES_RESEARCH", "BASIC_SCIENCE", "DEVICE_FEASIBILITY", "OTHER",
    ]
    allocation: Literal["RANDOMIZED", "NON_RANDOMIZED", "NA"]
    intervention_model: Literal[
        "SINGLE_GROUP", "PARALLEL", "CROSSOVER", "FACTORIAL", "SEQUENTIAL"
    ]
    masking: Masking
    assumptions: dict[str, NonEmpty] = {}
    assumptions_fr: dict[str, NonEmpty] = {}

    @model_validator(mode="after")
    def _translated_assumptions_exist(self) -> Design:
        if extra := set(self.assumptions_fr) - set(self.assumptions):
            raise ValueError(f"assumptions_fr translates no assumption: {sorted(extra)}")
        return self


class Identifiers(Flagged):
    nct_id: Annotated[str, Field(pattern=r"^NCT\d{8}$")]
    org_study_id: NonEmpty
    secondary: list[NonEmpty] = []


class Eligibility(Flagged):
    sex: Literal["ALL", "FEMALE", "MALE"]
    minimum_age_years: int = Field(ge=0, le=120)
    maximum_age_years: int | None = Field(default=None, ge=0, le=120)
    healthy_volunteers: bool
    healthy_volunteers_assumption: NonEmpty | None = None
    healthy_volunteers_assumption_fr: NonEmpty | None = None


class Registry(Flagged):
    brief_title: Text
    official_title: Text
    acronym: NonEmpty | None = None
    identifiers: Identifiers
    sponsor: NonEmpty
    sponsor_class: FunderClass
    sponsor_class_assumption: NonEmpty | None = None
    sponsor_class_assumption_fr: NonEmpty | None = None
    collaborators: list[NonEmpty] = []
    central_contacts: list[Contact]
    overall_status: OverallStatus
    first_posted: NonEmpty
    phase: Phase
    study_type: Literal["INTERVENTIONAL", "OBSERVATIONAL", "EXPANDED_ACCESS"]
    start_date: DateWithType
    primary_completion_date: DateWithType | None = None
    completion_date: DateWithType
    conditions: list[NonEmpty] = Field(min_length=1)
    keywords: list[NonEmpty] = []
    # The registry's English conditions and keywords as each language shows them (public page).
    condition_labels: dict[NonEmpty, Text] = {}
    keyword_labels: dict[NonEmpty, Text] = {}
    enrollment: int = Field(gt=0)
    enrollment_type: Literal["ACTUAL", "ESTIMATED"]
    eligibility: Eligibility
    design: Design
    brief_summary: Text
    detailed_description: Text | None = None
    sites: list[Site] = Field(min_length=1)

    @model_validator(mode="after")
    def _labels_name_registry_terms(self) -> Registry:
        for labels, terms, what in ((self.condition_labels, self.conditions, "conditions"),
                                    (self.keyword_labels, self.keywords, "keywords")):
            unknown = sorted(set(labels) - set(terms))
            if unknown:
                raise ValueError(f"labels for {unknown}, which are not among the {what}")
        return self


# --- arms ------------------------------------------------------------------------------------


class Regimen(Flagged):
    dose_mg: float = Field(gt=0)
    max_dose_mg: float | None = Field(default=None, gt=0)
    route: Literal["oral", "subcutaneous", "intravenous", "topical"]
    frequency: Literal["daily", "weekly"]
    weekday_named: bool = False
    tablet_strength_mg: float = Field(gt=0)
    text: Text


class Intervention(Flagged):
    id: Identifier
    name: Text
    type: Literal["DRUG", "BIOLOGICAL", "DEVICE", "PROCEDURE", "OTHER"]
    role: Literal["study_drug", "auxiliary"]
    regimen: Regimen
    description: Text


class Arm(Flagged):
    id: Identifier
    label: Text
    type: Literal["EXPERIMENTAL", "ACTIVE_COMPARATOR", "PLACEBO_COMPARATOR", "NO_INTERVENTION", "OTHER"]
    description: Text
    interventions: list[Intervention] = Field(min_length=1)
    treatment_weeks: int = Field(gt=0)


class Arms(Flagged):
    arms: list[Arm] = Field(min_length=2)


# --- randomization ---------------------------------------------------------------------------


class Factor(Flagged):
    id: Identifier
    label: Text
    source: Literal["site", "variable"]
    variable: Identifier | None = None
    levels: list[str] | None = None

    @model_validator(mode="after")
    def _variable_needed(self) -> Factor:
        if self.source == "variable" and not self.variable:
            raise ValueError("a factor read from a variable must name the variable")
        return self


class Minimization(Flagged):
    probability_best: float = Field(gt=0.5, le=1.0)
    imbalance: Literal["range", "variance"] = "range"
    margin_bound: int = Field(gt=0)


class Randomization(Flagged):
    method: Literal["permuted_blocks", "minimization"]
    ratio: dict[Identifier, int]
    block_sizes: list[int] = []
    factors: list[Factor]
    minimization: Minimization | None = None
    low_list_warning_fraction: float = Field(default=0.8, gt=0, lt=1)

    @field_validator("ratio")
    @classmethod
    def _positive(cls, v: dict[str, int]) -> dict[str, int]:
        if any(n <= 0 for n in v.values()):
            raise ValueError("every arm needs a ratio of at least 1")
        return v

    @model_validator(mode="after")
    def _method_parameters(self) -> Randomization:
        unit = sum(self.ratio.values())
        if self.method == "permuted_blocks":
            if not self.block_sizes:
                raise ValueError("permuted blocks need block_sizes")
            bad = [b for b in self.block_sizes if b % unit]
            if bad:
                raise ValueError(f"block sizes {bad} are not multiples of the ratio total {unit}")
        if self.method == "minimization" and self.minimization is None:
            raise ValueError("minimization needs its parameters")
        return self


# --- visits ----------------------------------------------------------------------------------


class Visit(Flagged):
    id: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*$")]
    label: Text
    target_day: int
    earliest_day: int
    latest_day: int
    kind: Literal["screening", "baseline", "treatment", "end_of_treatment", "follow_up"]
    primary_endpoint: bool = False
    forms: list[Identifier] = []
    blood_tests: bool = False
    pregnancy_test: bool = False
    dispensing: bool = False

    @model_validator(mode="after")
    def _window(self) -> Visit:
        if not self.earliest_day <= self.target_day <= self.latest_day:
            raise ValueError("target_day must lie within earliest_day..latest_day")
        return self


class Schedule(Flagged):
    visits: list[Visit] = Field(min_length=1)
    unscheduled_forms: list[Identifier] = []


# --- forms -----------------------------------------------------------------------------------


FieldType = Literal["int", "number", "bool", "date", "datetime", "enum", "text", "instrument"]


class Choice(Strict):
    code: str | int
    label: Text


class FormField(Flagged):
    name: Identifier
    type: FieldType
    label: Text
    help: Text | None = None
    unit: NonEmpty | None = None
    # The unit as each language writes it, when it is not a symbol both share (years: ans; × ULN: × LSN).
    unit_label: Text | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = Field(default=None, gt=0)
    choices: list[Choice] | None = None
    required: bool = False
    instrument: NonEmpty | None = None
    show_if: NonEmpty | None = None

    @model_validator(mode="after")
    def _consistent(self) -> FormField:
        if self.type == "enum" and not self.choices:
            raise ValueError("an enum field needs choices")
        if self.type != "enum" and self.choices:
            raise ValueError("only an enum field takes choices")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is greater than max")
        if self.type == "instrument" and not self.instrument:
            raise ValueError("an instrument field names its instrument")
        if self.unit_label is not None and self.unit is None:
            raise ValueError("unit_label labels a unit: give the unit too")
        return self

    def unit_in(self, language: str) -> str:
        """The unit as `language` writes it ("" when the field has none)."""
        if self.unit_label is not None:
            return self.unit_label.get(language)
        return self.unit or ""


class Section(Strict):
    id: Identifier
    title: Text
    fields: list[FormField] = Field(min_length=1)


class EditCheck(Flagged):
    id: Identifier
    rule: NonEmpty
    fields: list[Identifier] = Field(min_length=1)
    message: Text


class Derived(Flagged):
    name: Identifier
    label: Text
    function: NonEmpty


class Form(Flagged):
    id: Identifier
    title: Text
    blinded_assessor: bool = False
    arm_revealing: bool = False
    sections: list[Section] = Field(min_length=1)
    edit_checks: list[EditCheck] = []
    derived: list[Derived] = []

    def fields(self) -> list[FormField]:
        return [f for s in self.sections for f in s.fields]


# --- eligibility -----------------------------------------------------------------------------


class Criterion(Flagged):
    id: Annotated[str, Field(pattern=r"^(IN|EX)\d{2}$")]
    kind: Literal["inclusion", "exclusion"]
    text: Text
    rule: NonEmpty
    inputs: list[Identifier] = []
    explain: dict[Literal["met", "not_met"], Text] | None = None

    @model_validator(mode="after")
    def _kind_matches_id(self) -> Criterion:
        expected = "inclusion" if self.id.startswith("IN") else "exclusion"
        if self.kind != expected:
            raise ValueError(f"criterion {self.id} must be of kind {expected}")
        return self


class Criteria(Flagged):
    criteria: list[Criterion] = Field(min_length=1)


# --- endpoints and safety --------------------------------------------------------------------


class Endpoint(Flagged):
    id: Identifier
    kind: Literal["primary", "secondary"]
    title: Text
    description: Text
    time_frame: Text


class SampleSize(Flagged):
    p_control: float = Field(gt=0, lt=1)
    p_treatment: float = Field(gt=0, lt=1)
    alpha: float = Field(gt=0, lt=1)
    power: float = Field(gt=0, lt=1)
    per_arm: int = Field(gt=0)
    dropout: float = Field(ge=0, lt=1)
    total_enrolled: int = Field(gt=0)


class Endpoints(Flagged):
    endpoints: list[Endpoint] = Field(min_length=1)
    sample_size: SampleSize
    non_responder_rule: Text


class CounsellingTopic(Flagged):
    """A pregnancy-prevention topic to go through with the patient before the first dispensing.

    `audience`: woman_of_childbearing_potential (unknown potential included), male, or everyone;
    `drugs`: the study drugs it applies to (empty: all). `label` is the short name ticked on the
    page; `wording` what the patient is told.
    """

    id: Identifier
    audience: Literal["woman_of_childbearing_potential", "male", "everyone"]
    drugs: list[Identifier] = []
    label: Text
    wording: Text


class Safety(Flagged):
    """Numerical safety parameters; their meaning lives in `equipoise.safety`."""

    pregnancy: dict[Identifier, float | int | bool]
    lab_limits: dict[Identifier, float | int]
    ae_clocks_hours: dict[Identifier, int]
    special_interest: list[Identifier]
    interacting_drugs: dict[Identifier, list[NonEmpty]]
    counselling: list[CounsellingTopic] = []
    notes: list[Text] = []


# --- the whole protocol ----------------------------------------------------------------------


class Protocol(Strict):
    id: Identifier
    registry: Registry
    arms: list[Arm]
    randomization: Randomization
    schedule: Schedule
    forms: list[Form]
    criteria: list[Criterion]
    endpoints: Endpoints
    safety: Safety

    def arm(self, arm_id: str) -> Arm:
        return next(a for a in self.arms if a.id == arm_id)

    def form(self, form_id: str) -> Form:
        return next(f for f in self.forms if f.id == form_id)

    def visit(self, visit_id: str) -> Visit:
        return next(v for v in self.schedule.visits if v.id == visit_id)

    def variables(self) -> dict[str, FormField]:
        """Every captured variable, by name, across all forms."""
        return {f.name: f for form in self.forms for f in form.fields()}

    def _flags(self, flag: str) -> list[tuple[str, str]]:
        """(where, text) pairs of every `assumption` or `pending` flag, for the sponsor's review list."""
        found: list[tuple[str, str]] = []

        def walk(value: object, path: str) -> None:
            if isinstance(value, BaseModel):
                for key in type(value).model_fields:
                    item = getattr(value, key)
                    if key == flag and item:
                        found.append((path, item))
                    elif flag == "assumption" and key.endswith("_assumption") and item:
                        found.append((f"{path}.{key[: -len('_assumption')]}", item))
                    elif flag == "assumption" and key == "assumptions" and isinstance(item, dict):
                        found.extend((f"{path}.{k}", v) for k, v in item.items())
                    else:
                        walk(item, f"{path}.{key}" if path else key)
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    ident = getattr(item, "id", None) or getattr(item, "name", None) or i
                    walk(item, f"{path}[{ident}]")

        walk(self, "")
        return found

    def assumptions(self) -> list[tuple[str, str]]:
        return self._flags("assumption")

    def pending(self) -> list[tuple[str, str]]:
        return self._flags("pending")
