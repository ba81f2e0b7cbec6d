"""The analysis dataset: one frozen record per randomized subject, plus the screening log.

This is the single input format of every trial analysis and report in `equipoise.stats`
(primary, secondary, safety tables, CONSORT, Table 1, recruitment, the statistician's page and
the DSMB report). The database extraction builds it; the analyses never see the ORM. Because it
round-trips through JSON (`to_json` / `from_json`), a dataset frozen at a data cut-off can be
exported, archived beside the report, and re-analysed later by anyone with the same code.

Conventions (all plain values):

- Visit ids are the protocol's (`W0`, `W4`, ... `W24`). Score mappings hold only the visits
  where a score was actually recorded: a missing key means "not measured", never zero.
- `visit_days[visit]` is the study day of that visit counted from randomization (W0 = day 0);
  time-to-event analyses use it rather than the nominal visit week.
- `arm` is the protocol arm id (`lenalidomide`, `methotrexate`); which arm is "treatment" and
  which "control" is decided by the caller of each analysis, never guessed here.
- `stratum` is the randomization stratum label exactly as the allocation ledger recorded it
  (for this trial: site x associated SLE); stratified analyses group on it verbatim.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from equipoise.eligibility.verdict import Verdict

STOP_REASONS: tuple[str, ...] = (
    "lack_of_efficacy",
    "toxicity",
    "adverse_event",
    "pregnancy",
    "withdrew_consent",
    "other",
)
SCREENING_VERDICTS: tuple[str, ...] = tuple(Verdict)
SEXES: tuple[str, ...] = ("female", "male")
FORMAT_VERSION = 1


class DatasetError(ValueError):
    """A malformed analysis dataset: names the field path, the value and the rule broken."""

    def __init__(self, path: str, value: object, rule: str):
        self.path = path
        self.value = value
        self.rule = rule
        super().__init__(f"{path} {rule} (got {value!r})")


def _frozen_map(path: str, raw: Mapping[str, Any] | None, kind: type | tuple[type, ...]) -> Mapping:
    """Copy a visit->value mapping into a read-only view, checking keys and value types."""
    if raw is None:
        return MappingProxyType({})
    if not isinstance(raw, Mapping):
        raise DatasetError(path, raw, "must be a mapping of visit id to value")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not key:
            raise DatasetError(path, key, "keys must be non-empty visit ids")
        if isinstance(value, bool) or not isinstance(value, kind):
            raise DatasetError(f"{path}.{key}", value, "must be a number")
        out[key] = value
    return MappingProxyType(out)


@dataclass(frozen=True)
class AdverseEvent:
    """One adverse event as analysed: CTCAE grade 1-5, seriousness, special-interest categories.

    `special_interest` holds category ids from the protocol's safety file (e.g. `thrombosis`).
    """

    term: str
    grade: int
    serious: bool
    special_interest: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.term, str) or not self.term.strip():
            raise DatasetError("adverse_event.term", self.term, "must be a non-empty string")
        if isinstance(self.grade, bool) or not isinstance(self.grade, int) or not 1 <= self.grade <= 5:
            raise DatasetError("adverse_event.grade", self.grade, "must be a CTCAE grade from 1 to 5")
        if not isinstance(self.serious, bool):
            raise DatasetError("adverse_event.serious", self.serious, "must be true or false")
        object.__setattr__(self, "special_interest", tuple(self.special_interest))

    def to_dict(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "grade": self.grade,
            "serious": self.serious,
            "special_interest": list(self.special_interest),
        }


@dataclass(frozen=True)
class Baseline:
    """Baseline characteristics reported in Table 1 (None = not recorded)."""

    age_years: int
    sex: str
    sle_associated: bool
    clasi_a: int | None
    clasi_d: int | None
    dlqi_total: int | None = None
    prednisone_mg_day: float | None = None
    antimalarial_stable_months: float | None = None

    def __post_init__(self) -> None:
        if self.sex not in SEXES:
            raise DatasetError("baseline.sex", self.sex, f"must be one of {', '.join(SEXES)}")
        if isinstance(self.age_years, bool) or not isinstance(self.age_years, int) or self.age_years < 0:
            raise DatasetError("baseline.age_years", self.age_years, "must be a whole number >= 0")
        if not isinstance(self.sle_associated, bool):
            raise DatasetError("baseline.sle_associated", self.sle_associated, "must be true or false")

    def to_dict(self) -> dict[str, Any]:
        return {
            "age_years": self.age_years,
            "sex": self.sex,
            "sle_associated": self.sle_associated,
            "clasi_a": self.clasi_a,
            "clasi_d": self.clasi_d,
            "dlqi_total": self.dlqi_total,
            "prednisone_mg_day": self.prednisone_mg_day,
            "antimalarial_stable_months": self.antimalarial_stable_months,
        }


@dataclass(frozen=True)
class SubjectRecord:
    """One randomized subject, as the analyses need it.

    `stopped_drug_reason` is why the study drug was stopped early (None = not stopped);
    `discontinued` / `discontinued_reason` is leaving the study altogether (free text reason);
    `lost_to_follow_up` is a subject who stopped attending without withdrawing.
    """

    subject_id: str
    site: str
    stratum: str
    arm: str
    randomized_on: date
    baseline: Baseline
    clasi_a: Mapping[str, int] = field(default_factory=dict)
    clasi_d: Mapping[str, int] = field(default_factory=dict)
    visit_days: Mapping[str, int] = field(default_factory=dict)
    dlqi: Mapping[str, int] = field(default_factory=dict)
    received_allocated: bool = True
    stopped_drug_reason: str | None = None
    rescue_therapy: bool = False
    lost_to_follow_up: bool = False
    discontinued: bool = False
    discontinued_reason: str | None = None
    end_outcome: str | None = None
    """How participation ended by the cut-off (records `EndOutcome`: completed, withdrew_consent,
    investigator_decision, lost_to_follow_up, death), None while it goes on or when not recorded."""
    per_protocol: bool = True
    adverse_events: tuple[AdverseEvent, ...] = ()

    def __post_init__(self) -> None:
        where = f"subjects[{self.subject_id!r}]"
        for name in ("subject_id", "site", "stratum", "arm"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise DatasetError(f"{where}.{name}", value, "must be a non-empty string")
        if not isinstance(self.randomized_on, date):
            raise DatasetError(f"{where}.randomized_on", self.randomized_on, "must be a date")
        for name in ("clasi_a", "clasi_d", "visit_days", "dlqi"):
            object.__setattr__(self, name, _frozen_map(f"{where}.{name}", getattr(self, name), int))
        if self.stopped_drug_reason is not None and self.stopped_drug_reason not in STOP_REASONS:
            raise DatasetError(
                f"{where}.stopped_drug_reason",
                self.stopped_drug_reason,
                f"must be null or one of {', '.join(STOP_REASONS)}",
            )
        for name in ("received_allocated", "rescue_therapy", "lost_to_follow_up", "discontinued", "per_protocol"):
            if not isinstance(getattr(self, name), bool):
                raise DatasetError(f"{where}.{name}", getattr(self, name), "must be true or false")
        object.__setattr__(self, "adverse_events", tuple(self.adverse_events))

    @property
    def sle_associated(self) -> bool:
        return self.baseline.sle_associated

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject_id": self.subject_id,
            "site": self.site,
            "stratum": self.stratum,
            "arm": self.arm,
            "randomized_on": self.randomized_on.isoformat(),
            "baseline": self.baseline.to_dict(),
            "clasi_a": dict(self.clasi_a),
            "clasi_d": dict(self.clasi_d),
            "visit_days": dict(self.visit_days),
            "dlqi": dict(self.dlqi),
            "received_allocated": self.received_allocated,
            "stopped_drug_reason": self.stopped_drug_reason,
            "rescue_therapy": self.rescue_therapy,
            "lost_to_follow_up": self.lost_to_follow_up,
            "discontinued": self.discontinued,
            "discontinued_reason": self.discontinued_reason,
            "end_outcome": self.end_outcome,
            "per_protocol": self.per_protocol,
            "adverse_events": [ae.to_dict() for ae in self.adverse_events],
        }


@dataclass(frozen=True)
class ScreeningEntry:
    """One person assessed for eligibility, whatever happened next.

    `failed_criteria` lists every criterion id that failed (a person failing several counts
    under each in CONSORT). `note` says why an eligible person was not randomized (declined...).
    """

    subject_id: str
    site: str
    verdict: str
    failed_criteria: tuple[str, ...] = ()
    note: str | None = None
    left: str | None = None
    """Set when the person left screening by the cut-off without being randomized: "declined" or
    "other" (CONSORT 2025 excluded, besides not meeting the criteria)."""

    def __post_init__(self) -> None:
        if self.verdict not in SCREENING_VERDICTS:
            raise DatasetError(
                f"screening[{self.subject_id!r}].verdict",
                self.verdict,
                f"must be one of {', '.join(SCREENING_VERDICTS)}",
            )
        object.__setattr__(self, "failed_criteria", tuple(self.failed_criteria))
        if self.verdict == Verdict.NOT_ELIGIBLE and not self.failed_criteria:
            raise DatasetError(
                f"screening[{self.subject_id!r}].failed_criteria",
                [],
                "must name at least one criterion when the verdict is not_eligible",
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject_id": self.subject_id,
            "site": self.site,
            "verdict": self.verdict,
            "failed_criteria": list(self.failed_criteria),
            "note": self.note,
            "left": self.left,
        }


@dataclass(frozen=True)
class AnalysisDataset:
    """Everything the analyses read, frozen at `data_cutoff`.

    `arms` lists the protocol arm ids in display order; `visits` the visit ids that carry CLASI,
    in schedule order, baseline first.
    """

    trial_id: str
    data_cutoff: date
    arms: tuple[str, ...]
    visits: tuple[str, ...]
    subjects: tuple[SubjectRecord, ...]
    screening: tuple[ScreeningEntry, ...] = ()
    window_closes: Mapping[str, int] = field(default_factory=dict)
    """Per visit id, the study day (from randomization) on which its window closes: the last day
    the visit may still be done. An interim analysis leaves out a subject whose window is still open
    at the cut-off and whose outcome nothing has decided yet ("not yet evaluable")."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "window_closes", _frozen_map("window_closes", self.window_closes, int))
        object.__setattr__(self, "arms", tuple(self.arms))
        object.__setattr__(self, "visits", tuple(self.visits))
        object.__setattr__(self, "subjects", tuple(self.subjects))
        object.__setattr__(self, "screening", tuple(self.screening))
        if len(set(self.arms)) != len(self.arms) or len(self.arms) < 2:
            raise DatasetError("arms", list(self.arms), "must list at least two distinct arm ids")
        seen: set[str] = set()
        for subject in self.subjects:
            if subject.subject_id in seen:
                raise DatasetError("subjects", subject.subject_id, "subject ids must be unique")
            seen.add(subject.subject_id)
            if subject.arm not in self.arms:
                raise DatasetError(
                    f"subjects[{subject.subject_id!r}].arm", subject.arm, f"must be one of {', '.join(self.arms)}"
                )

    def by_arm(self) -> dict[str, list[SubjectRecord]]:
        """Subjects grouped by arm, every arm present (possibly empty), in `arms` order."""
        groups: dict[str, list[SubjectRecord]] = {arm: [] for arm in self.arms}
        for subject in self.subjects:
            groups[subject.arm].append(subject)
        return groups

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "equipoise.analysis_dataset",
            "format_version": FORMAT_VERSION,
            "trial_id": self.trial_id,
            "data_cutoff": self.data_cutoff.isoformat(),
            "arms": list(self.arms),
            "visits": list(self.visits),
            "subjects": [s.to_dict() for s in self.subjects],
            "screening": [e.to_dict() for e in self.screening],
            "window_closes": dict(self.window_closes),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, sort_keys=True, ensure_ascii=False)


