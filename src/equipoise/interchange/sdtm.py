"""The SDTM-shaped domains this system exports: their variables, and rows built from plain facts.

Each builder takes plain values (dicts read by the app, one subject at a time) and yields rows in
the domain's column order. Controlled terminology: `docs/exports-terminology.md` says which values
are CDISC controlled terminology and which codes were invented here.

Arms come in three forms (`ArmMode`): `actual` (arm codes and names; only for users the blinding
policy lets see arms), `coded` (A/B for the DSMB open session: the codes group subjects without
saying which drug a group took) and `masked` (no arm variable at all). EX, which names the
drug, exists only in `actual`; so does AERELNST, the causality to the arm's auxiliary drug.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from equipoise.instruments import clasi
from equipoise.instruments.responses import clasi_response
from equipoise.interchange.dataset_json import Column


class ArmMode(StrEnum):
    ACTUAL = "actual"
    CODED = "coded"
    MASKED = "masked"


def S(name: str, label: str, length: int | None = None, key: int | None = None, codelist: str | None = None) -> Column:
    return Column(name, label, "string", length=length, key_sequence=key, codelist=codelist)


def N(name: str, label: str, data_type: str = "integer", codelist: str | None = None) -> Column:
    return Column(name, label, data_type, codelist=codelist)


def D(name: str, label: str) -> Column:
    return Column(name, label, "date")


COMMON = (S("STUDYID", "Study Identifier", 20, 1), S("DOMAIN", "Domain Abbreviation", 2),
          S("USUBJID", "Unique Subject Identifier", 40, 2))
VISIT = (N("VISITNUM", "Visit Number", "float"), S("VISIT", "Visit Name", 60))
ARM_COLUMNS = (S("ARMCD", "Planned Arm Code", 20, codelist="ARMCD"), S("ARM", "Description of Planned Arm", 60),
               S("ACTARMCD", "Actual Arm Code", 20, codelist="ARMCD"), S("ACTARM", "Description of Actual Arm", 60))


@dataclass(frozen=True)
class Domain:
    name: str
    label: str
    columns: tuple[Column, ...]
    arm_revealing: bool = False  # the whole domain names the drug

    def columns_for(self, mode: ArmMode) -> tuple[Column, ...]:
        return _columns_for(self.name, mode)


@functools.cache
def _columns_for(name: str, mode: ArmMode) -> tuple[Column, ...]:
    """The domain's columns in this arm mode (computed once per domain and mode; keyed by the
    domain's name, as hashing the frozen domain would hash every column on each call)."""
    hidden = set()
    if mode == ArmMode.MASKED:
        hidden |= {c.name for c in ARM_COLUMNS}
    if mode != ArmMode.ACTUAL:
        hidden.add("AERELNST")
    return tuple(c for c in DOMAINS[name].columns if c.name not in hidden)


@functools.cache
def _defaults(name: str, mode: ArmMode) -> tuple[tuple[str, Any], ...]:
    """(column name, value when absent) in the domain's column order for this arm mode."""
    return tuple((c.name, "" if c.data_type == "string" else None) for c in _columns_for(name, mode))


