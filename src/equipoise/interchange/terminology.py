"""The code lists the SDTM-shaped exports use, and whether each is CDISC's or ours.

`source` says where the values come from: "CDISC CT <codelist> (<C-code>)" for values taken from
CDISC Controlled Terminology, "sponsor-defined" where SDTM leaves the values to the sponsor, and
"invented by Equipoise" where no CDISC code list was found for the concept (the DLQI, NRS and
CLASI item codes, the CLASI-50 test code). `docs/exports-terminology.md` explains each choice.
"""

from __future__ import annotations

from dataclasses import dataclass

from equipoise.interchange import sdtm


@dataclass(frozen=True)
class CodeList:
    values: tuple[str, ...]
    source: str


CODELISTS: dict[str, CodeList] = {
    "SEX": CodeList(tuple(sorted(set(sdtm.SEX.values()))), "CDISC CT SEX (C66731)"),
    "AGEU": CodeList(("YEARS",), "CDISC CT AGEU (C66781)"),
    "NY": CodeList(("N", "Y"), "CDISC CT NY (C66742)"),
    "COUNTRY": CodeList(("FRA",), "ISO 3166-1 alpha-3, as SDTM requires"),
    "ARMNULRS": CodeList(("NOT ASSIGNED", "SCREEN FAILURE"), "CDISC CT ARMNULRS (C142179)"),
    "ARMCD": CodeList((), "sponsor-defined (arm ids of arms.yaml; A/B in the coded DSMB open export)"),
    "NCOMPLT/PROTMLST": CodeList(tuple(sorted({d for d, _ in sdtm.DS_EVENTS.values()}
                                              | {"INFORMED CONSENT OBTAINED", "RANDOMIZED"})),
                                 "CDISC CT NCOMPLT (C66727) and PROTMLST (C114118)"),
    "DSCAT": CodeList(("DISPOSITION EVENT", "PROTOCOL MILESTONE"), "CDISC CT DSCAT (C74558)"),
    "IETESTCD": CodeList((), "sponsor-defined (criterion ids of eligibility.yaml)"),
    "IECAT": CodeList(("EXCLUSION", "INCLUSION"), "CDISC CT IECAT (C66797)"),
    "UNIT": CodeList(("10^9/L", "g/dL", "mL/min", "mg", "umol/L", "xULN"),
                     "CDISC CT UNIT (C71620), except xULN (multiple of the upper limit of normal) invented by Equipoise"),
    "FRM": CodeList(("TABLET",), "CDISC CT FRM (C66726)"),
    "FREQ": CodeList(("QD", "QW"), "CDISC CT FREQ (C71113) for QD; QW for once weekly to be checked against the "
                                   "CT release in use"),
    "ROUTE": CodeList(tuple(sorted(sdtm.ROUTE.values())), "CDISC CT ROUTE (C66729)"),
    "TOXGR": CodeList(("1", "2", "3", "4", "5"), "CDISC CT TOXGR (C66784), CTCAE grades"),
    "AEREL": CodeList(("NOT RELATED", "RELATED"), "sponsor-defined (SDTM has no code list for AEREL)"),
    "ACN": CodeList(tuple(sorted(sdtm.AE_ACTION.values())), "CDISC CT ACN (C66767)"),
    "OUT": CodeList(tuple(sorted(sdtm.AE_OUTCOME.values())), "CDISC CT OUT (C66768)"),
    "LBTESTCD": CodeList(tuple(t[0] for t in sdtm.LAB_TESTS.values()), "CDISC CT LBTESTCD (C65047)"),
    "LBTEST": CodeList(tuple(t[1] for t in sdtm.LAB_TESTS.values()), "CDISC CT LBTEST (C67154)"),
    "QSTESTCD": CodeList(tuple(t[0] for t in (*sdtm.QS_ITEMS.values(), *sdtm.QS_DERIVED.values())),
                         "invented by Equipoise (no CDISC QRS code list used for DLQI, NRS or PGA)"),
    "QSCAT": CodeList(tuple(sorted({t[2] for t in sdtm.QS_ITEMS.values()})), "invented by Equipoise"),
    "FATESTCD": CodeList(tuple(t[0] for t in (*sdtm.FA_ITEMS.values(), *sdtm.FA_TOTALS.values())),
                         "invented by Equipoise (CLASI items and totals)"),
    "RSTESTCD": CodeList(("CLASI50",), "invented by Equipoise"),
    "ZSSCOPE": CodeList(("CASEBOOK", "VISIT"), "invented by Equipoise (custom signature domain ZS)"),
    "ZSSTAT": CodeList(tuple(sorted(sdtm.SIGNATURE_STATES.values())),
                       "invented by Equipoise (custom signature domain ZS)"),
}