def _need(obj: Mapping[str, Any], key: str, path: str) -> Any:
    if not isinstance(obj, Mapping):
        raise DatasetError(path, obj, "must be an object")
    if key not in obj:
        raise DatasetError(f"{path}.{key}", None, "is required")
    return obj[key]


def _date(value: Any, path: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise DatasetError(path, value, "must be an ISO date YYYY-MM-DD") from None


def dataset_from_dict(data: Mapping[str, Any]) -> AnalysisDataset:
    """Rebuild a dataset from `AnalysisDataset.to_dict()` output, validating as it goes."""
    version = _need(data, "format_version", "dataset")
    if version != FORMAT_VERSION:
        raise DatasetError("dataset.format_version", version, f"must be {FORMAT_VERSION}")
    subjects = []
    for i, raw in enumerate(_need(data, "subjects", "dataset")):
        path = f"subjects[{i}]"
        b = _need(raw, "baseline", path)
        baseline = Baseline(
            age_years=_need(b, "age_years", f"{path}.baseline"),
            sex=_need(b, "sex", f"{path}.baseline"),
            sle_associated=_need(b, "sle_associated", f"{path}.baseline"),
            clasi_a=b.get("clasi_a"),
            clasi_d=b.get("clasi_d"),
            dlqi_total=b.get("dlqi_total"),
            prednisone_mg_day=b.get("prednisone_mg_day"),
            antimalarial_stable_months=b.get("antimalarial_stable_months"),
        )
        events = tuple(
            AdverseEvent(
                term=_need(ae, "term", f"{path}.adverse_events[{j}]"),
                grade=_need(ae, "grade", f"{path}.adverse_events[{j}]"),
                serious=_need(ae, "serious", f"{path}.adverse_events[{j}]"),
                special_interest=tuple(ae.get("special_interest") or ()),
            )
            for j, ae in enumerate(raw.get("adverse_events") or ())
        )
        subjects.append(
            SubjectRecord(
                subject_id=_need(raw, "subject_id", path),
                site=_need(raw, "site", path),
                stratum=_need(raw, "stratum", path),
                arm=_need(raw, "arm", path),
                randomized_on=_date(_need(raw, "randomized_on", path), f"{path}.randomized_on"),
                baseline=baseline,
                clasi_a=raw.get("clasi_a") or {},
                clasi_d=raw.get("clasi_d") or {},
                visit_days=raw.get("visit_days") or {},
                dlqi=raw.get("dlqi") or {},
                received_allocated=raw.get("received_allocated", True),
                stopped_drug_reason=raw.get("stopped_drug_reason"),
                rescue_therapy=raw.get("rescue_therapy", False),
                lost_to_follow_up=raw.get("lost_to_follow_up", False),
                discontinued=raw.get("discontinued", False),
                discontinued_reason=raw.get("discontinued_reason"),
                end_outcome=raw.get("end_outcome"),
                per_protocol=raw.get("per_protocol", True),
                adverse_events=events,
            )
        )
    screening = tuple(
        ScreeningEntry(
            subject_id=_need(raw, "subject_id", f"screening[{i}]"),
            site=_need(raw, "site", f"screening[{i}]"),
            verdict=_need(raw, "verdict", f"screening[{i}]"),
            failed_criteria=tuple(raw.get("failed_criteria") or ()),
            note=raw.get("note"),
            left=raw.get("left"),
        )
        for i, raw in enumerate(data.get("screening") or ())
    )
    return AnalysisDataset(
        trial_id=_need(data, "trial_id", "dataset"),
        data_cutoff=_date(_need(data, "data_cutoff", "dataset"), "dataset.data_cutoff"),
        arms=tuple(_need(data, "arms", "dataset")),
        visits=tuple(_need(data, "visits", "dataset")),
        subjects=tuple(subjects),
        screening=screening,
        window_closes=data.get("window_closes") or {},
    )


def dataset_from_json(text: str) -> AnalysisDataset:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DatasetError("dataset", text[:40], f"must be valid JSON ({exc.msg})") from None
    return dataset_from_dict(data)


def json_ready(value: Any) -> Any:
    """Make an analysis result JSON-ready: NaN/inf become None, tuples lists, numpy scalars plain."""
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return json_ready(value.item())
    if isinstance(value, float):
        number = float(value)
        return number if math.isfinite(number) else None
    return value