DOMAINS: dict[str, Domain] = {d.name: d for d in [
    Domain("DM", "Demographics", (*COMMON, S("SUBJID", "Subject Identifier for the Study", 20),
        D("RFSTDTC", "Subject Reference Start Date/Time"), D("RFENDTC", "Subject Reference End Date/Time"),
        D("RFXSTDTC", "Date/Time of First Study Treatment"), D("RFXENDTC", "Date/Time of Last Study Treatment"),
        D("RFICDTC", "Date/Time of Informed Consent"), D("RFPENDTC", "Date/Time of End of Participation"),
        S("SITEID", "Study Site Identifier", 8), N("AGE", "Age"), S("AGEU", "Age Units", 10, codelist="AGEU"),
        S("SEX", "Sex", 1, codelist="SEX"), *ARM_COLUMNS, S("ARMNRS", "Reason Arm and/or Actual Arm is Null", 40,
        codelist="ARMNULRS"), S("COUNTRY", "Country", 3, codelist="COUNTRY"))),
    Domain("DS", "Disposition", (*COMMON, N("DSSEQ", "Sequence Number"), S("DSTERM", "Reported Term for the Disposition Event", 200),
        S("DSDECOD", "Standardized Disposition Term", 40, codelist="NCOMPLT/PROTMLST"),
        S("DSCAT", "Category for Disposition Event", 40, codelist="DSCAT"), D("DSSTDTC", "Start Date/Time of Disposition Event"))),
    Domain("SV", "Subject Visits", (*COMMON, *VISIT, D("SVSTDTC", "Start Date/Time of Observation"),
        D("SVENDTC", "End Date/Time of Observation"))),
    Domain("IE", "Inclusion/Exclusion Criteria Not Met", (*COMMON, N("IESEQ", "Sequence Number"),
        S("IETESTCD", "Inclusion/Exclusion Criterion Short Name", 8, codelist="IETESTCD"),
        S("IETEST", "Inclusion/Exclusion Criterion", 200), S("IECAT", "Inclusion/Exclusion Category", 10, codelist="IECAT"),
        S("IEORRES", "I/E Criterion Original Result", 1, codelist="NY"),
        S("IESTRESC", "I/E Criterion Result in Std Format", 1, codelist="NY"), D("IEDTC", "Date/Time of Collection"))),
    Domain("EX", "Exposure", (*COMMON, N("EXSEQ", "Sequence Number"), S("EXTRT", "Name of Treatment", 40),
        N("EXDOSE", "Dose", "float"), S("EXDOSU", "Dose Units", 10, codelist="UNIT"),
        S("EXDOSFRM", "Dose Form", 20, codelist="FRM"), S("EXDOSFRQ", "Dosing Frequency per Interval", 10, codelist="FREQ"),
        S("EXROUTE", "Route of Administration", 20, codelist="ROUTE"),
        D("EXSTDTC", "Start Date/Time of Treatment"), D("EXENDTC", "End Date/Time of Treatment")), arm_revealing=True),
    Domain("AE", "Adverse Events", (*COMMON, N("AESEQ", "Sequence Number"), S("AETERM", "Reported Term for the Adverse Event", 200),
        D("AESTDTC", "Start Date/Time of Adverse Event"), D("AEENDTC", "End Date/Time of Adverse Event"),
        S("AETOXGR", "Standard Toxicity Grade", 1, codelist="TOXGR"), S("AESER", "Serious Event", 1, codelist="NY"),
        S("AEREL", "Causality", 20, codelist="AEREL"), S("AERELNST", "Relationship to Non-Study Treatment", 60),
        S("AEACN", "Action Taken with Study Treatment", 30, codelist="ACN"), S("AEOUT", "Outcome of Adverse Event", 40,
        codelist="OUT"))),
    Domain("LB", "Laboratory Test Results", (*COMMON, N("LBSEQ", "Sequence Number"),
        S("LBTESTCD", "Lab Test or Examination Short Name", 8, codelist="LBTESTCD"),
        S("LBTEST", "Lab Test or Examination Name", 40, codelist="LBTEST"), S("LBORRES", "Result or Finding in Original Units", 20),
        S("LBORRESU", "Original Units", 20, codelist="UNIT"), N("LBSTRESN", "Numeric Result/Finding in Standard Units", "float"),
        S("LBSTRESU", "Standard Units", 20, codelist="UNIT"), *VISIT, D("LBDTC", "Date/Time of Specimen Collection"))),
    Domain("QS", "Questionnaires", (*COMMON, N("QSSEQ", "Sequence Number"), S("QSTESTCD", "Question Short Name", 8,
        codelist="QSTESTCD"), S("QSTEST", "Question Name", 80), S("QSCAT", "Category of Question", 60, codelist="QSCAT"),
        S("QSORRES", "Finding in Original Units", 20), N("QSSTRESN", "Numeric Finding in Standard Units", "float"),
        *VISIT, D("QSDTC", "Date/Time of Finding"))),
    Domain("FA", "Findings About Events or Interventions", (*COMMON, N("FASEQ", "Sequence Number"),
        S("FATESTCD", "Findings About Test Short Name", 8, codelist="FATESTCD"), S("FATEST", "Findings About Test Name", 40),
        S("FAOBJ", "Object of the Observation", 60), S("FACAT", "Category for Findings About", 20),
        S("FAORRES", "Result or Finding in Original Units", 20), N("FASTRESN", "Numeric Result/Finding in Standard Units", "float"),
        *VISIT, D("FADTC", "Date/Time of Collection"))),
    Domain("RS", "Disease Response", (*COMMON, N("RSSEQ", "Sequence Number"), S("RSTESTCD", "Assessment Short Name", 8,
        codelist="RSTESTCD"), S("RSTEST", "Assessment Name", 40), S("RSCAT", "Category for Assessment", 40),
        S("RSORRES", "Result or Finding in Original Units", 1, codelist="NY"), S("RSSTRESC", "Character Result/Finding in Std Format",
        1, codelist="NY"), *VISIT, D("RSDTC", "Date/Time of Assessment"))),
    Domain("CM", "Concomitant Medications", (*COMMON, N("CMSEQ", "Sequence Number"), S("CMTRT", "Reported Name of Drug, Med, or Therapy",
        40), S("CMCAT", "Category for Medication", 40), N("CMDOSE", "Dose per Administration", "float"),
        S("CMDOSU", "Dose Units", 10, codelist="UNIT"), S("CMDOSFRQ", "Dosing Frequency per Interval", 10, codelist="FREQ"),
        S("CMROUTE", "Route of Administration", 20, codelist="ROUTE"), *VISIT, D("CMDTC", "Date/Time of Collection"))),
    # Not an SDTM domain: a custom one (SDTM reserves X*, Y*, Z* codes for those) for the
    # investigator's electronic signatures, one row per signature given before the cut-off.
    Domain("ZS", "Electronic Signatures", (*COMMON, N("ZSSEQ", "Sequence Number"),
        S("ZSSCOPE", "What Was Signed", 8, codelist="ZSSCOPE"), *VISIT,
        S("ZSSIGNER", "Printed Name of the Signer", 200), S("ZSROLE", "Role of the Signer", 40),
        S("ZSMEAN", "Meaning of the Signature", 200), Column("ZSDTC", "Date/Time of Signature", "datetime"),
        S("ZSSTAT", "Signature Status at the Cut-off", 12, codelist="ZSSTAT"),
        S("ZSINVBY", "Change That Invalidated the Signature", 200),
        S("ZSHASH", "SHA-256 of the Signed Content", 64))),
]}
ORDER = tuple(DOMAINS)

# --- controlled terminology -----------------------------------------------------------------

SEX = {"female": "F", "male": "M"}
DS_EVENTS = {  # subject status -> (DSDECOD, DSCAT)
    "screen_failed": ("SCREEN FAILURE", "DISPOSITION EVENT"),
    "withdrawn": ("WITHDRAWAL BY SUBJECT", "DISPOSITION EVENT"),
    "lost_to_follow_up": ("LOST TO FOLLOW-UP", "DISPOSITION EVENT"),
    "completed": ("COMPLETED", "DISPOSITION EVENT"),
    "died": ("DEATH", "DISPOSITION EVENT"),
}
AE_ACTION = {"none": "DOSE NOT CHANGED", "dose_reduced": "DOSE REDUCED", "drug_interrupted": "DRUG INTERRUPTED",
             "drug_withdrawn": "DRUG WITHDRAWN", "not_applicable": "NOT APPLICABLE"}
AE_OUTCOME = {"recovered": "RECOVERED/RESOLVED", "recovering": "RECOVERING/RESOLVING",
              "not_recovered": "NOT RECOVERED/NOT RESOLVED", "recovered_with_sequelae": "RECOVERED/RESOLVED WITH SEQUELAE",
              "fatal": "FATAL", "unknown": "UNKNOWN"}
FREQUENCY = {"daily": "QD", "weekly": "QW"}
ROUTE = {"oral": "ORAL", "subcutaneous": "SUBCUTANEOUS", "intravenous": "INTRAVENOUS", "topical": "TOPICAL"}
# form field -> (LBTESTCD, LBTEST, unit as entered, unit CDISC-style)
LAB_TESTS = {
    "lab_neutrophils_g_l": ("NEUT", "Neutrophils", "10^9/L"),
    "lab_platelets_g_l": ("PLAT", "Platelets", "10^9/L"),
    "lab_haemoglobin_g_dl": ("HGB", "Hemoglobin", "g/dL"),
    "lab_creatinine_umol_l": ("CREAT", "Creatinine", "umol/L"),
    "lab_creatinine_clearance_ml_min": ("CREATCLR", "Creatinine Clearance", "mL/min"),
    "lab_alt_x_uln": ("ALT", "Alanine Aminotransferase", "xULN"),
    "lab_ast_x_uln": ("AST", "Aspartate Aminotransferase", "xULN"),
}
# form field -> (QSTESTCD, QSTEST, QSCAT)
QS_ITEMS = {
    **{f"dlqi_q{i}": (f"DLQI{i:02d}", f"DLQI item {i}", "DLQI") for i in range(1, 11)},
    "pain_nrs": ("PAINNRS", "Skin pain, numeric rating scale 0-10", "NRS"),
    "itch_nrs": ("ITCHNRS", "Itch, numeric rating scale 0-10", "NRS"),
    "physician_global": ("PGA", "Physician global assessment", "PHYSICIAN GLOBAL ASSESSMENT"),
}
QS_DERIVED = {"dlqi_total": ("DLQITOT", "DLQI total score", "DLQI")}
FA_ITEMS = {"erythema": ("ERYTHEMA", "Erythema"), "scale": ("SCALE", "Scale/Hypertrophy"),
            "dyspigmentation": ("DYSPIG", "Dyspigmentation"), "scarring": ("SCARRING", "Scarring/Atrophy/Panniculitis"),
            "mucous_membrane": ("MUCMEMB", "Mucous membrane lesions"), "recent_hair_loss": ("HAIRLOSS", "Recent hair loss"),
            "nonscarring_alopecia": ("NSCALOP", "Non-scarring alopecia"),
            "scarring_alopecia": ("SCALOP", "Scarring alopecia of the scalp"),
            clasi.LONG_DYSPIGMENTATION: ("DYSPIG12", "Dyspigmentation lasting 12 months or more"),
            clasi.NOT_ASSESSED: ("NOTASSES", "Area not assessed")}
FA_TOTALS = {"clasi_a": ("CLASIA", "CLASI activity score"), "clasi_d": ("CLASID", "CLASI damage score")}


def usubjid(study: str, subject: str) -> str:
    return f"{study}-{subject}"


def _iso(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)[:10]


def _number(value: Any) -> float | int | None:
    if value is None or isinstance(value, bool):
        return None
    return value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Arms:
    """How arms appear in this export: arm id -> (code, description), or nothing (masked)."""

    mode: ArmMode
    labels: Mapping[str, tuple[str, str]]

    def of(self, arm: str | None) -> tuple[str, str]:
        if arm is None:
            return "", ""
        return self.labels[arm]


@dataclass(frozen=True)
class VisitInfo:
    """Where a form was taken: visit number and name, and its date."""

    number: float
    name: str
    date: dt.date | None


# --- builders: each takes one subject's facts and yields rows in column order ----------------


@functools.cache
def _positions(name: str, mode: ArmMode) -> dict[str, int]:
    """Column name -> its index in the domain's rows in this arm mode."""
    return {c.name: i for i, c in enumerate(_columns_for(name, mode))}


def _row(domain: Domain, mode: ArmMode, values: Mapping[str, Any]) -> list[Any]:
    return [values.get(name, absent) for name, absent in _defaults(domain.name, mode)]


def dm_row(study: str, arms: Arms, s: Mapping[str, Any]) -> list[Any]:
    """`s`: code, site, country, age, sex, consent_date, randomized_on, arm, first_dose, last_dose,
    ended_on, status."""
    code, name = arms.of(s.get("arm"))
    nrs = ""  # a randomized subject's arm is hidden (masked), not missing
    if not s.get("randomized_on"):
        nrs = "SCREEN FAILURE" if s["status"] == "screen_failed" else "NOT ASSIGNED"
    end = s.get("ended_on") or s.get("last_dose")
    return _row(DOMAINS["DM"], arms.mode, {
        "STUDYID": study, "DOMAIN": "DM", "USUBJID": usubjid(study, s["code"]), "SUBJID": s["code"],
        "RFSTDTC": _iso(s.get("randomized_on")), "RFENDTC": _iso(end) if s.get("randomized_on") else "",
        "RFXSTDTC": _iso(s.get("first_dose")), "RFXENDTC": _iso(s.get("last_dose")),
        "RFICDTC": _iso(s.get("consent_date")), "RFPENDTC": _iso(s.get("ended_on")), "SITEID": s["site"],
        "AGE": _number(s.get("age")), "AGEU": "YEARS" if s.get("age") is not None else "",
        "SEX": SEX.get(s.get("sex") or "", ""), "ARMCD": code, "ARM": name, "ACTARMCD": code, "ACTARM": name,
        "ARMNRS": nrs, "COUNTRY": s.get("country", "FRA"),
    })


def ds_rows(study: str, mode: ArmMode, s: Mapping[str, Any]) -> Iterator[list[Any]]:
    """`s`: code, consent_date, randomized_on, status, ended_on, end_reason, screen_failed_on."""
    events = []
    if s.get("consent_date"):
        events.append(("Informed consent obtained", "INFORMED CONSENT OBTAINED", "PROTOCOL MILESTONE", s["consent_date"]))
    if s.get("randomized_on"):
        events.append(("Randomized", "RANDOMIZED", "PROTOCOL MILESTONE", s["randomized_on"]))
    status = s.get("status")
    if status == "screen_failed" and s.get("screen_failed_on"):
        events.append(("Not eligible at screening", *DS_EVENTS[status], s["screen_failed_on"]))
    elif status in DS_EVENTS and s.get("ended_on"):
        events.append((s.get("end_reason") or DS_EVENTS[status][0].capitalize(), *DS_EVENTS[status], s["ended_on"]))
    for seq, (term, decod, cat, on) in enumerate(events, 1):
        yield _row(DOMAINS["DS"], mode, {"STUDYID": study, "DOMAIN": "DS", "USUBJID": usubjid(study, s["code"]),
                                         "DSSEQ": seq, "DSTERM": term[:200], "DSDECOD": decod, "DSCAT": cat,
                                         "DSSTDTC": _iso(on)})


def sv_row(study: str, mode: ArmMode, subject: str, visit: VisitInfo) -> list[Any]:
    return _row(DOMAINS["SV"], mode, {"STUDYID": study, "DOMAIN": "SV", "USUBJID": usubjid(study, subject),
                                      "VISITNUM": visit.number, "VISIT": visit.name, "SVSTDTC": _iso(visit.date),
                                      "SVENDTC": _iso(visit.date)})


def ie_rows(study: str, mode: ArmMode, subject: str, failed: Iterable[tuple[str, str, str]],
            on: dt.date) -> Iterator[list[Any]]:
    """`failed`: (criterion id, kind, English text) of each criterion the subject did not satisfy."""
    for seq, (cid, kind, text) in enumerate(failed, 1):
        result = "N" if kind == "inclusion" else "Y"
        yield _row(DOMAINS["IE"], mode, {"STUDYID": study, "DOMAIN": "IE", "USUBJID": usubjid(study, subject),
                                         "IESEQ": seq, "IETESTCD": cid, "IETEST": text[:200],
                                         "IECAT": kind.upper(), "IEORRES": result, "IESTRESC": result,
                                         "IEDTC": _iso(on)})


def ex_rows(study: str, subject: str, dispensings: Iterable[Mapping[str, Any]]) -> Iterator[list[Any]]:
    """`dispensings`: drug, dose_mg, frequency, route, start, end; the study drug and auxiliary drug."""
    for seq, d in enumerate(dispensings, 1):
        yield _row(DOMAINS["EX"], ArmMode.ACTUAL, {
            "STUDYID": study, "DOMAIN": "EX", "USUBJID": usubjid(study, subject), "EXSEQ": seq,
            "EXTRT": d["drug"].upper(), "EXDOSE": float(d["dose_mg"]), "EXDOSU": "mg", "EXDOSFRM": "TABLET",
            "EXDOSFRQ": FREQUENCY.get(d["frequency"], ""), "EXROUTE": ROUTE.get(d.get("route") or "oral", ""),
            "EXSTDTC": _iso(d["start"]), "EXENDTC": _iso(d["end"])})


def ae_rows(study: str, mode: ArmMode, subject: str, events: Iterable[Mapping[str, Any]],
            auxiliary: str | None) -> Iterator[list[Any]]:
    """`events`: term, onset_date, end_date, grade, seriousness, related_to_study_drug, causality,
    action_taken, outcome. `auxiliary`: the arm's auxiliary drug id (its causality is AERELNST)."""
    for seq, e in enumerate(events, 1):
        related = e.get("related_to_study_drug")
        aux = (e.get("causality") or {}).get(auxiliary or "")
        yield _row(DOMAINS["AE"], mode, {
            "STUDYID": study, "DOMAIN": "AE", "USUBJID": usubjid(study, subject), "AESEQ": seq,
            "AETERM": e["term"][:200], "AESTDTC": _iso(e["onset_date"]), "AEENDTC": _iso(e.get("end_date")),
            "AETOXGR": str(e["grade"]), "AESER": "Y" if e.get("seriousness") else "N",
            "AEREL": "" if related is None else ("RELATED" if related else "NOT RELATED"),
            "AERELNST": f"{auxiliary.upper()}: {aux.replace('_', ' ').upper()}" if auxiliary and aux else "",
            "AEACN": AE_ACTION.get(e.get("action_taken") or "", ""), "AEOUT": AE_OUTCOME.get(e.get("outcome") or "", "")})


@dataclass
class FindingForm:
    """One form record's values in force, where it was taken (the input of the findings builders)."""

    form_id: str
    data: Mapping[str, Any]
    derived: Mapping[str, Any]
    visit: VisitInfo


def _findings_base(study: str, domain: str, subject: str, visit: VisitInfo, seq: int) -> dict[str, Any]:
    return {"STUDYID": study, "DOMAIN": domain, "USUBJID": usubjid(study, subject), f"{domain}SEQ": seq,
            "VISITNUM": visit.number, "VISIT": visit.name}


def lb_rows(study: str, mode: ArmMode, subject: str, forms: Iterable[FindingForm]) -> Iterator[list[Any]]:
    seq = 0
    for f in forms:
        if f.form_id != "labs":
            continue
        for field, (code, test, unit) in LAB_TESTS.items():
            value = f.data.get(field)
            if value is None:
                continue
            seq += 1
            yield _row(DOMAINS["LB"], mode, {**_findings_base(study, "LB", subject, f.visit, seq),
                       "LBTESTCD": code, "LBTEST": test, "LBORRES": _text(value), "LBORRESU": unit,
                       "LBSTRESN": value, "LBSTRESU": unit, "LBDTC": _iso(f.data.get("lab_date") or f.visit.date)})


def qs_rows(study: str, mode: ArmMode, subject: str, forms: Iterable[FindingForm]) -> Iterator[list[Any]]:
    seq = 0
    for f in forms:
        items = [(QS_ITEMS[k], f.data.get(k)) for k in QS_ITEMS if k in f.data]
        items += [(QS_DERIVED[k], f.derived.get(k)) for k in QS_DERIVED if k in f.derived]
        for (code, test, cat), value in items:
            if value is None:
                continue
            seq += 1
            yield _row(DOMAINS["QS"], mode, {**_findings_base(study, "QS", subject, f.visit, seq),
                       "QSTESTCD": code, "QSTEST": test, "QSCAT": cat, "QSORRES": _text(value),
                       "QSSTRESN": value, "QSDTC": _iso(f.visit.date)})


def clasi_scores(record: Mapping[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(object, item, value) of every score a stored CLASI record holds."""
    for area, items in (record.get("regions") or {}).items():
        for item, value in items.items():
            yield f"CLASI {area.replace('_', ' ').upper()}", item, value
    for key in (*clasi.PATIENT_ITEMS, clasi.LONG_DYSPIGMENTATION):
        if key in record:
            yield "CLASI", key, record[key]
    for area in record.get(clasi.NOT_ASSESSED) or ():
        yield f"CLASI {area.replace('_', ' ').upper()}", clasi.NOT_ASSESSED, True


def fa_rows(study: str, mode: ArmMode, subject: str, forms: Iterable[FindingForm]) -> Iterator[list[Any]]:
    """One row per CLASI score (and the two totals): the values every row of a form shares are laid
    out once per form, and each score fills its own columns of a copy."""
    seq = 0
    at = _positions("FA", mode)
    i_seq, i_code, i_test, i_obj, i_orres, i_stresn = (at[c] for c in ("FASEQ", "FATESTCD", "FATEST", "FAOBJ",
                                                                       "FAORRES", "FASTRESN"))
    for f in forms:
        if f.form_id != "clasi" or not f.data.get("clasi_record"):
            continue
        scores = [(obj, *FA_ITEMS[item], value) for obj, item, value in clasi_scores(f.data["clasi_record"])]
        scores += [("CLASI", *FA_TOTALS[k], f.derived[k]) for k in FA_TOTALS if f.derived.get(k) is not None]
        shared = _row(DOMAINS["FA"], mode, {**_findings_base(study, "FA", subject, f.visit, 0), "FACAT": "CLASI",
                                            "FADTC": _iso(f.visit.date)})
        for obj, code, test, value in scores:
            seq += 1
            row = shared.copy()
            row[i_seq], row[i_code], row[i_test], row[i_obj] = seq, code, test, obj
            row[i_orres] = _text(value)
            row[i_stresn] = int(value) if isinstance(value, bool) else value
            yield row


def rs_rows(study: str, mode: ArmMode, subject: str, forms: Iterable[FindingForm], baseline_visit: str
            ) -> Iterator[list[Any]]:
    """CLASI-50 at every CLASI after the baseline visit (none without a baseline CLASI-A)."""
    seq, baseline = 0, None
    for f in forms:
        if f.form_id != "clasi" or f.derived.get("clasi_a") is None:
            continue
        if f.visit.name == baseline_visit:
            baseline = f.derived["clasi_a"]
            continue
        if baseline is None:
            continue
        fifty = clasi_response(baseline, f.derived["clasi_a"]).clasi50
        if fifty is None:
            continue
        seq += 1
        answer = "Y" if fifty else "N"
        yield _row(DOMAINS["RS"], mode, {**_findings_base(study, "RS", subject, f.visit, seq),
                   "RSTESTCD": "CLASI50", "RSTEST": "CLASI-50 response", "RSCAT": "CLASI RESPONSE",
                   "RSORRES": answer, "RSSTRESC": answer, "RSDTC": _iso(f.visit.date)})


def cm_rows(study: str, mode: ArmMode, subject: str, forms: Iterable[FindingForm]) -> Iterator[list[Any]]:
    seq = 0
    for f in forms:
        if f.form_id != "steroid_dose" or f.data.get("prednisone_equivalent_mg_day") is None:
            continue
        seq += 1
        yield _row(DOMAINS["CM"], mode, {**_findings_base(study, "CM", subject, f.visit, seq),
                   "CMTRT": "PREDNISONE EQUIVALENT", "CMCAT": "ORAL CORTICOSTEROIDS",
                   "CMDOSE": f.data["prednisone_equivalent_mg_day"], "CMDOSU": "mg", "CMDOSFRQ": "QD",
                   "CMROUTE": "ORAL", "CMDTC": _iso(f.visit.date)})


FINDINGS = {"LB": lb_rows, "QS": qs_rows, "FA": fa_rows, "CM": cm_rows}


def domain_row_width(name: str, mode: ArmMode) -> int:
    return len(DOMAINS[name].columns_for(mode))


def check_rows(name: str, mode: ArmMode, rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    width = domain_row_width(name, mode)
    for row in rows:
        if len(row) != width:
            raise ValueError(f"{name}: row of {len(row)} values for {width} columns")
        yield row


SIGNATURE_STATES = {"valid": "VALID", "invalidated": "INVALIDATED", "broken": "BROKEN"}


def zs_rows(study: str, mode: ArmMode, subject: str, signatures: Iterable[Mapping[str, Any]]) -> Iterator[list[Any]]:
    """`signatures`: scope (visit | casebook), visit (VisitInfo or None), printed_name, role, meaning,
    at (aware datetime), state (valid | invalidated | broken), invalidated_by, content_sha256."""
    for seq, s in enumerate(signatures, 1):
        visit = s.get("visit")
        yield _row(DOMAINS["ZS"], mode, {
            "STUDYID": study, "DOMAIN": "ZS", "USUBJID": usubjid(study, subject), "ZSSEQ": seq,
            "ZSSCOPE": s["scope"].upper(), "VISITNUM": visit.number if visit else None,
            "VISIT": visit.name if visit else "", "ZSSIGNER": s["printed_name"], "ZSROLE": s["role"],
            "ZSMEAN": s["meaning"], "ZSDTC": s["at"].astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "ZSSTAT": SIGNATURE_STATES[s["state"]], "ZSINVBY": s.get("invalidated_by") or "",
            "ZSHASH": s.get("content_sha256") or ""})
